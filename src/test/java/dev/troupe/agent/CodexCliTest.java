package dev.troupe.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.journal.Json;
import dev.troupe.testing.CodexHome;
import dev.troupe.testing.CodexRunner;
import dev.troupe.testing.HeadlessCli;
import dev.troupe.testing.ResponsesApiStandIn;
import dev.troupe.testing.ResponsesApiStandIn.Request;
import dev.troupe.testing.TestRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pinned Codex CLI run with {@link CodexKind}'s command line in a fresh git repository against the
 * {@link ResponsesApiStandIn}, its output read by {@link CodexKind#reader()}: what troupe asks of it is what it does.
 */
class CodexCliTest {

    private static final long DEADLINE_SECONDS = 60;
    private static final AtomicInteger SCENARIOS = new AtomicInteger();
    private static ResponsesApiStandIn api;
    private static CodexRunner codex;

    @TempDir
    Path tmp;
    private final List<Path> homes = new ArrayList<>();

    @AfterEach
    void deleteHomes() throws IOException {
        for (Path home : homes) {
            CodexHome.delete(home);
        }
    }

    private Path newHome() throws IOException {
        Path home = CodexHome.newDir();
        homes.add(home);
        return home;
    }

    @BeforeAll
    static void start() throws IOException {
        Optional<CodexRunner> pinned = CodexRunner.pinned();
        Assumptions.assumeTrue(pinned.isPresent(), "the pinned codex is installed by the build (troupe.codex)");
        codex = pinned.get();
        api = ResponsesApiStandIn.start();
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
    }

    /** One run: what the reader made of it, what the stand-in was asked, and the repository it ran in. */
    private record Outcome(HeadlessCli.Run run, List<AgentMessage> messages, List<Request> requests, Path repo) {

        AgentMessage.Result result() {
            List<AgentMessage.Result> results = messages.stream().filter(AgentMessage.Result.class::isInstance)
                    .map(AgentMessage.Result.class::cast).toList();
            assertEquals(1, results.size(), "one result in:\n" + String.join("\n", run.stdout()));
            return results.get(0);
        }

        String sessionId() {
            return messages.stream().filter(AgentMessage.Init.class::isInstance).map(m -> ((AgentMessage.Init) m).sessionId())
                    .findFirst().orElseThrow(() -> new AssertionError("no thread.started in " + run.stdout()));
        }
    }

    private Path repo() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("repo"));
        if (!Files.exists(dir.resolve(".git"))) {
            TestRepo.create(dir, Map.of("README.md", "A repository for codex.\n"));
        }
        return dir;
    }

    private static AgentCall call(String prompt, String permissionMode, Optional<String> schema, Optional<String> resume,
            Path scratch) {
        return new AgentCall(prompt, Optional.empty(), permissionMode, List.of(), Optional.empty(), Optional.empty(),
                schema, resume, "unused-by-codex", false, scratch);
    }

    /** Runs the call with a CODEX_HOME of its own, or the one given (to resume a session kept there). */
    private Outcome run(AgentCall call, ResponsesApiStandIn.Script script, int streamRetries, Path codexHome)
            throws IOException, InterruptedException {
        String scenario = "cli-" + SCENARIOS.incrementAndGet();
        CodexHome.write(codexHome, api.baseUrl(scenario, script), streamRetries);
        Path root = Files.createDirectories(tmp.resolve(scenario));
        HeadlessCli.Run run = codex.run(new CodexKind().arguments(call), repo(), codexHome, root, DEADLINE_SECONDS);
        return new Outcome(run, CodexReaderTest.read(new CodexKind().reader(), run.stdout()), api.requests(scenario), repo());
    }

    @Test
    void aWriterRunsTheCommandInItsWorkspaceAndEndsWithASuccessfulResultUnderItsSession() throws Exception {
        String prompt = "- write hello.txt\n- then say so";
        Outcome outcome = run(call(prompt, "acceptEdits", Optional.empty(), Optional.empty(), tmp.resolve("scratch")),
                ResponsesApiStandIn.commandThenText("printf 'hello from codex' > hello.txt", "Done: wrote it."), 1,
                newHome());
        AgentMessage.Result result = outcome.result();

        assertFalse(result.isError(), result.failureReason());
        assertTrue(Files.exists(outcome.repo().resolve("hello.txt")), String.join("\n", outcome.run().stdout()));
        assertEquals("hello from codex", Files.readString(outcome.repo().resolve("hello.txt")));
        assertEquals("Done: wrote it.", result.text());
        assertEquals(outcome.sessionId(), result.sessionId());
        assertEquals(List.of(outcome.sessionId()), outcome.requests().get(0).headers().get("Session-id"));
        assertTrue(outcome.messages().contains(new AgentMessage.ToolUse("command_execution")), outcome.run().stdout().toString());
        assertEquals(prompt, outcome.requests().get(0).prompt(), "a prompt that starts with - is the prompt");
        assertEquals(outcome.repo().toRealPath().toString(), outcome.requests().get(0).workingDirectory());
        assertEquals(2 * ResponsesApiStandIn.INPUT_TOKENS, result.usage().inputTokens(), "summed over the turn's requests");
        assertEquals(2 * ResponsesApiStandIn.OUTPUT_TOKENS, result.usage().outputTokens());
        assertEquals(2 * ResponsesApiStandIn.CACHED_TOKENS, result.usage().cacheReadInputTokens());
        assertEquals(0, outcome.run().exitCode());
    }

    @Test
    void aResumedRunGoesOnInTheSameSessionWithTheEarlierHistory() throws Exception {
        Path home = newHome();
        Path scratch = tmp.resolve("scratch");
        Outcome first = run(call("write hello.txt", "acceptEdits", Optional.empty(), Optional.empty(), scratch),
                ResponsesApiStandIn.commandThenText("printf 'one' > hello.txt", "Wrote one."), 1, home);
        Outcome resumed = run(call("- now say bye", "acceptEdits", Optional.empty(), Optional.of(first.sessionId()), scratch),
                request -> ResponsesApiStandIn.text("Bye after " + request.userTexts().size() + " messages."), 1, home);
        AgentMessage.Result result = resumed.result();

        assertFalse(result.isError(), result.failureReason());
        assertEquals(first.sessionId(), resumed.sessionId());
        assertEquals(first.sessionId(), result.sessionId());
        Request request = resumed.requests().get(0);
        assertEquals(List.of("write hello.txt", "- now say bye"), request.userTexts());
        assertTrue(request.body().path("input").toString().contains("function_call_output"), "the earlier tool call is in it");
        assertEquals("Bye after 2 messages.", result.text());
        assertEquals(first.result().usage().inputTokens() + ResponsesApiStandIn.INPUT_TOKENS, result.usage().inputTokens(),
                "usage on resume is the thread's total");
    }

    @Test
    void aRateLimitEndsWithinSecondsInARateLimitedResultAfterTheConfiguredRetries() throws Exception {
        Outcome outcome = run(call("say hi", "acceptEdits", Optional.empty(), Optional.empty(), tmp.resolve("scratch")),
                request -> ResponsesApiStandIn.rateLimited(1), 1, newHome());
        AgentMessage.Result result = outcome.result();

        assertTrue(result.isError());
        assertEquals(Optional.of(429), result.apiErrorStatus(), result.failureReason());
        assertEquals(List.of(new AgentMessage.ApiRetry(1, 1, -1, Optional.of(429), "rate_limit")),
                outcome.messages().stream().filter(AgentMessage.ApiRetry.class::isInstance).toList());
        assertEquals(2, outcome.requests().size(), "1 + stream_max_retries attempts");
        assertTrue(outcome.run().seconds() < 15, "ended in " + outcome.run().seconds() + " s");
        assertEquals(1, outcome.run().exitCode());
    }

    @Test
    void aSchemaCallSendsTheSchemaAndItsAnswerIsTheStructuredOutput() throws Exception {
        String schema = """
                {"type":"object","properties":{"verdict":{"type":"string"}},"required":["verdict"],"additionalProperties":false}""";
        JsonNode answer = Json.MAPPER.readTree("{\"verdict\":\"approve\"}");
        Outcome outcome = run(call("review it", "plan", Optional.of(schema), Optional.empty(), tmp.resolve("scratch")),
                request -> request.asksForSchema() ? ResponsesApiStandIn.json(answer) : ResponsesApiStandIn.text("no schema"),
                1, newHome());
        AgentMessage.Result result = outcome.result();

        assertFalse(result.isError(), result.failureReason());
        assertEquals(Optional.of(answer), result.structuredOutput());
        assertEquals(Json.MAPPER.readTree(schema),
                outcome.requests().get(0).body().path("text").path("format").path("schema"));
    }

    @Test
    void aReadOnlyCallCannotWriteInItsWorkspace() throws Exception {
        Outcome outcome = run(call("write hello.txt", "plan", Optional.empty(), Optional.empty(), tmp.resolve("scratch")),
                ResponsesApiStandIn.commandThenText("printf 'sneaky' > hello.txt", "Tried."), 1, newHome());
        AgentMessage.Result result = outcome.result();
        String output = outcome.requests().get(1).outputsSinceLastUserText().get(0);
        Assumptions.assumeFalse(output.contains("landlock") || output.contains("seccomp") || output.contains("bwrap"),
                "the sandbox cannot run here: " + output);

        assertFalse(result.isError(), result.failureReason());
        assertFalse(Files.exists(outcome.repo().resolve("hello.txt")), "the read-only sandbox let it write: " + output);
        // The command ran and failed: 0.169.0 then printed its command_execution items in some runs, in others none.
        assertTrue(output.contains("Process exited with code") && !output.contains("Process exited with code 0"), output);
    }

    @Test
    void theModelAndTheAppendedSystemPromptReachTheModelAsTheRequestsModelAndADeveloperMessage() throws Exception {
        String appended = "Answer in \"quotes\",\nand \\ keep it short.";
        AgentCall call = new AgentCall("say hi", Optional.of("other-model"), "acceptEdits", List.of(), Optional.empty(),
                Optional.of(appended), Optional.empty(), Optional.empty(), "unused-by-codex", false, tmp.resolve("scratch"));
        Outcome outcome = run(call, request -> ResponsesApiStandIn.text("hi"), 1, newHome());
        JsonNode body = outcome.requests().get(0).body();
        List<String> developer = new ArrayList<>();
        body.path("input").forEach(item -> {
            if ("developer".equals(item.path("role").asText())) {
                item.path("content").forEach(part -> developer.add(part.path("text").asText()));
            }
        });

        assertFalse(outcome.result().isError(), outcome.result().failureReason());
        assertEquals("other-model", body.path("model").asText());
        assertTrue(developer.contains(appended), "the appended prompt as written: " + developer);
    }

    @Test
    void theCommandLineOfAWriterAReaderASchemaCallAndAResume() {
        Path scratch = tmp.resolve("scratch");
        List<String> common = List.of("exec", "--json", "--skip-git-repo-check", "-c", "approval_policy=\"never\"",
                "-c", "analytics.enabled=false", "-c", "check_for_update_on_startup=false");
        CodexKind codex = new CodexKind();

        assertEquals(concat(common, "--sandbox", "workspace-write", "--", "- do it"),
                codex.arguments(call("- do it", "acceptEdits", Optional.empty(), Optional.empty(), scratch)));
        assertEquals(concat(common, "--sandbox", "read-only", "--", "look"),
                codex.arguments(call("look", "plan", Optional.empty(), Optional.empty(), scratch)));
        assertEquals(concat(common, "--dangerously-bypass-approvals-and-sandbox", "--", "go"),
                codex.arguments(call("go", "bypassPermissions", Optional.empty(), Optional.empty(), scratch)));
        assertEquals(concat(common, "--sandbox", "read-only", "--output-schema",
                scratch.resolve(CodexKind.SCHEMA_FILE).toString(), "--", "judge"),
                codex.arguments(call("judge", "plan", Optional.of("{\"type\":\"object\"}"), Optional.empty(), scratch)));
        assertTrue(Files.exists(scratch.resolve(CodexKind.SCHEMA_FILE)), "the schema is written where the CLI is told");
        assertEquals(concat(common, "--sandbox", "workspace-write", "resume", "thread-1", "--", "more"),
                codex.arguments(call("more", "default", Optional.empty(), Optional.of("thread-1"), scratch)));
    }

    private static List<String> concat(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }
}
