package dev.troupe.cli;

import static dev.troupe.testing.MessagesApiStandIn.bash;
import static dev.troupe.testing.MessagesApiStandIn.text;
import static dev.troupe.testing.MessagesApiStandIn.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.testing.Await;
import dev.troupe.testing.Journals;
import dev.troupe.testing.MessagesApiStandIn;
import dev.troupe.testing.TestRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code troupe tell} reaching a running agent of the real Claude Code CLI (the pinned npm package, against the
 * Messages API stand-in): the message goes in on its stdin and is taken in during its turn, or as a turn of its
 * own, and the task still succeeds once, in one attempt.
 */
class LiveMessagesTest {

    @AutoClose
    static final MessagesApiStandIn api = MessagesApiStandIn.start();
    static Path claude;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws IOException {
        claude = ClaudeCodeTest.installedCli();
    }

    /** A live run of one task, troupe in a process of its own. */
    private record LiveRun(Process troupe, TestRepo repo, Path output) {

        Path runDir() throws IOException {
            try (Stream<Path> runs = Files.list(repo.dir().resolve(".troupe/runs"))) {
                return runs.findFirst().orElseThrow();
            }
        }

        List<JsonNode> events() throws IOException {
            return Journals.readLive(runDir().resolve("events.jsonl"));
        }

        List<JsonNode> events(String type) throws IOException {
            return Journals.ofType(events(), type);
        }

        /** How many events of {@code type} the journal holds so far (none before it exists). */
        int count(String type) {
            try {
                return events(type).size();
            } catch (IOException notYet) {
                return 0;
            }
        }

        Invocation tell(String... args) {
            String[] all = new String[args.length + 3];
            all[0] = "tell";
            all[1] = "-C";
            all[2] = repo.dir().toString();
            System.arraycopy(args, 0, all, 3, args.length);
            return Invocation.troupe(all);
        }

        /** Waits for the run to end; its exit code. */
        int end() throws InterruptedException, IOException {
            assertTrue(troupe.waitFor(120, TimeUnit.SECONDS), "the run ends: " + Files.readString(output));
            return troupe.exitValue();
        }

        String integrationBranch() throws IOException {
            return events("run-started").get(0).path("integrationBranch").asText();
        }
    }

    private LiveRun start(String scenario, MessagesApiStandIn.Script script, String prompt) throws Exception {
        return start(scenario, script, 1, "  - id: a\n    prompt: " + prompt + "\n");
    }

    /** @param tasks the goal's {@code tasks:} */
    private LiveRun start(String scenario, MessagesApiStandIn.Script script, int team, String tasks) throws Exception {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hello\n"));
        Path goal = tmp.resolve("goal.yaml");
        Files.writeString(goal, "repo: " + repo.dir() + "\n"
                + "team: {size: " + team + ", stagger: 0ms}\n"
                + ClaudeCodeTest.agentSection(claude, api.baseUrl(scenario, script))
                + "limits: {task-timeout: 2m, idle-timeout: 60s}\n"
                + "tasks:\n" + tasks);
        Path output = tmp.resolve("run.out");
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        Process troupe = new ProcessBuilder(javaBin.toString(), "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "run", goal.toString())
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        LiveRun run = new LiveRun(troupe, repo, output);
        Await.until(() -> Files.isDirectory(repo.dir().resolve(".troupe/runs")), "the run has begun");
        return run;
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(" + e.getMessage() + ")";
        }
    }

    private static boolean holds(MessagesApiStandIn.Request request, String text) {
        return request.body().toString().contains(text);
    }

    @Test
    void aMessageSentWhileAToolRunsIsInTheVeryNextRequestAndCarriedOutInTheSameAttempt() throws Exception {
        String scenario = "live-during-tool";
        String message = "Also write extra.txt, please.";
        LiveRun run = start(scenario, request -> {
            if (request.turn() == 0) {
                return bash("echo start; sleep 6; echo end");
            }
            if (request.turn() == 1 && holds(request, message)) {
                return write(request.workingDirectory() + "/extra.txt", "also\n");
            }
            return text("Done.");
        }, "Run the long command.");
        try {
            Await.until(() -> api.requests(scenario).size() == 1, "the agent's first request, a tool call, is answered");

            Invocation told = run.tell("a", message);

            assertEquals(0, told.exitCode(), told.err());
            assertTrue(told.out().contains("delivered to its agent on worker-1 (attempt 1), which took it in during its"
                    + " current turn"), told.out());
            assertEquals(0, run.end(), Files.readString(run.output()));
        } finally {
            run.troupe().destroyForcibly();
        }
        List<MessagesApiStandIn.Request> requests = api.requests(scenario);
        assertTrue(holds(requests.get(1), message), "the request after the tool call holds the message");
        assertEquals(1, run.events("agent-started").size(), "one attempt");
        List<JsonNode> delivered = run.events("message-delivered");
        assertEquals(1, delivered.size());
        assertEquals(false, delivered.get(0).path("ownTurn").asBoolean());
        assertEquals("also", run.repo().show(run.integrationBranch(), "extra.txt").strip());
        assertEquals(List.of("a"), run.repo().mergedTasks(run.integrationBranch()), "merged once");
        Invocation report = Invocation.troupe("report", "-C", run.repo().dir().toString());
        assertEquals(0, report.exitCode(), report.err());
        assertTrue(Files.readString(run.runDir().resolve("report.html"))
                .contains("told while it ran, and taken in then</span>" + message), "the transcript shows it");
    }

