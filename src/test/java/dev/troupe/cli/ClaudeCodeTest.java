package dev.troupe.cli;

import static dev.troupe.testing.MessagesApiStandIn.bash;
import static dev.troupe.testing.MessagesApiStandIn.text;
import static dev.troupe.testing.MessagesApiStandIn.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.journal.Json;
import dev.troupe.testing.Journals;
import dev.troupe.testing.MessagesApiStandIn;
import dev.troupe.testing.MessagesApiStandIn.Reply;
import dev.troupe.testing.TestRepo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * troupe driving the real Claude Code CLI (the pinned npm package, installed by the build), against the
 * Messages API stand-in on 127.0.0.1. Every test runs {@code troupe run} end to end.
 */
class ClaudeCodeTest {

    static final String KEY = System.getenv("ANTHROPIC_API_KEY");

    static MessagesApiStandIn api;
    static Path claude;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws IOException {
        claude = installedCli();
        assertTrue(KEY != null && KEY.startsWith("sk-ant-troupe-standin-"), "the test key comes from the pom");
        api = MessagesApiStandIn.start();
    }

    /**
     * A goal's {@code agent:} for the real CLI at {@code claude}, its API the stand-in at {@code baseUrl}; more
     * {@code agent.env} entries may follow it.
     */
    static String agentSection(Path claude, String baseUrl) {
        return "agent:\n"
                + "  command: [\"" + claude + "\"]\n"
                + "  isolate-config: true\n"
                + "  permission-mode: acceptEdits\n"
                + "  allowed-tools: [Read, Write, Edit, Bash]\n"
                + "  env:\n"
                + "    HOME: \"" + agentHome() + "\"\n"
                + "    ANTHROPIC_BASE_URL: \"" + baseUrl + "\"\n"
                + "    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: \"1\"\n"
                + "    DISABLE_AUTOUPDATER: \"1\"\n";
    }

