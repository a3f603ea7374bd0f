package dev.troupe.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.journal.Json;
import dev.troupe.testing.MessagesApiStandIn;
import dev.troupe.testing.TranscriptCases;
import dev.troupe.testing.TranscriptRecorder;
import dev.troupe.testing.Transcripts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed Claude Code transcripts the tests read are still what the pinned CLI prints: a case is recorded
 * anew and compared by shape, so a CLI upgrade that changes the stream is noticed here, not by a worker that
 * misreads it. And they hold no API key.
 */
class RecordedTranscriptsTest {

    private static final String CASE = "success-write-tool";

    @TempDir
    Path tmp;

    @Test
    void aToolCallRunRecordedAnewHasTheShapeOfTheCommittedRecording() throws Exception {
        String installed = System.getProperty("troupe.claude");
        assertTrue(installed != null && Files.isExecutable(Path.of(installed)),
                "the Claude Code CLI is installed by the build (mvn verify) into target/claude-code: " + installed);
        TranscriptRecorder.Recording fresh;
        try (MessagesApiStandIn api = MessagesApiStandIn.start()) {
            TranscriptRecorder recorder = new TranscriptRecorder(Path.of(installed), System.getenv("ANTHROPIC_API_KEY"), api);
            fresh = recorder.record(TranscriptCases.named(CASE), tmp);
        }

        JsonNode meta = Transcripts.meta(CASE);
        List<String> recorded = shape(Transcripts.stdoutLines(CASE));
        List<String> now = shape(fresh.stdout());
        if (!recorded.equals(now) || meta.path("exit_code").asInt() != fresh.exitCode()) {
            fail("Claude Code " + fresh.version() + " no longer prints what " + Transcripts.stdout(CASE).getFileName()
                    + " (recorded with " + meta.path("claude_code_version").asText() + ") holds:\n"
                    + differences(recorded, now)
                    + (meta.path("exit_code").asInt() == fresh.exitCode() ? ""
                            : "  exit code: recorded " + meta.path("exit_code").asInt() + ", now " + fresh.exitCode() + "\n")
                    + "Check that troupe still reads the stream (docs/agent-protocol.md), then re-record every case with "
                    + "src/test/scripts/record-transcripts.sh and review the diff of src/test/resources/claude-transcripts.");
        }
    }

    /**
     * What a line is made of, without its values (ids, timestamps, paths, durations and counts differ by run):
     * its type and subtype, its keys, its message's keys and content blocks, and a result's usage keys.
     */
    static List<String> shape(List<String> lines) throws IOException {
        List<String> shapes = new ArrayList<>();
        for (String line : lines) {
            JsonNode json = Json.MAPPER.readTree(line);
            StringBuilder shape = new StringBuilder(json.path("type").asText());
            if (json.has("subtype")) {
                shape.append('/').append(json.path("subtype").asText());
            }
            shape.append(" keys=").append(keys(json));
            JsonNode message = json.path("message");
            if (message.isObject()) {
                List<String> blocks = new ArrayList<>();
                message.path("content").forEach(block -> blocks.add(block.path("type").asText()));
                shape.append(" message=").append(keys(message)).append(" content=").append(blocks);
            }
            if ("result".equals(json.path("type").asText())) {
                shape.append(" usage=").append(keys(json.path("usage")));
            }
            shapes.add(shape.toString());
        }
        return shapes;
    }

