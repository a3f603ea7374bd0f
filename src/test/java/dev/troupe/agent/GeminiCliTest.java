package dev.troupe.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.troupe.testing.GeminiApiStandIn;
import dev.troupe.testing.GeminiHome;
import dev.troupe.testing.GeminiRun;
import dev.troupe.testing.TestRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pinned Gemini CLI run as troupe runs it ({@link GeminiKind}'s command line and environment, stdin closed, a
 * home of its own) in a fresh git repository against the {@link GeminiApiStandIn}: what it does under each permission
 * mode, and that the reader makes the right result of what it prints.
 */
class GeminiCliTest {

    @AutoClose
    private static final GeminiApiStandIn api = GeminiApiStandIn.start();

    @TempDir
    Path tmp;

    private static AgentCall call(String prompt, String permissionMode, List<String> allowedTools,
            Optional<String> resume, String sessionId) {
        return new AgentCall(prompt, Optional.of(GeminiHome.MODEL), permissionMode, allowedTools, Optional.empty(),
                Optional.empty(), Optional.empty(), resume, sessionId, false, Path.of("/nonexistent"));
    }

    private GeminiRun run(String scenario, GeminiApiStandIn.Script script, AgentCall call, Path home, TestRepo repo)
            throws IOException, InterruptedException {
        Path scratch = Files.createDirectories(tmp.resolve("scratch"));
        Map<String, String> env = GeminiHome.env(home, api.baseUrl(scenario, script), scratch);
        return GeminiRun.run(GeminiRun.installed(), call, repo.dir(), env, scratch, 90);
    }

