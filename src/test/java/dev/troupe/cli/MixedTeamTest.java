package dev.troupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.journal.Json;
import dev.troupe.testing.Await;
import dev.troupe.testing.CodexHome;
import dev.troupe.testing.GeminiApiStandIn;
import dev.troupe.testing.GeminiHome;
import dev.troupe.testing.Journals;
import dev.troupe.testing.MessagesApiStandIn;
import dev.troupe.testing.ResponsesApiStandIn;
import dev.troupe.testing.TestRepo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code troupe run} end to end with a team of the real pinned CLIs (Claude Code, Codex, the Gemini CLI), each against
 * its API's stand-in, set up in {@code agents:} profiles as a user would: the executable as {@code command}, config
 * and base URL in {@code env}, the key through {@code key-env}.
 */
class MixedTeamTest {

    /**
     * The key the pom gives the tests' environment: the only one troupe, run in this JVM, can read. A profile's
     * {@code key-env} hands it to each CLI under the variable that CLI reads.
     */
    static final String KEY = System.getenv("ANTHROPIC_API_KEY");

    static Path claude;
    static Path codex;
    static Path gemini;
    @AutoClose
    static final MessagesApiStandIn claudeApi = MessagesApiStandIn.start();
    @AutoClose
    static final ResponsesApiStandIn codexApi = ResponsesApiStandIn.start();
    @AutoClose
    static final GeminiApiStandIn geminiApi = GeminiApiStandIn.start();

    @TempDir
    Path tmp;
    private final List<Path> codexHomes = new ArrayList<>();

    @BeforeAll
    static void start() throws IOException {
        claude = ClaudeCodeTest.installedCli();
        codex = pinned("troupe.codex");
        gemini = pinned("troupe.gemini");
        assertTrue(KEY != null && KEY.startsWith("sk-ant-troupe-standin-"), "the test key comes from the pom");
    }

    @AfterEach
    void deleteCodexHomes() throws IOException {
        for (Path home : codexHomes) {
            CodexHome.delete(home);
        }
    }

    /** A CLI the build installs (mvn verify), at the path surefire is given in {@code property}. */
    private static Path pinned(String property) {
        String installed = System.getProperty(property);
        assertTrue(installed != null && Files.isExecutable(Path.of(installed)),
                "the build (mvn verify) installs the pinned CLI named by " + property + ": " + installed);
        return Path.of(installed).toAbsolutePath();
    }

    // Profiles, as a goal's agents: section names them.

    /** A Claude Code profile whose API is the Messages stand-in's {@code scenario}. */
    private static String claudeProfile(String name, String scenario, MessagesApiStandIn.Script script, String more) {
        return "  " + name + ":\n"
                + "    cli: claude\n"
                + "    key-env: ANTHROPIC_API_KEY\n"
                + more
                + "    env:\n"
                + "      ANTHROPIC_BASE_URL: \"" + claudeApi.baseUrl(scenario, script) + "\"\n";
    }

    /**
     * A Codex profile: its CODEX_HOME (outside the temp dir, see {@link CodexHome}) names the Responses stand-in's
     * {@code scenario} as its provider, which reads its key from CODEX_API_KEY; the CLI tries a request once.
     */
    private String codexProfile(String name, String scenario, ResponsesApiStandIn.Script script, String more)
            throws IOException {
        Path home = CodexHome.newDir();
        codexHomes.add(home);
        CodexHome.write(home, codexApi.baseUrl(scenario, script), 0);
        return "  " + name + ":\n"
                + "    cli: codex\n"
                + "    command: [\"" + codex + "\"]\n"
                + "    key-env: ANTHROPIC_API_KEY\n"
                + more
                + "    env:\n"
                + "      CODEX_HOME: \"" + home + "\"\n";
    }

    /** A Gemini CLI profile: a home of its own with the CLI's settings, its API the stand-in's {@code scenario}. */
    private String geminiProfile(String name, String scenario, GeminiApiStandIn.Script script) throws IOException {
        Path home = GeminiHome.write(tmp.resolve("gemini-home-" + name));
        return "  " + name + ":\n"
                + "    cli: gemini\n"
                + "    command: [\"" + gemini + "\"]\n"
                + "    model: " + GeminiHome.MODEL + "\n"
                + "    key-env: ANTHROPIC_API_KEY\n"
                + "    env:\n"
                + "      HOME: \"" + home + "\"\n"
                + "      GOOGLE_GEMINI_BASE_URL: \"" + geminiApi.baseUrl(scenario, script) + "\"\n";
    }