    /**
     * An empty home for the agents: the CLI's Bash tool runs the user's shell config from the home, and the
     * developer's (a pyenv whose rehash waits a minute on a lock a killed shell left) must not decide how long a
     * tool call takes.
     */
    static Path agentHome() {
        Path home = Path.of("target", "agent-home").toAbsolutePath();
        try {
            Files.createDirectories(home);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return home;
    }

    /** The pinned Claude Code CLI, which the build (mvn verify) installs into target/claude-code. */
    static Path installedCli() {
        String installed = System.getProperty("troupe.claude");
        assertTrue(installed != null && Files.isExecutable(Path.of(installed)),
                "the Claude Code CLI is installed by the build (mvn verify) into target/claude-code: " + installed);
        return Path.of(installed);
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    record Run(int exitCode, String out, String err, TestRepo repo, List<JsonNode> events) {

        List<JsonNode> events(String type) {
            return Journals.ofType(events, type);
        }

        String integrationBranch() {
            return events("run-started").get(0).path("integrationBranch").asText();
        }

        Path runDir() {
            return repo.dir().resolve(".troupe/runs/" + events("run-started").get(0).path("run").asText());
        }
    }

    private Run run(String scenario, MessagesApiStandIn.Script script, String limits, String tasks) throws IOException {
        return run(scenario, script, "", limits, tasks);
    }

    /** Runs a goal with the real CLI, its API calls answered by {@code script}; {@code env} is more agent.env. */
    private Run run(String scenario, MessagesApiStandIn.Script script, String env, String limits, String tasks)
            throws IOException {
        return runGoal(scenario, script, env, limits, "tasks:\n" + tasks);
    }

    /** @param work the goal's {@code tasks:}, or its {@code goal:} text for the planner */
    private Run runGoal(String scenario, MessagesApiStandIn.Script script, String env, String limits, String work)
            throws IOException {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hello\n"));
        String yaml = "repo: " + repo.dir() + "\n"
                + "team: {size: 3, stagger: 100ms}\n"
                + agentSection(claude, api.baseUrl(scenario, script))
                + env
                + "limits:\n" + limits
                + work;
        Path goal = tmp.resolve("goal.yaml");
        Files.writeString(goal, yaml);
        Invocation troupe = Invocation.troupe("run", goal.toString());
        List<JsonNode> events;
        try (Stream<Path> runs = Files.list(repo.dir().resolve(".troupe/runs"))) {
            events = Journals.read(runs.findFirst().orElseThrow().resolve("events.jsonl"));
        }
        return new Run(troupe.exitCode(), troupe.out(), troupe.err(), repo, events);
    }

    private static final Pattern FILE_IN_PROMPT = Pattern.compile("(\\S+\\.txt)");

    /** Writes the file the prompt names (in the agent's working directory), then says it is done. */
    private static Reply writeWhatThePromptNames(MessagesApiStandIn.Request request) {
        if (request.turn() > 0) {
            return text("Done.");
        }
        Matcher file = FILE_IN_PROMPT.matcher(request.prompt());
        assertTrue(file.find(), "the prompt names a file: " + request.prompt());
        return write(request.workingDirectory() + "/" + file.group(1), "written by " + file.group(1) + "\n");
    }

    @Test
    void aRealPlannerAndARealReviewerAnswerWithStructuredOutputInPlanMode() throws IOException {
        ObjectNode plan = Json.MAPPER.createObjectNode();
        plan.putArray("tasks").add(Json.MAPPER.createObjectNode().put("id", "a").put("prompt", "Create a.txt"))
                .add(Json.MAPPER.createObjectNode().put("id", "b").put("prompt", "Create b.txt").put("review", true)
                        .set("after", Json.MAPPER.createArrayNode().add("a")));
        MessagesApiStandIn.Script script = request -> {
            if (request.prompt().contains("<goal>")) {
                return MessagesApiStandIn.structuredOutput(plan);
            }
            if (request.prompt().startsWith("You are reviewing")) {
                return MessagesApiStandIn.structuredOutput(Json.MAPPER.createObjectNode().put("verdict", "approve")
                        .put("comments", "b.txt is there"));
            }
            return writeWhatThePromptNames(request);
        };

        Run run = runGoal("plan", script, "", "  task-timeout: 2m\n", "goal: Create a.txt, then b.txt.\n");

        assertEquals(0, run.exitCode(), run.err() + run.out());
        assertEquals(List.of("a", "b"), run.repo().mergedTasks(run.integrationBranch()));
        assertEquals(List.of("a", "b"), Json.MAPPER.convertValue(run.events("plan-made").get(0).path("tasks"), List.class));
        JsonNode review = run.events("review-done").get(0);
        assertTrue(review.path("approved").asBoolean(), review.toString());
        assertEquals("b.txt is there", review.path("comments").asText());
        // The planner and the reviewer ran in plan mode, offered the StructuredOutput tool by the CLI.
        List<MessagesApiStandIn.Request> answering = api.requests("plan").stream()
                .filter(r -> r.prompt().contains("<goal>") || r.prompt().startsWith("You are reviewing")).toList();
        assertEquals(2, answering.size());
        for (MessagesApiStandIn.Request request : answering) {
            assertTrue(request.body().path("tools").findValuesAsText("name").contains("StructuredOutput"),
                    "offered the answer tool: " + request.body().path("tools").findValuesAsText("name"));
        }
        assertTrue(run.events("agent-started").stream().filter(e -> e.has("role"))
                .allMatch(e -> e.path("command").toString().contains("\"--permission-mode\",\"plan\"")));
    }

    @Test
    void aRealPlannerPlansInRoundsReadsTheResultsAndSaysTheGoalIsMet() throws IOException {
        MessagesApiStandIn.Script script = request -> {
            String prompt = request.prompt();
            if (prompt.contains("this is round 1 of at most 3")) {
                ObjectNode first = Json.MAPPER.createObjectNode().put("met", false).put("summary", "a.txt first");
                first.putArray("tasks").add(Json.MAPPER.createObjectNode().put("id", "a").put("prompt", "Create a.txt"));
                return MessagesApiStandIn.structuredOutput(first);
            }
            if (prompt.contains("this is round 2 of at most 3")) {
                boolean sawResults = prompt.contains("- a: merged.") && prompt.contains("a.txt | 1 +");
                return MessagesApiStandIn.structuredOutput(Json.MAPPER.createObjectNode().put("met", sawResults)
                        .put("summary", sawResults ? "a.txt is there" : "the results were missing").set("tasks",
                                Json.MAPPER.createArrayNode()));
            }
            return writeWhatThePromptNames(request);
        };

        Run run = runGoal("rounds", script, "", "  task-timeout: 2m\n",
                "plan: {rounds: 3}\ngoal: Create a.txt, in rounds.\n");

        assertEquals(0, run.exitCode(), run.err() + run.out());
        assertEquals(List.of("a"), run.repo().mergedTasks(run.integrationBranch()));
        assertEquals(List.of(1, 2), run.events("plan-started").stream().map(e -> e.path("round").asInt()).toList());
        JsonNode met = run.events("goal-met").get(0);
        assertEquals("a.txt is there", met.path("summary").asText(), "the second planner read a's result and the diff stat");
        assertEquals(1, met.path("round").asInt());
        // Both planner runs were offered the rounds' answer: met, summary and tasks.
        for (MessagesApiStandIn.Request request : api.requests("rounds").stream()
                .filter(r -> r.prompt().contains("<goal>")).toList()) {
            assertTrue(request.body().toString().contains("\"met\""), "the schema of a round's answer");
        }
    }

    @Test
    void aRealJudgeComparesTwoVariantsReadOnlyAndItsChoiceMergesOnce() throws IOException {
        MessagesApiStandIn.Script script = request -> {
            if (request.prompt().startsWith("Several agents did the same task")) {
                return MessagesApiStandIn.structuredOutput(Json.MAPPER.createObjectNode().put("winner", 2)
                        .put("reasons", "variant 2 kept it small"));
            }
            return writeWhatThePromptNames(request);
        };

        Run run = run("variants", script, "  task-timeout: 2m\n", """
                  - id: a
                    prompt: Create a.txt
                    variants:
                      - model: sonnet
                      - append-system-prompt: Prefer the smallest change.
                """);

        assertEquals(0, run.exitCode(), run.err() + run.out());
        assertEquals(List.of("a"), run.repo().mergedTasks(run.integrationBranch()), "the winner merged once");
        JsonNode chosen = run.events("variant-chosen").get(0);
        assertEquals("agent", chosen.path("by").asText());
        assertEquals(2, chosen.path("winner").asInt());
        assertEquals("variant 2 kept it small", chosen.path("reasons").asText());
        List<MessagesApiStandIn.Request> requests = api.requests("variants");
        MessagesApiStandIn.Request judge = requests.stream()
                .filter(r -> r.prompt().startsWith("Several agents did the same task")).findFirst().orElseThrow();
        assertTrue(judge.prompt().contains("<variant 1>") && judge.prompt().contains("<variant 2>")
                && judge.prompt().contains("+written by a.txt"), "the judge sees both diffs: " + judge.prompt());
        assertTrue(judge.body().path("tools").findValuesAsText("name").contains("StructuredOutput"));
        assertTrue(run.events("agent-started").stream().filter(e -> "judge".equals(e.path("role").asText()))
                .allMatch(e -> e.path("command").toString().contains("\"--permission-mode\",\"plan\"")));
        assertTrue(requests.stream().anyMatch(r -> r.model().contains("sonnet")), "variant 1 ran on its model");
        assertTrue(requests.stream().anyMatch(r -> r.body().path("system").toString()
                .contains("Prefer the smallest change.")), "variant 2 was told its suffix");
        assertEquals(2, run.repo().branches("troupe/variants/").size(), "both variants are kept");
    }

    private static boolean anyProcessRuns(String marker) {
        return ProcessHandle.allProcesses().anyMatch(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false));
    }

    @Test
    void aRetryAfterAFailedCheckResumesTheAgentsSessionWhichTheApiSeesWithItsEarlierTurns() throws IOException {
        Path checked = tmp.resolve("checked");
        MessagesApiStandIn.Script script = request -> {
            String said = request.lastUserText();
            if (said.isEmpty()) {
                return text("Done.");
            }
            String content = said.contains("did not make it into the integration branch") ? "second\n" : "first\n";
            return write(request.workingDirectory() + "/a.txt", content);
        };

        Run run = runGoal("resume", script, "", "  task-timeout: 2m\n",
                "sync:\n  check: \"test -e " + checked + " || { touch " + checked + "; echo 'a.txt needs a second look';"
                        + " exit 1; }\"\ntasks:\n  - id: a\n    prompt: Create a.txt\n");

        assertEquals(0, run.exitCode(), run.err() + run.out());
        assertEquals("second", run.repo().show(run.integrationBranch(), "a.txt"));
        List<JsonNode> started = run.events("agent-started");
        assertEquals(2, started.size());
        String first = started.get(0).path("sessionId").asText();
        String second = started.get(1).path("sessionId").asText();
        assertEquals(first, started.get(1).path("resumed").asText(), "the retry resumed the first session");
        assertTrue(started.get(1).path("command").toString().contains("\"--resume\",\"" + first + "\",\"--fork-session\""));
        MessagesApiStandIn.Request resumed = api.requests("resume").stream()
                .filter(r -> r.sessionId().equals(second)).findFirst().orElseThrow();
        // The API sees the whole conversation: the task's prompt, the agent's Write, its result, then troupe's word.
        assertTrue(resumed.prompt().contains("Create a.txt"), resumed.prompt());
        assertTrue(resumed.body().path("messages").toString().contains("\"name\":\"Write\""), "the earlier tool call");
        assertTrue(resumed.turn() >= 2, "earlier assistant turns: " + resumed.turn());
        assertTrue(resumed.lastUserText().contains("the check failed on the merged result")
                && resumed.lastUserText().contains("a.txt needs a second look"), resumed.lastUserText());
    }

    @Test
    void threeRealAgentsWriteTheirFilesThroughTheWriteToolAndAllMerge() throws IOException {
        Run run = run("three", ClaudeCodeTest::writeWhatThePromptNames, "  task-timeout: 2m\n", """
                  - id: a
                    prompt: Create a.txt
                  - id: b
                    prompt: Create b.txt
                  - id: c
                    prompt: Create c.txt
                """);

        assertEquals(0, run.exitCode(), run.err());
        String branch = run.integrationBranch();
        assertEquals("written by b.txt", run.repo().show(branch, "b.txt"));
        assertEquals(List.of("a", "b", "c"), run.repo().mergedTasks(branch).stream().sorted().toList());
        for (JsonNode succeeded : run.events("task-succeeded")) {
            // Two API calls of 10 input and 5 output tokens each, at the default model's price.
            assertEquals(0.00028, succeeded.path("costUsd").asDouble(), 1e-9);
            assertEquals(20, succeeded.path("usage").path("inputTokens").asLong());
            assertEquals(10, succeeded.path("usage").path("outputTokens").asLong());
            assertEquals(List.of(succeeded.path("task").asText() + ".txt"),
                    List.of(succeeded.path("filesChanged").get(0).asText()));
        }
        assertTrue(run.out().contains("Spent $0.0008, 90 tokens."), run.out());
        assertTrue(run.out().contains("$0.0003"), "per-task cost in the summary: " + run.out());
        // The CLI authenticated with the key from the environment, in the session troupe gave it.
        List<MessagesApiStandIn.Request> requests = api.requests("three");
        assertEquals(6, requests.size());
        assertTrue(requests.stream().allMatch(r -> List.of(KEY).equals(r.headers().get("X-api-key"))));
        List<String> sessions = run.events("agent-started").stream().map(e -> e.path("sessionId").asText()).sorted().toList();
        assertEquals(sessions, requests.stream().map(MessagesApiStandIn.Request::sessionId).distinct().sorted().toList());
    }

    @Test
    void aPromptThatStartsWithADashReachesTheAgentAsAPrompt() throws IOException {
        Run run = run("dash", ClaudeCodeTest::writeWhatThePromptNames, "", """
                  - id: listed
                    prompt: |
                      - Create dash.txt
                      - and nothing else
                """);

        assertEquals(0, run.exitCode(), run.err());
        assertEquals("written by dash.txt", run.repo().show(run.integrationBranch(), "dash.txt"));
    }

    @Test
    void theFirstResultEndsTheTaskThoughTheAgentWouldLingerForItsBackgroundCommand() throws IOException {
        String marker = "987654";
        Run run = run("linger", request -> request.turn() == 0
                        ? bash("echo start; sleep " + marker + "; echo end")
                        : text("Done; the command goes on in the background."),
                // The Bash tool moves a command to the background after this long; the CLI then lingers for minutes.
                "    BASH_DEFAULT_TIMEOUT_MS: \"2000\"\n",
                "  task-timeout: 90s\n  idle-timeout: 60s\n", """
                  - id: background
                    prompt: Start the long command.
                """);

        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.events("agent-output").stream().anyMatch(e -> e.path("line").toString().contains("moved to the background")),
                "the CLI reported its result with the command still running in the background");
        assertEquals(List.of("background"), run.repo().mergedTasks(run.integrationBranch()));
        assertFalse(anyProcessRuns("sleep " + marker), "the background command died with the agent");
        long pid = run.events("agent-started").get(0).path("pid").asLong();
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    }

