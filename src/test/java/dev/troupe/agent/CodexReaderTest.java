package dev.troupe.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.journal.Json;
import dev.troupe.journal.Usage;
import dev.troupe.testing.CodexHome;
import dev.troupe.testing.CodexTranscriptRecorder;
import dev.troupe.testing.ResponsesApiStandIn;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@link CodexKind#reader()} on the pinned Codex CLI's recorded output (src/test/resources/codex-transcripts, made by
 * src/test/scripts/record-codex-transcripts.sh against the {@link ResponsesApiStandIn}), and on lines it has not
 * been recorded printing yet.
 */
class CodexReaderTest {

    /** The lines through the reader as troupe reads them: only a steering type is handed to it. */
    static List<AgentMessage> read(AgentReader reader, List<String> lines) {
        List<AgentMessage> messages = new ArrayList<>();
        for (String line : lines) {
            try {
                JsonNode json = Json.AGENT_LINES.readTree(line);
                String type = json.path("type").asText("");
                messages.add(reader.steeringTypes().contains(type) ? reader.read(json) : new AgentMessage.Other(type));
            } catch (JsonProcessingException notJson) {
                messages.add(new AgentMessage.NotJson());
            }
        }
        return messages;
    }

    private static Path dir() {
        try {
            return Path.of(Objects.requireNonNull(CodexReaderTest.class.getResource("/codex-transcripts"),
                    "codex-transcripts is on the test classpath").toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> stdout(String name) {
        try {
            return Files.readAllLines(dir().resolve(name + ".stdout.jsonl"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode meta(String name) throws IOException {
        return Json.MAPPER.readTree(dir().resolve(name + ".meta.json").toFile());
    }

    private static List<AgentMessage> messages(String name) {
        return read(new CodexKind().reader(), stdout(name));
    }

    private static AgentMessage.Result result(List<AgentMessage> messages) {
        List<AgentMessage.Result> results = messages.stream().filter(AgentMessage.Result.class::isInstance)
                .map(AgentMessage.Result.class::cast).toList();
        assertEquals(1, results.size(), "one result: " + messages);
        assertTrue(messages.get(messages.size() - 1) instanceof AgentMessage.Result, "the result ends the output");
        return results.get(0);
    }

    private static String threadId(String name) throws IOException {
        return Json.MAPPER.readTree(stdout(name).get(0)).path("thread_id").asText();
    }

    private static <T extends AgentMessage> List<T> all(List<AgentMessage> messages, Class<T> kind) {
        return messages.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    private static Usage usage(int requests) {
        return new Usage(requests * ResponsesApiStandIn.INPUT_TOKENS, requests * ResponsesApiStandIn.OUTPUT_TOKENS,
                requests * ResponsesApiStandIn.CACHED_TOKENS, 0);
    }

    @Test
    void aRunThatWritesAFileStartsItsSessionUsesTheShellAndEndsInSuccessWithTheTurnsUsage() throws IOException {
        List<AgentMessage> messages = messages("writes-file");
        AgentMessage.Result result = result(messages);

        assertEquals(new AgentMessage.Init(threadId("writes-file"), ""), messages.get(0));
        assertEquals(List.of(new AgentMessage.ToolUse("command_execution")), all(messages, AgentMessage.ToolUse.class),
                "one tool use a command, though it starts and completes");
        assertFalse(result.isError(), result.failureReason());
        assertEquals("success", result.subtype());
        assertEquals("Done: I wrote hello.txt.", result.text());
        assertEquals(threadId("writes-file"), result.sessionId());
        assertEquals(usage(2), result.usage(), "both requests of the turn, cached input as cache reads");
        assertTrue(result.usageIsTotal());
        assertEquals(0, result.costUsd());
        assertEquals(1, result.turns());
        assertEquals(List.of(), result.errors(), "the unknown model's warning item is no error");
    }

    @Test
    void aCommandThatFailsIsAToolUseInARunThatSucceeds() {
        List<AgentMessage> messages = messages("command-fails");
        AgentMessage.Result result = result(messages);

        assertEquals(List.of(new AgentMessage.ToolUse("command_execution")), all(messages, AgentMessage.ToolUse.class));
        assertFalse(result.isError(), result.failureReason());
        assertEquals("The file is not there.", result.text());
    }

    @Test
    void anExhaustedRateLimitIsARetryThenAFailedResultWithStatus429() {
        List<AgentMessage> messages = messages("http429-exhausted");
        AgentMessage.Result result = result(messages);

        assertEquals(List.of(new AgentMessage.ApiRetry(1, 1, -1, Optional.of(429), "rate_limit")),
                all(messages, AgentMessage.ApiRetry.class));
        assertTrue(result.isError());
        assertEquals("error", result.subtype());
        assertEquals(Optional.of(429), result.apiErrorStatus());
        assertEquals(List.of("exceeded retry limit, last status: 429 Too Many Requests"), result.errors());
        assertTrue(result.failureReason().contains("API status 429"), result.failureReason());
        assertEquals(Usage.NONE, result.usage());
    }

    @Test
    void anExhaustedServerErrorIsAFailedResultThatNamesNoStatusForCodexPrintsNone() {
        List<AgentMessage> messages = messages("http500-exhausted");
        AgentMessage.Result result = result(messages);

        assertEquals(List.of(new AgentMessage.ApiRetry(1, 1, -1, Optional.empty(), "server_error")),
                all(messages, AgentMessage.ApiRetry.class));
        assertTrue(result.isError());
        assertEquals(Optional.empty(), result.apiErrorStatus());
        assertTrue(result.failureReason().contains("high demand"), result.failureReason());
    }

    @Test
    void theAnswerToAnOutputSchemaIsTheStructuredOutput() throws IOException {
        AgentMessage.Result result = result(messages("json-answer"));

        assertFalse(result.isError(), result.failureReason());
        assertEquals(Optional.of(Json.MAPPER.readTree("{\"verdict\":\"approve\",\"notes\":\"looks fine\"}")),
                result.structuredOutput());
        assertTrue(meta("json-answer").path("argv").toString().contains("--output-schema"));
    }

    @Test
    void aResumedRunGoesOnInTheSessionItResumedAndItsUsageIsTheThreadsTotal() throws IOException {
        List<String> argv = new ArrayList<>();
        meta("resumed").path("argv").forEach(arg -> argv.add(arg.asText()));
        String resumed = argv.get(argv.indexOf("resume") + 1);
        AgentMessage.Result result = result(messages("resumed"));

        assertEquals(resumed, threadId("resumed"));
        assertEquals(resumed, result.sessionId());
        assertEquals("Resumed with 2 messages.", result.text());
        assertEquals(usage(3), result.usage(), "the two requests of the run it resumed and its own");
        assertTrue(result.usageIsTotal());
    }

    @Test
    void aToolSeenOnlyWhenItCompletesCountsOnceAndAnMcpCallIsNamedForItsTool() throws IOException {
        List<AgentMessage> messages = read(new CodexKind().reader(), List.of(
                "{\"type\":\"item.completed\",\"item\":{\"id\":\"item_1\",\"type\":\"file_change\",\"changes\":[],\"status\":\"completed\"}}",
                "{\"type\":\"item.started\",\"item\":{\"id\":\"item_2\",\"type\":\"mcp_tool_call\",\"server\":\"docs\",\"tool\":\"search\"}}",
                "{\"type\":\"item.completed\",\"item\":{\"id\":\"item_2\",\"type\":\"mcp_tool_call\",\"server\":\"docs\",\"tool\":\"search\"}}",
                "{\"type\":\"item.started\",\"item\":{\"id\":\"item_3\",\"type\":\"reasoning\",\"text\":\"hm\"}}",
                "{\"type\":\"turn.plan_updated\",\"plan\":[]}",
                "not json"));

        assertEquals(List.of(new AgentMessage.ToolUse("file_change"), new AgentMessage.ToolUse("search"),
                new AgentMessage.Other("item.completed"), new AgentMessage.Other("item.started"),
                new AgentMessage.Other("turn.plan_updated"), new AgentMessage.NotJson()), messages);
    }

    @Test
    void everyCaseHasARecordingAndNoRecordingHoldsTheKeyOrARunsOwnDirectory() throws IOException {
        List<Path> files;
        try (Stream<Path> listed = Files.list(dir())) {
            files = listed.sorted().toList();
        }
        List<String> recorded = files.stream().map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".meta.json"))
                .map(f -> f.substring(0, f.length() - ".meta.json".length())).sorted().toList();

        assertEquals(CodexTranscriptRecorder.CASES.stream().map(CodexTranscriptRecorder.Case::name).sorted().toList(),
                recorded, "re-record with src/test/scripts/record-codex-transcripts.sh");
        for (Path file : files) {
            String content = Files.readString(file, StandardCharsets.ISO_8859_1);
            assertFalse(content.contains(CodexHome.KEY), "the stand-in key is in " + file);
            assertFalse(content.contains("codex-homes") || content.contains("troupe-codex-transcripts"),
                    "a run's own directory is in " + file);
        }
    }
}
