package dev.troupe.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.troupe.journal.Usage;
import dev.troupe.testing.GeminiApiStandIn;
import dev.troupe.testing.GeminiHome;
import dev.troupe.testing.GeminiRun;
import dev.troupe.testing.GeminiTranscripts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What {@link GeminiKind#reader()} makes of the pinned Gemini CLI's recorded stream-json
 * (src/test/resources/gemini-transcripts, made by src/test/scripts/record-gemini-transcripts.sh), a reader per run.
 */
class GeminiReaderTest {

    private static List<AgentMessage> read(String name) {
        return GeminiRun.messages(new GeminiKind().reader(), GeminiTranscripts.stdoutLines(name));
    }

    private static AgentMessage.Result result(String name) {
        return GeminiRun.result(read(name));
    }

    private static String recordedSessionId(String name) {
        List<String> argv = new ArrayList<>();
        GeminiTranscripts.meta(name).path("argv").forEach(arg -> argv.add(arg.asText()));
        return argv.get(argv.indexOf("--session-id") + 1);
    }

    @Test
    void theSessionIdAndModelComeFromTheInitLine() {
        String session = recordedSessionId("write-file");

        assertEquals(new AgentMessage.Init(session, GeminiHome.MODEL), read("write-file").get(0));
        assertEquals(session, result("write-file").sessionId(), "the result line names no session: the reader keeps it");
    }

    @Test
    void eachToolCallIsAToolUseByTheCliToolsName() {
        assertEquals(List.of(new AgentMessage.ToolUse("write_file")), toolUses("write-file"));
        assertEquals(List.of(new AgentMessage.ToolUse("run_shell_command")), toolUses("run-command"));
        assertEquals(List.of(), toolUses("text-only"));
    }

    private static List<AgentMessage> toolUses(String name) {
        return read(name).stream().filter(AgentMessage.ToolUse.class::isInstance).toList();
    }

    @Test
    void aSuccessfulRunsResultHasTheLastMessagesTextAndThisRunsTokens() {
        AgentMessage.Result result = result("write-file");

        assertFalse(result.isError(), result.failureReason());
        assertEquals("success", result.subtype());
        assertEquals("Wrote it.", result.text(), "the streamed pieces of the model's last message, joined");
        assertEquals(2, result.turns(), "the tool call, then the answer to its result");
        int requests = 2;
        assertEquals(new Usage(requests * (GeminiApiStandIn.PROMPT_TOKENS - GeminiApiStandIn.CACHED_TOKENS),
                requests * GeminiApiStandIn.OUTPUT_TOKENS, requests * GeminiApiStandIn.CACHED_TOKENS, 0), result.usage());
        assertFalse(result.usageIsTotal(), "the CLI counts a run's tokens, not the session's");
        assertEquals(0, result.costUsd());
        assertTrue(result.durationMs() > 0);
        assertEquals(Optional.empty(), result.apiErrorStatus());
        assertEquals(List.of(), result.errors());
        assertEquals(Optional.empty(), result.structuredOutput());

        assertEquals("Hello there.", result("text-only").text());
        assertEquals(1, result("text-only").turns());
    }

    @Test
    void anAnswerOfTheSchemasShapeIsTheStructuredOutput() {
        AgentMessage.Result result = result("json-answer");

        assertFalse(result.isError(), result.failureReason());
        assertEquals(Optional.of(GeminiTranscripts.ANSWER), result.structuredOutput());
        assertTrue(GeminiTranscripts.meta("json-answer").path("argv").get(1).asText().contains(GeminiTranscripts.SCHEMA),
                "the schema was asked for in the prompt");
    }

    @Test
    void aRateLimitPastTheLastAttemptIsAFailedResultWithStatus429() {
        AgentMessage.Result result = result("rate-limited");

        assertTrue(result.isError());
        assertEquals("error", result.subtype());
        assertEquals(Optional.of(429), result.apiErrorStatus());
        assertEquals(1, result.errors().size());
        assertTrue(result.errors().get(0).contains("Resource has been exhausted"), result.errors().toString());
        assertTrue(result.failureReason().contains("API status 429"), result.failureReason());
        assertEquals(173, GeminiTranscripts.meta("rate-limited").path("exit_code").asInt());
        assertTrue(read("rate-limited").stream().noneMatch(AgentMessage.ApiRetry.class::isInstance),
                "the CLI tells of its retries on stderr only");
    }

    @Test
    void aResumedRunGoesOnInTheSameSessionWithItsHistory() {
        AgentMessage.Result result = result("resume");

        assertFalse(result.isError(), result.failureReason());
        assertEquals(result("resume-start").sessionId(), result.sessionId());
        assertEquals("It was 7 (1 earlier answer).", result.text(), "the stand-in saw the first run's answer");
        assertTrue(GeminiTranscripts.meta("resume").path("argv").toString().contains("\"--resume\""));
    }

    @Test
    void textBeforeAToolCallIsNotTheLastMessage() {
        List<AgentMessage> messages = GeminiRun.messages(new GeminiKind().reader(), List.of(
                "{\"type\":\"init\",\"session_id\":\"s-1\",\"model\":\"m\"}",
                "{\"type\":\"message\",\"role\":\"user\",\"content\":\"go\"}",
                "{\"type\":\"message\",\"role\":\"assistant\",\"content\":\"I will \",\"delta\":true}",
                "{\"type\":\"message\",\"role\":\"assistant\",\"content\":\"write it.\",\"delta\":true}",
                "{\"type\":\"tool_use\",\"tool_name\":\"write_file\",\"tool_id\":\"t1\",\"parameters\":{}}",
                "{\"type\":\"tool_result\",\"tool_id\":\"t1\",\"status\":\"success\"}",
                "{\"type\":\"message\",\"role\":\"assistant\",\"content\":\"{\\\"ok\\\":true}\",\"delta\":true}",
                "{\"type\":\"result\",\"status\":\"success\",\"stats\":{\"input_tokens\":5,\"output_tokens\":2}}"));
        AgentMessage.Result result = GeminiRun.result(messages);

        assertEquals("{\"ok\":true}", result.text());
        assertTrue(result.structuredOutput().isPresent());
        assertEquals(2, result.turns());
        assertEquals(new Usage(5, 2, 0, 0), result.usage());
    }

    @Test
    void anErrorLineIsTheReasonOfAnErrorResultThatGivesNone() {
        AgentMessage.Result result = GeminiRun.result(GeminiRun.messages(new GeminiKind().reader(), List.of(
                "{\"type\":\"init\",\"session_id\":\"s-1\",\"model\":\"m\"}",
                "{\"type\":\"error\",\"severity\":\"error\",\"message\":\"The model returned an empty response.\"}",
                "{\"type\":\"result\",\"status\":\"error\",\"stats\":{}}",
                "{\"type\":\"something_new\"}")));

        assertTrue(result.isError());
        assertEquals(List.of("The model returned an empty response."), result.errors());
        assertEquals(Optional.empty(), result.apiErrorStatus());
    }

    @Test
    void anApiErrorsStatusIsReadFromTheBodyTheCliQuotes() {
        assertEquals(Optional.of(500), GeminiReader.apiStatus(
                "[API Error: {\"error\":{\"code\":500,\"message\":\"Internal error\",\"status\":\"INTERNAL\"}}]"));
        assertEquals(Optional.of(429), GeminiReader.apiStatus("[API Error: Rate limit exceeded]\nPlease wait and try"
                + " again later."));
        assertEquals(Optional.empty(), GeminiReader.apiStatus("Operation cancelled."));
    }

    @Test
    void aLineOfAnUnknownTypeIsOther() {
        assertEquals(new AgentMessage.Other("something_new"),
                GeminiRun.messages(new GeminiKind().reader(), List.of("{\"type\":\"something_new\"}")).get(0));
    }

    @Test
    void everyCaseHasARecordingAndNoneHoldsTheKey() throws IOException {
        for (GeminiTranscripts.Case recorded : GeminiTranscripts.ALL) {
            assertFalse(GeminiTranscripts.stdoutLines(recorded.name()).isEmpty(), recorded.name());
        }
        List<Path> files;
        try (Stream<Path> listed = Files.list(GeminiTranscripts.dir())) {
            files = listed.toList();
        }
        assertEquals(GeminiTranscripts.ALL.size(), files.stream().filter(f -> f.toString().endsWith(".meta.json")).count(),
                "re-record with src/test/scripts/record-gemini-transcripts.sh");
        for (Path file : files) {
            assertFalse(Files.readString(file, StandardCharsets.ISO_8859_1).contains(GeminiHome.KEY), file.toString());
        }
    }
}