    @Test
    void aTaskTimeoutKillsTheAgentAndTheBashCommandInItsOwnProcessGroup() throws IOException {
        String marker = "876543";
        Run run = run("timeout", request -> request.turn() == 0
                        ? bash("echo start; sleep " + marker + "; echo end")
                        : text("Finished."),
                "  task-timeout: 6s\n  idle-timeout: 60s\n  attempts: 1\n", """
                  - id: stuck
                    prompt: Run the long command.
                """);

        assertEquals(1, run.exitCode());
        assertTrue(run.events("task-failed").get(0).path("reason").asText().startsWith("timeout"), run.err());
        assertFalse(anyProcessRuns("sleep " + marker), "no descendant of the agent survives");
    }

    @Test
    void anApiErrorIsAFailedAttemptWithTheStatusInTheJournal() throws IOException {
        Run run = run("error500", request -> new Reply.Error(500, "api_error", "Internal server error", 0),
                "  api-retries: 0\n  attempts: 1\n", """
                  - id: unlucky
                    prompt: Say hello.
                """);

        assertEquals(1, run.exitCode());
        String reason = run.events("task-failed").get(0).path("reason").asText();
        assertTrue(reason.contains("API status 500"), reason);
        assertEquals(1, api.requests("error500").size(), "api-retries: 0 reaches the CLI");
    }

