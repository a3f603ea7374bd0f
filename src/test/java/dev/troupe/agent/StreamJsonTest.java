package dev.troupe.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.journal.Json;
import dev.troupe.journal.Usage;
import dev.troupe.testing.TranscriptCases;
import dev.troupe.testing.Transcripts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Claude Code's stream-json as troupe reads it, checked against the project's transcripts recorded from the real
 * CLI ({@link Transcripts}; src/test/scripts/record-transcripts.sh) and against the broken lines a process can print.
 */
class StreamJsonTest {

    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void cleanup() {
        testKit.shutdownTestKit();
    }

    /** What Worker uses by default (troupe.journal.max-line-bytes). */
    private static final int MAX_LINE_BYTES = 1024 * 1024;

    private static List<ByteString> frame(int maxLineBytes, String... chunks) throws Exception {
        return frame(maxLineBytes, Stream.of(chunks).map(ByteString::fromString).toList());
    }

    private static List<ByteString> frame(int maxLineBytes, List<ByteString> chunks) throws Exception {
        return rawLines(maxLineBytes, chunks).stream().map(StreamJson.RawLine::bytes).toList();
    }

    private static List<StreamJson.RawLine> rawLines(int maxLineBytes, List<ByteString> chunks) throws Exception {
        return Source.from(chunks)
                .via(StreamJson.lines(maxLineBytes))
                .runWith(Sink.seq(), testKit.system())
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
    }

    private static List<String> texts(List<ByteString> lines) {
        return lines.stream().map(ByteString::utf8String).toList();
    }

    /** A recorded stdout, framed and decoded the way a worker reads its agent. */
    private static List<StreamJson.Line> transcript(String sample) throws Exception {
        Path file = Transcripts.stdout(sample);
        return frame(MAX_LINE_BYTES, List.of(ByteString.fromArray(Files.readAllBytes(file))))
                .stream().map(StreamJson::decode).toList();
    }

    private static List<AgentMessage> messages(String sample) throws Exception {
        return transcript(sample).stream().map(StreamJson.Line::message).toList();
    }