    private static TreeSet<String> keys(JsonNode object) {
        TreeSet<String> keys = new TreeSet<>();
        object.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    private static String differences(List<String> recorded, List<String> now) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.max(recorded.size(), now.size()); i++) {
            String was = i < recorded.size() ? recorded.get(i) : "(no line)";
            String is = i < now.size() ? now.get(i) : "(no line)";
            if (!was.equals(is)) {
                out.append("  line ").append(i + 1).append(":\n    recorded: ").append(was).append("\n    now:      ")
                        .append(is).append('\n');
            }
        }
        return out.toString();
    }

    @Test
    void noRecordingHoldsTheApiKey() throws IOException {
        String key = System.getenv("ANTHROPIC_API_KEY");
        assertTrue(key != null && key.startsWith(TranscriptRecorder.KEY_PREFIX), "the test key comes from the pom");
        List<Path> files;
        try (Stream<Path> listed = Files.list(Transcripts.dir())) {
            files = listed.toList();
        }
        assertTrue(files.size() > 10, "the recordings are there: " + files);
        for (Path file : files) {
            String content = Files.readString(file, StandardCharsets.ISO_8859_1);
            assertFalse(content.contains(key.substring(key.length() - 16)), "the stand-in key is in " + file);
            assertFalse(content.contains("sk-ant-"), "a key is in " + file);
        }
    }

    @Test
    void everyCaseHasARecordingAndEveryRecordingACase() {
        assertEquals(TranscriptCases.ALL.stream().map(TranscriptCases.Case::name).sorted().toList(), Transcripts.names(),
                "re-record with src/test/scripts/record-transcripts.sh");
    }

    // Live input (--input-format stream-json), read through troupe's own parsing from the recordings of the cases
    // that write to the CLI's stdin.

    private static final String DURING_TOOL = "live-message-during-tool";
    private static final String AFTER_RESULT = "live-message-after-result";
    private static final String INTERRUPT = "live-interrupt";
    private static final String QUOTED = "live-message-with-quotes-and-newlines";
    private static final List<String> LIVE = List.of(DURING_TOOL, AFTER_RESULT, INTERRUPT, QUOTED);

    private static List<StreamJson.Line> decoded(String name) {
        return Transcripts.stdoutLines(name).stream().map(StreamJson::decode).toList();
    }

    /** The user messages the recorder wrote to stdin, as written (the prompt first). */
    private static List<JsonNode> written(String name) throws IOException {
        List<JsonNode> messages = new ArrayList<>();
        for (JsonNode step : Transcripts.meta(name).path("stdin")) {
            JsonNode line = step.path("line");
            if (line.isTextual() && "user".equals(Json.MAPPER.readTree(line.asText()).path("type").asText())) {
                messages.add(Json.MAPPER.readTree(line.asText()));
            }
        }
        return messages;
    }

    /** Where in the output the first line of that kind is, after line {@code from}; fails when there is none. */
    private static int indexOf(List<StreamJson.Line> lines, int from, java.util.function.Predicate<AgentMessage> kind,
            String what) {
        for (int i = from; i < lines.size(); i++) {
            if (kind.test(lines.get(i).message())) {
                return i;
            }
        }
        return fail("no " + what + " after line " + (from + 1));
    }

    private static int heard(List<StreamJson.Line> lines, String uuid) {
        return indexOf(lines, 0, m -> m instanceof AgentMessage.Heard heard && heard.uuid().equals(uuid),
                "echo of " + uuid);
    }

    private static List<AgentMessage.Result> results(List<StreamJson.Line> lines) {
        return lines.stream().map(StreamJson.Line::message).filter(AgentMessage.Result.class::isInstance)
                .map(AgentMessage.Result.class::cast).toList();
    }

    private static long count(List<StreamJson.Line> lines, Class<? extends AgentMessage> kind) {
        return lines.stream().filter(l -> kind.isInstance(l.message())).count();
    }

    @Test
    void everyMessageWrittenToStdinIsEchoedUnderTheUuidItWasWrittenWithInTheOrderWritten() throws IOException {
        for (String name : LIVE) {
            List<StreamJson.Line> lines = decoded(name);
            List<String> uuids = written(name).stream().map(m -> m.path("uuid").asText()).toList();
            List<String> echoed = lines.stream().map(StreamJson.Line::message).filter(AgentMessage.Heard.class::isInstance)
                    .map(m -> ((AgentMessage.Heard) m).uuid()).toList();

            assertEquals(uuids, echoed, name);
        }
    }

    @Test
    void aMessageWrittenDuringAToolIsHeardWhenTheToolsResultGoesBackAndAnsweredInTheSameTurn() throws IOException {
        for (String name : List.of(DURING_TOOL, QUOTED)) {
            List<StreamJson.Line> lines = decoded(name);
            int echo = heard(lines, written(name).get(1).path("uuid").asText());
            int result = indexOf(lines, 0, AgentMessage.Result.class::isInstance, "result");

            assertEquals(1, count(lines, AgentMessage.Init.class), name + ": one turn");
            assertEquals(1, results(lines).size(), name + ": one result");
            assertFalse(results(lines).get(0).isError(), name);
            assertTrue(echo > Transcripts.meta(name).path("stdin").get(1).path("after_stdout_lines").asInt()
                    && echo > indexOf(lines, 0, m -> m instanceof AgentMessage.ToolUse tool && tool.tool().equals("Bash"),
                            "Bash call") + 1, name + ": echoed once the Bash call's result went back, not when written");
            assertTrue(indexOf(lines, echo, m -> m instanceof AgentMessage.ToolUse tool && tool.tool().equals("Write"),
                    "Write call") < result, name + ": the message was obeyed before the turn's result");
        }
    }

    @Test
    void aMessageWrittenAfterTheResultIsATurnOfItsOwnWithItsOwnInitAndResult() throws IOException {
        List<StreamJson.Line> lines = decoded(AFTER_RESULT);
        int firstResult = indexOf(lines, 0, AgentMessage.Result.class::isInstance, "result");
        int secondInit = indexOf(lines, firstResult, AgentMessage.Init.class::isInstance, "second init");
        int echo = heard(lines, written(AFTER_RESULT).get(1).path("uuid").asText());
        int secondResult = indexOf(lines, echo, AgentMessage.Result.class::isInstance, "second result");

        assertTrue(firstResult < secondInit && secondInit < echo && echo < secondResult,
                "init, echo, result of a turn of its own after the first result");
        assertEquals(2, count(lines, AgentMessage.Init.class));
        assertEquals(List.of(false, false), results(lines).stream().map(AgentMessage.Result::isError).toList());
    }

    @Test
    void anInterruptEndsTheTurnWithAnErrorDuringExecutionAndTheNextMessageRunsAsATurnOfItsOwn() throws IOException {
        List<StreamJson.Line> lines = decoded(INTERRUPT);
        int answered = indexOf(lines, 0, m -> m instanceof AgentMessage.ControlResponse response
                && response.requestId().equals("interrupt-1") && response.subtype().equals("success"), "control_response");
        int firstResult = indexOf(lines, 0, AgentMessage.Result.class::isInstance, "result");
        List<AgentMessage.Result> results = results(lines);

        assertTrue(answered < firstResult, "the interrupt is answered before the turn's result");
        assertTrue(results.get(0).isError());
        assertEquals("error_during_execution", results.get(0).subtype());
        assertTrue(indexOf(lines, firstResult, AgentMessage.Init.class::isInstance, "init")
                < heard(lines, written(INTERRUPT).get(1).path("uuid").asText()), "the next message has a turn of its own");
        assertEquals(2, results.size());
        assertFalse(results.get(1).isError(), results.get(1).failureReason());
    }

    @Test
    void aResultsCostAndModelUsageAreTheProcesssTotalWhileItsUsageIsTheTurns() throws IOException {
        for (String name : List.of(AFTER_RESULT, INTERRUPT)) {
            List<StreamJson.Line> lines = decoded(name);
            List<AgentMessage.Result> results = results(lines);
            List<JsonNode> json = lines.stream().filter(l -> l.message() instanceof AgentMessage.Result)
                    .map(StreamJson.Line::json).toList();

            assertTrue(results.get(1).costUsd() > results.get(0).costUsd(), name + ": total_cost_usd grows");
            for (int i = 0; i < results.size(); i++) {
                assertTrue(results.get(i).usageIsTotal(), name + ": modelUsage on result " + (i + 1));
            }
            assertEquals(results.get(0).usage().inputTokens() + json.get(1).path("usage").path("input_tokens").asLong(),
                    results.get(1).usage().inputTokens(), name + ": modelUsage adds the turn's usage to what came before");
        }
    }

    @Test
    void aMessageWithQuotesBackslashesTabsAndNewlinesArrivesAsWritten() throws IOException {
        List<StreamJson.Line> lines = decoded(QUOTED);
        JsonNode sent = written(QUOTED).get(1);
        JsonNode echo = lines.get(heard(lines, sent.path("uuid").asText())).json();
        JsonNode write = lines.stream().map(StreamJson.Line::json)
                .filter(j -> j.path("message").path("content").path(0).path("name").asText().equals("Write"))
                .findFirst().orElseThrow().path("message").path("content").path(0).path("input");

        assertEquals(sent.path("message").path("content").asText(), echo.path("message").path("content").asText());
        assertEquals("She said \"hi\",\nthen left \u2014 \u00fcn\u00efc\u00f6d\u00e9", write.path("content").asText(),
                "the stand-in read the directive out of the CLI's mid-turn block");
    }
}