    @Test
    void rateLimitsAndOverloadAreSurfacedAsRetryEventsAndTheWorkStillMerges() throws IOException {
        Run run = run("retry", request -> {
            if (request.turn() == 0 && request.tryOfTurn() == 1) {
                return request.prompt().contains("rate")
                        ? new Reply.Error(429, "rate_limit_error", "Number of request tokens has exceeded your rate limit", 1)
                        : new Reply.Error(529, "overloaded_error", "Overloaded", 0);
            }
            return writeWhatThePromptNames(request);
        }, "  api-retries: 2\n", """
                  - id: rate
                    prompt: Create rate.txt
                  - id: busy
                    prompt: Create busy.txt
                """);

        assertEquals(0, run.exitCode(), run.err());
        List<JsonNode> retries = run.events("agent-retry");
        assertEquals(2, retries.size(), retries.toString());
        JsonNode rate = retries.stream().filter(r -> r.path("task").asText().equals("rate")).findFirst().orElseThrow();
        assertEquals("rate_limit", rate.path("error").asText());
        assertEquals(429, rate.path("status").asInt());
        assertEquals(2, rate.path("maxRetries").asInt(), "api-retries reaches the CLI");
        JsonNode busy = retries.stream().filter(r -> r.path("task").asText().equals("busy")).findFirst().orElseThrow();
        assertEquals("overloaded", busy.path("error").asText());
        assertTrue(run.err().contains("[rate] API rate_limit (429): the agent retries in"), run.err());
    }