    private TestRepo repo() {
        return TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "A repository for a Gemini run.\n"));
    }

    @Test
    void aWriterWritesTheFileAndEndsWithASuccessInTheSessionTroupePicked() throws Exception {
        String session = UUID.randomUUID().toString();
        GeminiRun run = run("writer", GeminiApiStandIn.callThenSay(GeminiApiStandIn.write("hello.txt", "hi\n"), "Wrote it."),
                call("- write hello.txt", "acceptEdits", List.of("Read", "Write"), Optional.empty(), session),
                GeminiHome.write(tmp.resolve("home")), repo());

        AgentMessage.Result result = run.result();
        assertFalse(result.isError(), result.failureReason() + "\n" + String.join("\n", run.stderr()));
        assertEquals("hi\n", Files.readString(tmp.resolve("repo/hello.txt")));
        assertEquals(session, result.sessionId());
        assertEquals("Wrote it.", result.text());
        assertEquals(2, result.turns());
        assertTrue(run.messages().contains(new AgentMessage.ToolUse("write_file")));
        assertEquals("- write hello.txt", api.requests("writer").get(0).userTexts().get(0),
                "a prompt starting with a dash is the prompt, not an option");
    }

    @Test
    void aResumedRunContinuesTheSessionWithItsHistory() throws Exception {
        String session = UUID.randomUUID().toString();
        Path home = GeminiHome.write(tmp.resolve("home"));
        TestRepo repo = repo();
        GeminiApiStandIn.Script script = request -> GeminiApiStandIn.text("Answer " + request.turn() + ".");
        GeminiRun first = run("resume", script, call("remember 7", "acceptEdits", List.of(), Optional.empty(), session),
                home, repo);
        GeminiRun second = run("resume", script, call("what was it?", "acceptEdits", List.of(), Optional.of(session),
                UUID.randomUUID().toString()), home, repo);

        assertFalse(first.result().isError(), first.result().failureReason());
        assertFalse(second.result().isError(), second.result().failureReason());
        assertEquals(session, second.result().sessionId(), "the session goes on under its id");
        assertEquals("Answer 1.", second.result().text());
        List<GeminiApiStandIn.Request> requests = api.requests("resume");
        assertEquals(List.of("remember 7", "what was it?"), requests.get(requests.size() - 1).userTexts());
    }

    @Test
    void aRateLimitEndsWithinSecondsInAFailedResultWithStatus429() throws Exception {
        GeminiRun run = run("limited", request -> GeminiApiStandIn.rateLimited(),
                call("say hello", "acceptEdits", List.of(), Optional.empty(), UUID.randomUUID().toString()),
                GeminiHome.write(tmp.resolve("home")), repo());

        AgentMessage.Result result = run.result();
        assertTrue(result.isError());
        assertEquals(Optional.of(429), result.apiErrorStatus(), result.failureReason());
        assertEquals(2, api.requests("limited").size(), "general.maxAttempts");
        assertEquals(173, run.exitCode());
        assertTrue(run.seconds() < 30, run.seconds() + " s");
    }

    @Test
    void aReadOnlyAgentCannotWriteOrRunCommands() throws Exception {
        Path home = GeminiHome.write(tmp.resolve("home"));
        TestRepo repo = repo();
        GeminiRun write = run("reader", GeminiApiStandIn.callThenSay(GeminiApiStandIn.write("hello.txt", "hi\n"), "Tried."),
                call("write hello.txt", "plan", List.of("Bash"), Optional.empty(), UUID.randomUUID().toString()), home,
                repo);
        GeminiRun shell = run("reader-shell", GeminiApiStandIn.callThenSay(GeminiApiStandIn.shell("echo ran > ran.txt"),
                "Tried."), call("run it", "plan", List.of("Bash"), Optional.empty(), UUID.randomUUID().toString()), home,
                repo);

        assertFalse(Files.exists(repo.dir().resolve("hello.txt")));
        assertFalse(Files.exists(repo.dir().resolve("ran.txt")));
        assertFalse(api.requests("reader-shell").get(0).tools().contains("run_shell_command"));
        assertFalse(write.result().isError(), "a refused tool is told to the model, not a failed run");
        assertFalse(shell.result().isError());
    }

    @Test
    void aWriterRunsCommandsOnlyWhenTheGoalAllowsBash() throws Exception {
        Path home = GeminiHome.write(tmp.resolve("home"));
        TestRepo repo = repo();
        GeminiApiStandIn.Script script = GeminiApiStandIn.callThenSay(GeminiApiStandIn.shell("echo ran > ran.txt"), "Ran.");
        run("no-bash", script, call("run it", "acceptEdits", List.of("Read", "Edit", "Write"), Optional.empty(),
                UUID.randomUUID().toString()), home, repo);
        assertFalse(Files.exists(repo.dir().resolve("ran.txt")));

        GeminiRun allowed = run("bash", script, call("run it", "acceptEdits", List.of("Read", "Bash"), Optional.empty(),
                UUID.randomUUID().toString()), home, repo);
        assertFalse(allowed.result().isError(), allowed.result().failureReason());
        assertEquals("ran\n", Files.readString(repo.dir().resolve("ran.txt")));
    }

    // The command line, as GeminiKind builds it for each kind of call.

    private static final String SESSION = "3f2c8a54-1d6e-4b7a-9c0e-2a5b8d7f6e41";

    @Test
    void aWriterEditsUnderAutoEditWithTheShellForBashEntriesOnly() {
        assertEquals(List.of("--prompt=- fix it", "--output-format", "stream-json", "--approval-mode", "auto_edit",
                "--allowed-tools=run_shell_command", "--allowed-tools=run_shell_command(git)", "-m", GeminiHome.MODEL,
                "--session-id", SESSION),
                new GeminiKind().arguments(call("- fix it", "acceptEdits", List.of("Read", "Bash", "Bash(git:*)", "Edit"),
                        Optional.empty(), SESSION)));
    }

    @Test
    void aReadOnlyCallPlansAndIsGivenNoShellWhateverTheGoalAllows() {
        assertEquals(List.of("--prompt=look", "--output-format", "stream-json", "--approval-mode", "plan", "-m",
                GeminiHome.MODEL, "--session-id", SESSION),
                new GeminiKind().arguments(call("look", "plan", List.of("Bash"), Optional.empty(), SESSION)));
    }

    @Test
    void aResumeNamesTheSessionAndNoNewId() {
        List<String> argv = new GeminiKind().arguments(call("more", "bypassPermissions", List.of(), Optional.of("s-old"),
                SESSION));

        assertEquals(List.of("--prompt=more", "--output-format", "stream-json", "--approval-mode", "yolo", "-m",
                GeminiHome.MODEL, "--resume", "s-old"), argv, "the CLI refuses --resume with --session-id");
    }

    @Test
    void aSchemaAndAnAppendedSystemPromptGoIntoThePrompt() {
        AgentCall call = new AgentCall("judge", Optional.empty(), "plan", List.of(), Optional.of(3),
                Optional.of("Be brief."), Optional.of("{\"type\":\"object\"}"), Optional.empty(), SESSION, false,
                Path.of("/nonexistent"));

        assertEquals(List.of("--prompt=Be brief.\n\n" + StructuredText.ask("judge", "{\"type\":\"object\"}"),
                "--output-format", "stream-json", "--approval-mode", "plan", "--session-id", SESSION),
                new GeminiKind().arguments(call));
    }

    @Test
    void theEnvironmentTrustsTheWorkspaceAndKeepsTheCliInOneProcess() {
        assertEquals(Map.of("GEMINI_CLI_TRUST_WORKSPACE", "true", "GEMINI_CLI_NO_RELAUNCH", "true"),
                new GeminiKind().environment());
        assertEquals("GEMINI_API_KEY", new GeminiKind().keyVariable());
        assertEquals(List.of(tmp.resolve("home/.gemini")), new GeminiKind().stateDirs(Map.of("HOME", tmp.resolve("home")
                .toString())));
        assertTrue(Files.isDirectory(tmp.resolve("home/.gemini")));
    }
}