    /** A profile on each CLI, named for it, that writes its file; each against its stand-in's {@code scenario}. */
    private String aProfilePerCli(String scenario) throws IOException {
        return claudeProfile("claude", scenario, MixedTeamTest::claudeWrites, "")
                + codexProfile("codex", scenario, MixedTeamTest::codexWrites, "")
                + geminiProfile("gemini", scenario, MixedTeamTest::geminiWrites);
    }

    // Scripts: each CLI writes the file its prompt names, by its own tool, then says it is done.

    private static final Pattern FILE_IN_PROMPT = Pattern.compile("(\\S+\\.txt)");

    private static String fileIn(String prompt) {
        Matcher file = FILE_IN_PROMPT.matcher(prompt);
        assertTrue(file.find(), "the prompt names a file: " + prompt);
        return file.group(1);
    }

    private static MessagesApiStandIn.Reply claudeWrites(MessagesApiStandIn.Request request) {
        if (request.turn() > 0) {
            return MessagesApiStandIn.text("Done.");
        }
        String file = fileIn(request.prompt());
        return MessagesApiStandIn.write(request.workingDirectory() + "/" + file, "from claude: " + file + "\n");
    }

    private static ResponsesApiStandIn.Reply codexWrites(ResponsesApiStandIn.Request request) {
        if (!request.outputsSinceLastUserText().isEmpty()) {
            return ResponsesApiStandIn.text("Done.");
        }
        String file = fileIn(request.prompt());
        return ResponsesApiStandIn.writeFile(file, "from codex: " + file + "\n");
    }

    private static GeminiApiStandIn.Reply geminiWrites(GeminiApiStandIn.Request request) {
        if (request.afterToolResult()) {
            return GeminiApiStandIn.text("Done.");
        }
        String file = fileIn(request.userTexts().get(0));
        return GeminiApiStandIn.write(file, "from gemini: " + file + "\n");
    }

    record Run(int exitCode, String out, String err, TestRepo repo, List<JsonNode> events) {

        List<JsonNode> events(String type) {
            return Journals.ofType(events, type);
        }

        List<JsonNode> events(String type, String task) {
            return events(type).stream().filter(e -> task.equals(e.path("task").asText())).toList();
        }

        String integrationBranch() {
            return events("run-started").get(0).path("integrationBranch").asText();
        }

        /** The one event of {@code type} of {@code task}'s attempt {@code attempt}. */
        JsonNode event(String type, String task, int attempt) {
            List<JsonNode> found = events(type, task).stream().filter(e -> e.path("attempt").asInt() == attempt)
                    .toList();
            assertEquals(1, found.size(), type + " of " + task + " attempt " + attempt + ": " + found);
            return found.get(0);
        }
    }

    /**
     * Runs a goal in a new repository: the goal's own {@code agent:} is Claude Code against the Messages stand-in's
     * {@code scenario} (it judges), {@code agents} the profiles.
     */
    private Run run(String scenario, MessagesApiStandIn.Script script, int teamSize, String agents, String limits,
            String tasks) throws IOException {
        TestRepo repo = TestRepo.create(repo(), Map.of("README.md", "hello\n"));
        String yaml = "repo: " + repo.dir() + "\n"
                + "team: {size: " + teamSize + ", stagger: 100ms}\n"
                + ClaudeCodeTest.agentSection(claude, claudeApi.baseUrl(scenario, script))
                + "agents:\n" + agents
                + "limits:\n  task-timeout: 2m\n" + limits
                + "tasks:\n" + tasks;
        Path goal = tmp.resolve("goal.yaml");
        Files.writeString(goal, yaml);
        Invocation troupe = Invocation.troupe("run", goal.toString());
        return new Run(troupe.exitCode(), troupe.out(), troupe.err(), repo, Journals.read(journal(repo.dir())));
    }

    private Path repo() {
        return tmp.resolve("repo");
    }

