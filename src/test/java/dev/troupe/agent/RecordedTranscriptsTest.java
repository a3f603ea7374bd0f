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
}