    /** Waits, in the stand-in's thread, until the run has journaled {@code count} messages told. */
    private static void awaitTold(java.util.concurrent.atomic.AtomicReference<LiveRun> run, int count) {
        try {
            Await.until(() -> run.get() != null && run.get().count("task-told") >= count, count + " message(s) told");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aMessageThatComesAfterTheLastToolCallIsAnsweredAsATurnOfItsOwnAndTheTaskSucceedsOnce() throws Exception {
        String scenario = "live-own-turn";
        java.util.concurrent.atomic.AtomicReference<LiveRun> live = new java.util.concurrent.atomic.AtomicReference<>();
        LiveRun run = start(scenario, MessagesApiStandIn.obeying(request -> {
            if (request.heard().isEmpty()) {
                // The turn's last reply, plain text, waits for the message: it comes after the turn's last tool call.
                awaitTold(live, 1);
                return text("Hello.");
            }
            return text("Done.");
        }), "Say hello.");
        live.set(run);
        try {
            Await.until(() -> api.requests(scenario).size() == 1, "the agent's request is under way");
            Invocation told = run.tell("a", "write later.txt \"later\"");

            assertEquals(0, told.exitCode(), told.err());
            assertTrue(told.out().contains("which took it in as a turn of its own"), told.out());
            assertEquals(0, run.end(), Files.readString(run.output()));
        } finally {
            run.troupe().destroyForcibly();
        }
        assertEquals(1, run.events("agent-started").size(), "one attempt");
        assertEquals(1, run.events("task-succeeded").size(), "it succeeded once");
        List<JsonNode> results = run.events("agent-output").stream()
                .filter(e -> e.path("line").path("type").asText().equals("result")).toList();
        assertEquals(2, results.size(), "two turns, each with its result");
        assertEquals(true, run.events("message-delivered").get(0).path("ownTurn").asBoolean());
        assertEquals("later", run.repo().show(run.integrationBranch(), "later.txt").strip());
        assertEquals(List.of("a"), run.repo().mergedTasks(run.integrationBranch()), "merged once");
    }

    @Test
    void twoMessagesArriveInTheOrderTheyWereToldAndIntactWhateverTheyHold() throws Exception {
        String scenario = "live-two-in-order";
        String first = "First: mind the \"quotes\",\nthe new lines\tand tabs, ünïcødé ✓ and a \\ backslash.";
        String second = "Second: then stop.";
        LiveRun run = start(scenario, request -> request.turn() == 0 ? bash("echo start; sleep 7; echo end") : text("Done."),
                "Run the long command.");
        try {
            Await.until(() -> api.requests(scenario).size() == 1, "the agent's first request, a tool call, is answered");
            java.util.concurrent.CompletableFuture<Invocation> toldFirst =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> run.tell("a", first));
            Await.until(() -> run.count("task-told") == 1, "the first message is told");
            Invocation toldSecond = run.tell("a", second);

            assertTrue(toldFirst.get(60, TimeUnit.SECONDS).out().contains("during its current turn"));
            assertTrue(toldSecond.out().contains("during its current turn"), toldSecond.out());
            assertEquals(0, run.end(), Files.readString(run.output()));
        } finally {
            run.troupe().destroyForcibly();
        }
        assertEquals(List.of(first.strip(), second), api.requests(scenario).get(1).heard(),
                "both in the very next request, in order, as written");
        assertEquals(1, run.events("agent-started").size(), "one attempt");
    }

    @Test
    void anInterruptRedirectsTheAgentWithoutFailingItsAttempt() throws Exception {
        String scenario = "live-redirect";
        LiveRun run = start(scenario, MessagesApiStandIn.obeying(request -> request.heard().isEmpty()
                ? bash("echo start; sleep 60; echo end") : text("Done.")), "Run the very long command.");
        try {
            Await.until(() -> api.requests(scenario).size() == 1, "the agent's first request, a tool call, is answered");

            Invocation told = run.tell("--interrupt", "a", "Stop that; write other.txt \"instead\"");

            assertEquals(0, told.exitCode(), told.err());
            assertTrue(told.out().contains("which took it in as a turn of its own"), told.out());
            assertEquals(0, run.end(), Files.readString(run.output()));
        } finally {
            run.troupe().destroyForcibly();
        }
        assertEquals(1, run.events("agent-started").size(), "one attempt");
        assertEquals(0, run.events("attempt-failed").size(), "the cut-short turn is no failure");
        assertTrue(run.events("task-told").get(0).path("redirect").asBoolean());
        assertTrue(run.events("agent-output").stream().anyMatch(e -> e.path("line").path("type").asText()
                .equals("result") && e.path("line").path("subtype").asText().equals("error_during_execution")),
                "the long command's turn was cut short");
        assertEquals("instead", run.repo().show(run.integrationBranch(), "other.txt").strip());
        assertEquals(List.of("a"), run.repo().mergedTasks(run.integrationBranch()), "merged once");
    }

    @Test
    void aMessageInFlightWhenTroupeIsKilledIsNotLostAndResumeMergesTheTaskOnce() throws Exception {
        String scenario = "live-kill";
        String message = "Also write extra.txt, please.";
        LiveRun run = start(scenario, request -> {
            if (request.turn() > 0) {
                return text("Done.");
            }
            return request.prompt().contains(message) ? write(request.workingDirectory() + "/extra.txt", "also\n")
                    : bash("echo start; sleep 30; echo end");
        }, "Run the long command.");
        java.util.concurrent.CompletableFuture<Invocation> told;
        try {
            Await.until(() -> api.requests(scenario).size() == 1, "the agent's first request, a tool call, is answered");
            told = java.util.concurrent.CompletableFuture.supplyAsync(() -> run.tell("a", message));
            Await.until(() -> told.isDone() || run.count("task-told") == 1, "the message is journaled");
            assertEquals(1, run.events("task-told").size(), () -> "told: " + told.join() + "\n"
                    + readQuietly(run.output()));
        } finally {
            run.troupe().destroyForcibly();
        }
        run.troupe().waitFor(30, TimeUnit.SECONDS);
        told.get(60, TimeUnit.SECONDS);

        Invocation resumed = Invocation.troupe("resume", "-C", run.repo().dir().toString());

        assertEquals(0, resumed.exitCode(), resumed.out() + resumed.err());
        assertEquals("also", run.repo().show(run.integrationBranch(), "extra.txt").strip(),
                "the attempt resume started was told the message");
        assertEquals(List.of("a"), run.repo().mergedTasks(run.integrationBranch()), "merged once");
    }

    @Test
    void aTaskThatHearsFromAnotherIsToldItsReportWhileItWorksWhenThatOneMerges() throws Exception {
        String scenario = "live-hears";
        LiveRun run = start(scenario, request -> {
            if (request.prompt().startsWith("Write the api")) {
                return request.turn() == 0 ? write(request.workingDirectory() + "/api.txt", "GET /hello\n")
                        : text("The api serves GET /hello.");
            }
            if (request.turn() == 0) {
                return bash("echo start; sleep 12; echo end");
            }
            return request.heard().stream().anyMatch(said -> said.contains("task api, which this task hears from, has"
                    + " just merged")) && request.turn() == 1
                    ? write(request.workingDirectory() + "/ui.txt", "calls GET /hello\n") : text("Done.");
        }, 2, "  - id: ui\n    hears: [api]\n    prompt: Build the ui.\n"
                + "  - id: api\n    prompt: Write the api.\n");
        try {
            Await.until(() -> run.count("merge-done") == 1, "api merged, while ui works");
            Invocation late = run.tell("api", "Also write docs.");

            assertEquals(ExitCodes.BAD_INPUT, late.exitCode(), late.out());
            assertTrue(late.err().contains("task 'api' is merged already; nothing more runs for it to be told"),
                    late.err());
            assertEquals(0, run.end(), Files.readString(run.output()));
        } finally {
            run.troupe().destroyForcibly();
        }
        List<JsonNode> told = run.events("task-told");
        assertEquals(1, told.size(), "ui is told once: " + told);
        assertEquals("api", told.get(0).path("from").asText());
        assertTrue(told.get(0).path("message").asText().contains("The api serves GET /hello."), "api's report");
        assertTrue(told.get(0).path("message").asText().contains("api.txt"), "the files it changed");
        assertEquals(List.of("ui"), run.events("message-delivered").stream().map(e -> e.path("task").asText()).toList());
        assertEquals(1, run.events("agent-started").stream().filter(e -> e.path("task").asText().equals("ui")).count(),
                "ui heard it in its one attempt");
        assertEquals("calls GET /hello", run.repo().show(run.integrationBranch(), "ui.txt").strip());
        assertEquals(List.of("api", "ui"), run.repo().mergedTasks(run.integrationBranch()), "each merged once");
    }
}