    /** The journal of the one run in {@code repo}, or null before it starts. */
    private static Path journal(Path repo) {
        try (Stream<Path> runs = Files.list(repo.resolve(".troupe/runs"))) {
            return runs.findFirst().map(run -> run.resolve("events.jsonl")).orElse(null);
        } catch (java.nio.file.NoSuchFileException notYet) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Instant time(JsonNode event) {
        return Instant.parse(event.path("time").asText());
    }

    @Test
    void aGoalWithClaudeCodexAndGeminiTasksMergesEachTaskOnceEachOnItsOwnCli() throws IOException {
        Run run = run("mixed-judge-unused", MixedTeamTest::claudeWrites, 3,
                aProfilePerCli("mixed"),
                "", """
                  - id: by-claude
                    prompt: Create claude.txt
                    agent: claude
                  - id: by-codex
                    prompt: Create codex.txt
                    agent: codex
                  - id: by-gemini
                    prompt: Create gemini.txt
                    agent: gemini
                """);

        assertEquals(0, run.exitCode(), run.err() + run.out());
        String branch = run.integrationBranch();
        assertEquals("from claude: claude.txt", run.repo().show(branch, "claude.txt"));
        assertEquals("from codex: codex.txt", run.repo().show(branch, "codex.txt"));
        assertEquals("from gemini: gemini.txt", run.repo().show(branch, "gemini.txt"));
        assertEquals(List.of("by-claude", "by-codex", "by-gemini"), run.repo().mergedTasks(branch).stream().sorted()
                .toList());
        Map<String, String> cliOf = Map.of("by-claude", "claude", "by-codex", "codex", "by-gemini", "gemini");
        cliOf.forEach((task, cli) -> {
            assertEquals(1, run.events("merge-done", task).size(), task + " merged once");
            JsonNode started = run.event("agent-started", task, 1);
            assertEquals(cli, started.path("cli").asText(), started.toString());
            assertEquals(cli, started.path("profile").asText(), started.toString());
            assertEquals(executableOf(cli), started.path("command").get(0).asText());
        });
        assertEquals(GeminiHome.MODEL, run.event("agent-started", "by-gemini", 1).path("model").asText());
        assertEquals(3, run.events("agent-started").size(), "one attempt each: " + run.events("attempt-failed"));
        // Each CLI authenticated with the key troupe read from key-env, under the variable that CLI reads.
        assertTrue(claudeApi.requests("mixed").stream().allMatch(r -> List.of(KEY).equals(r.headers().get("X-api-key"))));
        List<ResponsesApiStandIn.Request> codexRequests = codexApi.requests("mixed");
        assertEquals(2, codexRequests.size(), "the command, then the answer");
        assertTrue(codexRequests.stream().allMatch(r -> List.of("Bearer " + KEY).equals(r.headers().get("Authorization"))),
                codexRequests.get(0).headers().toString());
        List<GeminiApiStandIn.Request> geminiRequests = geminiApi.requests("mixed");
        assertTrue(geminiRequests.stream().allMatch(r -> List.of(KEY).equals(r.headers().get("X-goog-api-key"))),
                geminiRequests.get(0).headers().toString());
        assertTrue(claudeApi.requests("mixed-judge-unused").isEmpty(), "no task ran on the goal's own agent");
    }

    private static final Pattern VARIANT_DIFF = Pattern.compile("<variant (\\d+)>(.*?)</variant>", Pattern.DOTALL);

    /** The judge: picks the variant whose diff Codex wrote, and says why. */
    private static MessagesApiStandIn.Reply judgePicksCodex(MessagesApiStandIn.Request request) {
        if (!request.prompt().startsWith("Several agents did the same task")) {
            return claudeWrites(request);
        }
        Matcher variant = VARIANT_DIFF.matcher(request.prompt());
        while (variant.find()) {
            if (variant.group(2).contains("+from codex")) {
                return MessagesApiStandIn.structuredOutput(Json.MAPPER.createObjectNode()
                        .put("winner", Integer.parseInt(variant.group(1))).put("reasons", "codex's is the one"));
            }
        }
        return MessagesApiStandIn.structuredOutput(Json.MAPPER.createObjectNode().put("winner", 0)
                .put("reasons", "no variant of codex's in " + request.prompt()));
    }

    @Test
    void aTaskWithAVariantOnEachCliIsJudgedByTheGoalsAgentAndItsWinnerMergesOnce() throws IOException {
        Run run = run("variants-judge", MixedTeamTest::judgePicksCodex, 3,
                aProfilePerCli("variants"),
                "", """
                  - id: a
                    prompt: Create a.txt
                    judge: agent
                    variants:
                      - agent: claude
                      - agent: codex
                      - agent: gemini
                """);

        assertEquals(0, run.exitCode(), run.err() + run.out());
        String branch = run.integrationBranch();
        assertEquals(List.of("a"), run.repo().mergedTasks(branch), "the winner merged once");
        assertEquals("from codex: a.txt", run.repo().show(branch, "a.txt"));
        assertEquals(1, run.events("merge-done").size());
        List<JsonNode> done = run.events("variant-done");
        assertEquals(3, done.size(), done.toString());
        assertTrue(done.stream().allMatch(d -> d.path("passed").asBoolean()), done.toString());
        // Each variant ran on its profile's CLI, on a worker of its own; the judge on the goal's agent, Claude.
        List<JsonNode> writers = run.events("agent-started").stream().filter(e -> !e.has("role")).toList();
        assertEquals(List.of("claude", "codex", "gemini"), writers.stream().map(e -> e.path("cli").asText()).sorted()
                .toList());
        assertEquals(List.of("claude", "codex", "gemini"), writers.stream().map(e -> e.path("profile").asText())
                .sorted().toList());
        assertEquals(3, run.events("task-assigned").stream().map(e -> e.path("worker").asText()).distinct().count());
        JsonNode judge = run.events("agent-started").stream().filter(e -> "judge".equals(e.path("role").asText()))
                .findFirst().orElseThrow(() -> new AssertionError("no judge in " + run.events("agent-started")));
        assertEquals("claude", judge.path("cli").asText());
        assertTrue(judge.path("profile").isMissingNode() || judge.path("profile").isNull(), judge.toString());
        JsonNode chosen = run.events("variant-chosen").get(0);
        assertEquals("agent", chosen.path("by").asText());
        assertEquals("codex's is the one", chosen.path("reasons").asText());
        int codexAttempt = writers.stream().filter(e -> e.path("cli").asText().equals("codex")).findFirst()
                .orElseThrow().path("attempt").asInt();
        assertEquals(codexAttempt, chosen.path("winner").asInt(), chosen.toString());
        MessagesApiStandIn.Request judged = claudeApi.requests("variants-judge").stream()
                .filter(r -> r.prompt().startsWith("Several agents did the same task")).findFirst().orElseThrow();
        assertTrue(judged.prompt().contains("+from claude: a.txt") && judged.prompt().contains("+from gemini: a.txt"),
                "the judge saw every variant's diff: " + judged.prompt());
        assertEquals(3, run.repo().branches("troupe/variants/").size(), "every variant is kept");
    }

    @Test
    void aCodexAttemptThatFailsIsRetriedOnAnotherWorkerAndMergesOnce() throws IOException {
        AtomicReference<String> failingSession = new AtomicReference<>();
        ResponsesApiStandIn.Script firstSessionFails = request -> {
            failingSession.compareAndSet(null, request.sessionId());
            return request.sessionId().equals(failingSession.get()) ? ResponsesApiStandIn.serverError()
                    : codexWrites(request);
        };

        Run run = run("retry-judge-unused", MixedTeamTest::claudeWrites, 2,
                codexProfile("codex", "retry", firstSessionFails, ""), "", """
                  - id: flaky
                    prompt: Create flaky.txt
                    agent: codex
                """);

        assertEquals(0, run.exitCode(), run.err() + run.out());
        assertEquals("from codex: flaky.txt", run.repo().show(run.integrationBranch(), "flaky.txt"));
        assertEquals(List.of("flaky"), run.repo().mergedTasks(run.integrationBranch()));
        assertEquals(1, run.events("merge-done").size(), "merged once");
        String reason = run.event("attempt-failed", "flaky", 1).path("reason").asText();
        // What Codex 0.169.0 says of a 500; it names no status.
        assertTrue(reason.contains("experiencing high demand"), "the CLI's failure is the attempt's reason: " + reason);
        String first = run.event("task-assigned", "flaky", 1).path("worker").asText();
        String second = run.event("task-assigned", "flaky", 2).path("worker").asText();
        assertNotEquals(first, second, "the retry went to another worker");
        JsonNode retried = run.event("agent-started", "flaky", 2);
        assertEquals("codex", retried.path("cli").asText());
        assertEquals("codex", retried.path("profile").asText());
        assertTrue(retried.path("resumed").isMissingNode() || retried.path("resumed").isNull(),
                "a fresh session: " + retried);
        List<ResponsesApiStandIn.Request> requests = codexApi.requests("retry");
        assertEquals(1, requests.stream().filter(r -> r.sessionId().equals(failingSession.get())).count(),
                "stream_max_retries = 0: the failed attempt asked once");
        assertEquals(2, requests.stream().map(ResponsesApiStandIn.Request::sessionId).distinct().count());
        assertTrue(claudeApi.requests("retry-judge-unused").isEmpty());
    }

    /** How long the rate-limited account's API tells its CLI to wait: long enough for the other account's work. */
    private static final int RETRY_AFTER_SECONDS = 10;

    @Test
    void aRateLimitOnOneAccountPausesOnlyThatAccountWhileTheOtherAccountsWorkGoesOn() throws IOException {
        // The limited account's first request for slow.txt is refused once, with a Retry-After its CLI honours.
        MessagesApiStandIn.Script limitedOnce = request -> request.prompt().contains("slow.txt") && request.turn() == 0
                && request.tryOfTurn() == 1
                        ? new MessagesApiStandIn.Reply.Error(429, "rate_limit_error", "Rate limited (stand-in)",
                                RETRY_AFTER_SECONDS)
                        : claudeWrites(request);
        // The other account's first task is answered once the pause is journaled, so that it is done during it.
        ResponsesApiStandIn.Script afterThePause = request -> {
            if (request.prompt().contains("b1.txt") && request.outputsSinceLastUserText().isEmpty()) {
                awaitEvent("team-paused");
            }
            return codexWrites(request);
        };

        Run run = run("limits-judge-unused", MixedTeamTest::claudeWrites, 3,
                claudeProfile("limited", "limited", limitedOnce, "    share: 2\n")
                        + codexProfile("other", "other", afterThePause, "    share: 1\n"),
                "  api-retries: 2\n", """
                  - id: slow
                    prompt: Create slow.txt
                    agent: limited
                  - id: b1
                    prompt: Create b1.txt
                    agent: other
                  - id: b2
                    prompt: Create b2.txt
                    agent: other
                  - id: later
                    prompt: Create later.txt
                    agent: limited
                    after: [b1]
                """);

        assertEquals(0, run.exitCode(), run.err() + run.out());
        List<String> tasks = List.of("b1", "b2", "later", "slow");
        assertEquals(tasks, run.repo().mergedTasks(run.integrationBranch()).stream().sorted().toList());
        tasks.forEach(task -> assertEquals(1, run.events("merge-done", task).size(), task + " merged once"));
        List<JsonNode> pauses = run.events("team-paused");
        assertTrue(!pauses.isEmpty() && pauses.stream().allMatch(p -> "limited".equals(p.path("account").asText())),
                "only the limited account paused: " + pauses);
        JsonNode retry = run.events("agent-retry", "slow").get(0);
        assertEquals(429, retry.path("status").asInt(), retry.toString());
        assertTrue(retry.path("delayMs").asLong() >= (RETRY_AFTER_SECONDS - 1) * 1000L, "Retry-After honoured: " + retry);
        Instant pausedAt = time(pauses.get(0));
        Instant until = Instant.parse(pauses.get(0).path("until").asText());
        // During the pause the other account finished one task and started the next.
        Instant b1Merged = time(run.events("merge-done", "b1").get(0));
        Instant b2Started = time(run.event("agent-started", "b2", 1));
        assertTrue(pausedAt.isBefore(b1Merged) && b1Merged.isBefore(until), "b1 merged during the pause, at "
                + b1Merged + ": " + pauses.get(0));
        assertTrue(pausedAt.isBefore(b2Started) && b2Started.isBefore(until), "b2 started during the pause, at "
                + b2Started + ": " + pauses.get(0));
        // later was ready once b1 merged, and its account had room (a share of 2), but it waited for the pause.
        JsonNode later = run.event("agent-started", "later", 1);
        assertTrue(!time(later).isBefore(until), "later started at " + time(later) + ", before the pause ended: "
                + pauses.get(0));
        assertEquals("limited", later.path("profile").asText());
        assertEquals("claude", later.path("cli").asText());
        assertEquals(1, run.events("agent-started", "slow").size(), "the CLI's own retry went on in its attempt");
        assertEquals(2, claudeApi.requests("limited").stream().filter(r -> r.prompt().contains("slow.txt")
                && r.turn() == 0).count(), "the refused request and its retry");
    }

    /** Blocks a stand-in's answer until the run's journal has an event of {@code type}. */
    private void awaitEvent(String type) {
        try {
            Await.until(() -> {
                Path journal = journal(repo());
                return journal != null && !Journals.ofType(Journals.readLive(journal), type).isEmpty();
            }, "a " + type + " event in the journal");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String executableOf(String cli) {
        return switch (cli) {
            case "codex" -> codex.toString();
            case "gemini" -> gemini.toString();
            default -> claude.toString();
        };
    }
}