    private static <T extends AgentMessage> List<T> all(Class<T> type, List<AgentMessage> messages) {
        return messages.stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static <T extends AgentMessage> T only(Class<T> type, List<AgentMessage> messages) {
        List<T> found = all(type, messages);
        assertEquals(1, found.size(), () -> "expected one " + type.getSimpleName() + " in " + messages);
        return found.get(0);
    }

    // The real transcripts.

    @Test
    void everyLineOfEveryStreamJsonTranscriptIsAJsonObject() throws Exception {
        // A recording of the text output format is not stream-json.
        List<String> samples = Transcripts.names().stream()
                .filter(name -> Transcripts.meta(name).path("command").asText().contains("--output-format stream-json"))
                .toList();
        assertTrue(samples.size() > 1, "no stream-json transcripts in " + Transcripts.dir());

        List<String> notObjects = new ArrayList<>();
        for (String sample : samples) {
            List<StreamJson.Line> lines = transcript(sample);
            assertEquals(Transcripts.meta(sample).path("stdout_lines").asInt(), lines.size(), sample + ": lines framed");
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).json() == null || lines.get(i).message() instanceof AgentMessage.NotJson) {
                    notObjects.add(sample + ":" + (i + 1) + ": " + lines.get(i).text());
                }
            }
        }
        assertEquals(List.of(), notObjects);
    }

    @Test
    void successfulRunStartsWithInitCarryingTheSessionId() throws Exception {
        List<AgentMessage> messages = messages("success-write-tool");

        // The recorder gave the CLI this session id with --session-id.
        assertEquals(new AgentMessage.Init(TranscriptCases.named("success-write-tool").sessionId(), "claude-opus-5-5"),
                messages.get(0));
    }

    @Test
    void successfulRunReportsItsWriteToolCall() throws Exception {
        List<AgentMessage> messages = messages("success-write-tool");

        assertEquals(List.of(new AgentMessage.ToolUse("Write")), all(AgentMessage.ToolUse.class, messages));
    }

    @Test
    void successfulRunEndsWithAResultThatIsNotAnError() throws Exception {
        List<AgentMessage> messages = messages("success-write-tool");
        AgentMessage.Result result = only(AgentMessage.Result.class, messages);

        assertEquals(result, messages.get(messages.size() - 1));
        assertFalse(result.isError());
        assertEquals("success", result.subtype());
        assertEquals("Done.", result.text());
        assertEquals(0.00028, result.costUsd(), 1e-12);
        assertEquals(new Usage(20, 10, 0, 0), result.usage());
        assertEquals(2, result.turns());
        assertEquals(Optional.empty(), result.apiErrorStatus());
    }

    @Test
    void rateLimitedRunReportsEachRetryWithStatus429() throws Exception {
        List<AgentMessage.ApiRetry> retries = all(AgentMessage.ApiRetry.class, messages("http429-retries"));

        assertEquals(2, retries.size());
        for (int i = 0; i < retries.size(); i++) {
            AgentMessage.ApiRetry retry = retries.get(i);
            assertEquals(i + 1, retry.attempt());
            assertEquals(2, retry.maxRetries());
            assertEquals("rate_limit", retry.error());
            assertEquals(Optional.of(429), retry.errorStatus());
        }
    }

    @Test
    void rateLimitedRunEndsWithAnErrorResultDespiteItsSuccessSubtype() throws Exception {
        AgentMessage.Result result = only(AgentMessage.Result.class, messages("http429-retries"));

        assertTrue(result.isError());
        assertEquals("success", result.subtype());
        assertEquals(Optional.of(429), result.apiErrorStatus());
        assertTrue(result.failureReason().contains("429"), result.failureReason());
    }

    @Test
    void runStoppedByMaxTurnsEndsWithAnErrorResultGivingTheReason() throws Exception {
        AgentMessage.Result result = only(AgentMessage.Result.class, messages("max-turns"));

        assertTrue(result.isError());
        assertEquals("error_max_turns", result.subtype());
        assertEquals(List.of("Reached maximum number of turns (3)"), result.errors());
        assertTrue(result.failureReason().contains("Reached maximum number of turns (3)"), result.failureReason());
    }

    @ParameterizedTest
    @ValueSource(strings = {"sigterm-during-bash", "sigkill-during-bash", "sigterm-during-api"})
    void killedRunHasNoResult(String sample) throws Exception {
        List<AgentMessage> messages = messages(sample);

        assertInstanceOf(AgentMessage.Init.class, messages.get(0));
        assertEquals(List.of(), all(AgentMessage.Result.class, messages));
    }

    @Test
    void textOutputIsKeptAsTextNotJson() throws Exception {
        // Recorded with --output-format text: what a misconfigured agent command prints.
        String line = Transcripts.stdoutLines("output-text-api-error").get(0);

        StreamJson.Line decoded = StreamJson.decode(line);

        assertInstanceOf(AgentMessage.NotJson.class, decoded.message());
        assertNull(decoded.json());
        assertEquals(line, decoded.text());
    }

    // Lines that are not JSON objects.

    @Test
    void plainTextLineIsKeptAsText() {
        StreamJson.Line decoded = StreamJson.decode("Error: When using --print, --output-format=stream-json requires --verbose");

        assertInstanceOf(AgentMessage.NotJson.class, decoded.message());
        assertNull(decoded.json());
        assertEquals("Error: When using --print, --output-format=stream-json requires --verbose", decoded.text());
    }

    @Test
    void emptyLineIsKeptAsEmptyText() {
        StreamJson.Line decoded = StreamJson.decode("");

        assertInstanceOf(AgentMessage.NotJson.class, decoded.message());
        assertNull(decoded.json());
        assertEquals("", decoded.text());
    }

    @Test
    void jsonArrayLineIsNotAnObject() {
        StreamJson.Line decoded = StreamJson.decode("[{\"type\":\"result\",\"is_error\":false}]");

        assertInstanceOf(AgentMessage.NotJson.class, decoded.message());
        assertNull(decoded.json());
        assertEquals("[{\"type\":\"result\",\"is_error\":false}]", decoded.text());
    }

    @Test
    void cutJsonObjectIsKeptAsText() {
        StreamJson.Line decoded = StreamJson.decode("{\"type\":\"result\",\"is_er");

        assertInstanceOf(AgentMessage.NotJson.class, decoded.message());
        assertEquals("{\"type\":\"result\",\"is_er", decoded.text());
    }

    @Test
    void binaryGarbageIsKeptAsTextWithInvalidBytesReplaced() {
        ByteString garbage = ByteString.fromArray(new byte[] {'{', (byte) 0xFF, (byte) 0xFE, 0x00, 0x01, 'a'});

        StreamJson.Line decoded = StreamJson.decode(garbage);

        assertInstanceOf(AgentMessage.NotJson.class, decoded.message());
        assertNull(decoded.json());
        assertEquals("{\uFFFD\uFFFD\u0000\u0001a", decoded.text());
    }

    @Test
    void objectFollowedByMoreTextIsKeptAsText() {
        StreamJson.Line decoded = StreamJson.decode("{\"type\":\"result\",\"is_error\":false} trailing");

        assertInstanceOf(AgentMessage.NotJson.class, decoded.message());
        assertEquals("{\"type\":\"result\",\"is_error\":false} trailing", decoded.text());
    }

    // Reading a line's type without its tree.

    @Test
    void theTypeOfALineIsReadWithoutItsTreeExactlyWhenTheTreeWouldBeBuilt() throws Exception {
        List<String> lines = new ArrayList<>();
        for (String sample : Transcripts.names()) {
            lines.addAll(Transcripts.stdoutLines(sample));
        }
        lines.addAll(List.of("", "plain text", "[{\"type\":\"result\"}]", "{\"type\":\"result\",\"is_er",
                "{\"type\":\"result\"} trailing", "{\"type\":\"result\"}{\"type\":\"result\"}", "{}", "  {\"type\":null}  ",
                "{\"a\":{\"type\":\"result\"},\"type\":\"assistant\"}", "{\"type\":\"assistant\",\"x\":[1,{\"y\":tru}]}",
                "{\"type\":\"assistant\",\"t\":\"a\u0001b\"}", "{\"type\":\"assistant\",\"t\":\"bad \\q escape\"}",
                "{\"type\":\"assistant\",\"message\":{\"content\":\"unterminated}}", "{\"type\":\"x\",\"n\":01}",
                // A string longer than the parser allows: skipping it would not notice.
                "{\"type\":\"assistant\",\"s\":\"" + "k".repeat(20_000_001) + "\"}"));

        for (String line : lines) {
            JsonNode tree = StreamJson.decode(line).json();
            Optional<String> expected = tree == null ? Optional.empty()
                    : Optional.of(tree.path("type").isTextual() ? tree.path("type").asText() : "");
            assertEquals(expected, StreamJson.objectType(line), () -> line.length() > 200 ? line.substring(0, 200) + "..." : line);
        }
        assertTrue(lines.stream().filter(line -> StreamJson.objectType(line).isPresent()).count() > 50,
                "the real transcripts are in the comparison");
    }

    // Results that do not say how they went.

    @Test
    void resultWithoutIsErrorCountsAsAnError() {
        StreamJson.Line decoded = StreamJson.decode("{\"type\":\"result\",\"subtype\":\"success\",\"result\":\"Done.\"}");

        AgentMessage.Result result = assertInstanceOf(AgentMessage.Result.class, decoded.message());
        assertTrue(result.isError());
        assertNotNull(decoded.json());
    }

    // Cutting bytes into lines.

    @Test
    void bytesAreSplitIntoLinesAtEachNewline() throws Exception {
        List<ByteString> lines = frame(64, "{\"a\":1}\n{\"b\":2}\n");

        assertEquals(List.of("{\"a\":1}", "{\"b\":2}"), texts(lines));
    }

    @Test
    void lastLineWithoutNewlineIsKept() throws Exception {
        List<ByteString> lines = frame(64, "{\"a\":1}\n{\"b\":2}");

        assertEquals(List.of("{\"a\":1}", "{\"b\":2}"), texts(lines));
    }

    @Test
    void lineSplitAcrossChunksIsJoined() throws Exception {
        List<ByteString> lines = frame(64, "{\"ty", "pe\":\"system\"}\n{\"b\"", ":2}\n");

        assertEquals(List.of("{\"type\":\"system\"}", "{\"b\":2}"), texts(lines));
    }

    @Test
    void lineOfExactlyTheMaximumLengthPasses() throws Exception {
        List<ByteString> lines = frame(10, "0123456789\n");

        assertEquals(List.of("0123456789"), texts(lines));
    }

    @Test
    void lineLongerThanTheMaximumIsCutMarkedAndTheRestOfItSkipped() throws Exception {
        List<StreamJson.RawLine> lines = rawLines(10,
                List.of(ByteString.fromString("short\n0123456789ABC"), ByteString.fromString("DEF\nnext\n")));

        assertEquals(List.of("short", "0123456789", "next"), lines.stream().map(l -> l.bytes().utf8String()).toList());
        assertEquals(List.of(false, true, false), lines.stream().map(StreamJson.RawLine::truncated).toList());
    }

    @Test
    void lastLineLongerThanTheMaximumIsCutEvenWithoutNewline() throws Exception {
        List<StreamJson.RawLine> lines = rawLines(10, List.of(ByteString.fromString("short\n01234567890")));

        assertEquals(List.of("short", "0123456789"), lines.stream().map(l -> l.bytes().utf8String()).toList());
        assertTrue(lines.get(1).truncated());
    }

    @Test
    void characterSplitAcrossChunksStaysWhole() throws Exception {
        List<ByteString> chunks = List.of(
                ByteString.fromString("ok\n"),
                ByteString.fromArray(new byte[] {(byte) 0xC3}),
                ByteString.fromArray(new byte[] {(byte) 0xA9, '\n'}),
                ByteString.fromString("{}\n"));

        List<ByteString> lines = frame(64, chunks);

        assertEquals(List.of("ok", "é", "{}"), texts(lines));
    }

    @Test
    void aJsonLineIsJournaledAsPrintedOnlyWhenNoReaderOfLinesCouldSplitIt() {
        String withCarriageReturn = "{\"type\":\"assistant\",\r\"message\":{}}";
        assertTrue(StreamJson.decode(withCarriageReturn).json() != null, "JSON allows it between tokens");

        assertEquals(java.util.Optional.empty(), StreamJson.verbatim(withCarriageReturn));
        assertEquals(java.util.Optional.of("{\"type\":\"x\",\"text\":\"a\\r\\nb\"}"),
                StreamJson.verbatim("  {\"type\":\"x\",\"text\":\"a\\r\\nb\"}  "), "escaped, trimmed: as printed");
    }
}
