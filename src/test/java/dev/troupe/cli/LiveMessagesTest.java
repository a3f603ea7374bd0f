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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code troupe tell} reaching a running agent of the real Claude Code CLI (the pinned npm package, against the
 * Messages API stand-in): the message goes in on its stdin and is taken in during its turn, or as a turn of its
 * own, and the task still succeeds once, in one attempt.
 */
class LiveMessagesTest {

    static MessagesApiStandIn api;
    static Path claude;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws IOException {
        String installed = System.getProperty("troupe.claude");
        assertTrue(installed != null && Files.isExecutable(Path.of(installed)),
                "the Claude Code CLI is installed by the build (mvn verify) into target/claude-code: " + installed);
        claude = Path.of(installed);
        api = MessagesApiStandIn.start();
    }

    @AfterAll
    static void stop() {
        api.close();
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
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hello\n"));
        Path goal = tmp.resolve("goal.yaml");
        Files.writeString(goal, "repo: " + repo.dir() + "\n"
                + "team: {size: 1, stagger: 0ms}\n"
                + "agent:\n"
                + "  command: [\"" + claude + "\"]\n"
                + "  isolate-config: true\n"
                + "  permission-mode: acceptEdits\n"
                + "  allowed-tools: [Read, Write, Edit, Bash]\n"
                + "  env:\n"
                + "    ANTHROPIC_BASE_URL: \"" + api.baseUrl(scenario, script) + "\"\n"
                + "    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: \"1\"\n"
                + "    DISABLE_AUTOUPDATER: \"1\"\n"
                + "limits: {task-timeout: 2m, idle-timeout: 60s}\n"
                + "tasks:\n  - id: a\n    prompt: " + prompt + "\n");
        Path output = tmp.resolve("run.out");
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        Process troupe = new ProcessBuilder(javaBin.toString(), "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "run", goal.toString())
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        LiveRun run = new LiveRun(troupe, repo, output);
        Await.until(() -> Files.isDirectory(repo.dir().resolve(".troupe/runs")), "the run has begun");
        return run;
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
                return bash("sleep 4");
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
    }
}
