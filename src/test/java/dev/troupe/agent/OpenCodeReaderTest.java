package dev.troupe.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.journal.Json;
import dev.troupe.journal.Usage;
import dev.troupe.testing.ChatCompletionsStandIn;
import dev.troupe.testing.OpenCodeHome;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The recorded OpenCode transcripts (src/test/resources/opencode-transcripts, made by
 * src/test/scripts/record-opencode-transcripts.sh) read through {@link OpenCodeKind#reader()}: one reader a
 * process, each line of a steering type read, as troupe reads them.
 */
class OpenCodeReaderTest {

    private static JsonNode meta(String name) throws IOException {
        return Json.MAPPER.readTree(resource(name + ".meta.json"));
    }

    private static String resource(String file) throws IOException {
        try (InputStream in = OpenCodeReaderTest.class.getResourceAsStream("/opencode-transcripts/" + file)) {
            if (in == null) {
                throw new AssertionError("no recording " + file + ": run src/test/scripts/record-opencode-transcripts.sh");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** What the reader makes of the case's stdout. */
    private static List<AgentMessage> read(String name) throws IOException {
        AgentReader reader = new OpenCodeKind().reader();
        List<AgentMessage> messages = new ArrayList<>();
        for (String line : resource(name + ".stdout.jsonl").lines().toList()) {
            JsonNode json = Json.MAPPER.readTree(line);
            if (reader.steeringTypes().contains(json.path("type").asText())) {
                messages.add(reader.read(json));
            }
        }
        return messages;
    }

    private static AgentMessage.Result result(List<AgentMessage> messages) {
        List<AgentMessage.Result> results = messages.stream().filter(AgentMessage.Result.class::isInstance)
                .map(AgentMessage.Result.class::cast).toList();
        assertEquals(1, results.size(), "one result: " + messages);
        assertEquals(messages.size() - 1, messages.indexOf(results.get(0)), "the result comes last");
        return results.get(0);
    }

    private static String sessionOfFirstLine(String name) throws IOException {
        return Json.MAPPER.readTree(resource(name + ".stdout.jsonl").lines().findFirst().orElseThrow())
                .path("sessionID").asText();
    }

    @Test
    void aWrittenFileIsAToolUseAndASuccessfulResultWithTheSessionTextCostAndUsageOfBothSteps() throws IOException {
        List<AgentMessage> messages = read("write-file");
        AgentMessage.Result result = result(messages);
        String session = sessionOfFirstLine("write-file");

        assertTrue(session.startsWith("ses_"), session);
        assertEquals(new AgentMessage.Init(session, ""), messages.get(0));
        assertEquals(1, messages.stream().filter(AgentMessage.Init.class::isInstance).count(), "one init");
        assertTrue(messages.contains(new AgentMessage.ToolUse("write")), messages.toString());
        assertFalse(result.isError(), result.failureReason());
        assertEquals("success", result.subtype());
        assertEquals("Done: I wrote hello.txt.", result.text());
        assertEquals(session, result.sessionId());
        assertEquals(2, result.turns(), "two steps: the tool call and the answer");
        assertTrue(result.usageIsTotal());
        long input = ChatCompletionsStandIn.PROMPT_TOKENS - ChatCompletionsStandIn.CACHED_TOKENS;
        assertEquals(new Usage(2 * input, 2 * ChatCompletionsStandIn.COMPLETION_TOKENS,
                2 * ChatCompletionsStandIn.CACHED_TOKENS, 0), result.usage());
        double perStep = (input * OpenCodeHome.INPUT_PRICE + ChatCompletionsStandIn.COMPLETION_TOKENS
                * OpenCodeHome.OUTPUT_PRICE + ChatCompletionsStandIn.CACHED_TOKENS * OpenCodeHome.CACHE_READ_PRICE) / 1e6;
        assertEquals(2 * perStep, result.costUsd(), 1e-9);
        assertTrue(result.durationMs() > 0);
        assertEquals(Optional.empty(), result.apiErrorStatus());
    }

    @Test
    void aCommandRunIsABashToolUse() throws IOException {
        List<AgentMessage> messages = read("run-command");

        assertTrue(messages.contains(new AgentMessage.ToolUse("bash")), messages.toString());
        assertFalse(result(messages).isError());
        assertEquals("Done: the command ran.", result(messages).text());
    }

    @Test
    void aTextAnswerIsOneStepAndAPromptStartingWithADashIsTheMessage() throws IOException {
        AgentMessage.Result result = result(read("text-only"));

        assertFalse(result.isError());
        assertEquals("Hi.", result.text());
        assertEquals(1, result.turns());
        assertTrue(meta("text-only").path("argv").toString().endsWith("\"--\",\"- say hi\"]"),
                meta("text-only").path("argv").toString());
        assertEquals(Optional.empty(), result.structuredOutput(), "text is no object");
    }

    @Test
    void aJsonAnswerIsTheResultsStructuredOutput() throws IOException {
        AgentMessage.Result result = result(read("json-answer"));

        assertFalse(result.isError());
        assertEquals(Optional.of(OpenCodeTranscriptRecorder.VERDICT), result.structuredOutput());
        assertTrue(meta("json-answer").path("argv").toString().contains("\"--agent\",\"plan\""));
    }

    @Test
    void aRateLimitThatOutlastsOpenCodesRetriesIsAFailedResultWithStatus429() throws IOException {
        List<AgentMessage> messages = read("http429-exhausted");
        AgentMessage.Result result = result(messages);

        assertEquals(1, messages.size(), "no step ran: " + messages);
        assertTrue(result.isError());
        assertEquals("error", result.subtype());
        assertEquals(Optional.of(429), result.apiErrorStatus());
        assertEquals(List.of("Rate limit exceeded (stand-in)"), result.errors());
        assertEquals(sessionOfFirstLine("http429-exhausted"), result.sessionId());
        assertEquals(1, meta("http429-exhausted").path("exit_code").asInt());
        assertEquals(6, meta("http429-exhausted").path("agent_requests").asInt(), "OpenCode tries six times");
        assertTrue(result.failureReason().contains("API status 429"), result.failureReason());
    }

    @Test
    void aResumedSessionGoesOnUnderItsIdWithItsHistory() throws IOException {
        List<AgentMessage> messages = read("resume");
        String resumed = meta("resume").path("resumed_session").asText();

        assertTrue(resumed.startsWith("ses_"), resumed);
        assertEquals(new AgentMessage.Init(resumed, ""), messages.get(0));
        assertEquals(resumed, result(messages).sessionId());
        assertEquals("Bye, with the history.", result(messages).text(), "the request held the first exchange");
    }

    @Test
    void unknownTypesAreOther() {
        AgentReader reader = new OpenCodeKind().reader();
        reader.read(Json.MAPPER.createObjectNode().put("type", "step_start").put("sessionID", "ses_1"));

        assertEquals(new AgentMessage.Other("reasoning"),
                reader.read(Json.MAPPER.createObjectNode().put("type", "reasoning").put("sessionID", "ses_1")));
    }

    @Test
    void noRecordingHoldsTheKey() throws IOException {
        for (String name : List.of("write-file", "run-command", "text-only", "json-answer", "http429-exhausted", "resume")) {
            String recorded = resource(name + ".stdout.jsonl") + resource(name + ".meta.json");
            assertFalse(recorded.contains(OpenCodeHome.KEY.substring(OpenCodeHome.KEY.length() - 16)), name);
            assertFalse(recorded.contains("/work/"), name + " holds a path of this machine");
        }
    }
}