    @Test
    void eachWorkerHasItsOwnConfigAndTempDirAndTheKeyIsWrittenNowhere() throws IOException {
        Run run = run("isolation", ClaudeCodeTest::writeWhatThePromptNames, "", """
                  - id: only
                    prompt: Create only.txt
                """);

        assertEquals(0, run.exitCode(), run.err());
        Path config = run.runDir().resolve("config/worker-1");
        Path temp = run.runDir().resolve("tmp/worker-1");
        try (Stream<Path> files = Files.walk(config)) {
            assertTrue(files.anyMatch(p -> p.toString().endsWith(".jsonl")), "the CLI's transcript is in the worker's config dir");
        }
        try (Stream<Path> files = Files.list(temp)) {
            assertTrue(files.findAny().isPresent(), "the CLI used the worker's temp dir");
        }
        try (Stream<Path> files = Files.walk(run.repo().dir().resolve(".troupe"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                assertFalse(content.contains(KEY), "the API key is in " + file);
                assertFalse(content.contains(KEY.substring(KEY.length() - 16)), "part of the API key is in " + file);
            }
        }
    }

    @Test
    void aHungApiIsCaughtByTheIdleWatchdog() throws IOException {
        Run run = run("hang", request -> new Reply.Hang(), "  idle-timeout: 3s\n  api-timeout: 60s\n  attempts: 1\n", """
                  - id: waits
                    prompt: Say hello.
                """);

        assertEquals(1, run.exitCode());
        assertEquals("idle: no output for 3.0s", run.events("task-failed").get(0).path("reason").asText());
    }
}
