package dev.troupe.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.agent.AgentMessage;
import dev.troupe.agent.StreamJson;
import dev.troupe.journal.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stand-in speaks what the real CLI needs: checked by running the real CLI against it, without troupe. */
class MessagesApiStandInTest {

    static MessagesApiStandIn api;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws IOException {
        api = MessagesApiStandIn.start();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    /** Runs {@code claude -p PROMPT --output-format stream-json --verbose EXTRA...} and returns its stdout lines. */
    private List<StreamJson.Line> claude(String scenario, MessagesApiStandIn.Script script, String prompt, String... extra)
            throws Exception {
        List<String> argv = new ArrayList<>(List.of(System.getProperty("troupe.claude"), "-p", prompt,
                "--output-format", "stream-json", "--verbose", "--permission-mode", "acceptEdits",
                "--allowedTools", "Read,Write,Edit"));
        argv.addAll(List.of(extra));
        ProcessBuilder builder = new ProcessBuilder(argv).directory(Files.createDirectories(tmp.resolve("work")).toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectError(tmp.resolve("stderr.txt").toFile());
        builder.environment().put("ANTHROPIC_BASE_URL", api.baseUrl(scenario, script));
        builder.environment().put("CLAUDE_CONFIG_DIR", Files.createDirectories(tmp.resolve("config")).toString());
        builder.environment().put("CLAUDE_CODE_TMPDIR", Files.createDirectories(tmp.resolve("tmp")).toString());
        builder.environment().put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
        builder.environment().put("CLAUDE_CODE_MAX_RETRIES", "2");
        // Should the stand-in fail to answer, the CLI gives up in seconds, not minutes.
        builder.environment().put("API_TIMEOUT_MS", "10000");
        builder.environment().put("CLAUDE_BYTE_STREAM_IDLE_TIMEOUT_MS", "10000");
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the CLI ended");
        return out.lines().map(StreamJson::decode).toList();
    }

    private static AgentMessage.Result result(List<StreamJson.Line> lines) {
        return lines.stream().map(StreamJson.Line::message).filter(AgentMessage.Result.class::isInstance)
                .map(AgentMessage.Result.class::cast).findFirst().orElseThrow(() -> new AssertionError("no result"));
    }

    @Test
    void aStructuredOutputCallEndsAJsonSchemaRunWithThatObject() throws Exception {
        JsonNode plan = Json.MAPPER.readTree("{\"tasks\":[{\"id\":\"api\",\"prompt\":\"Build it\"}]}");
        String schema = "{\"type\":\"object\",\"properties\":{\"tasks\":{\"type\":\"array\"}},\"required\":[\"tasks\"]}";

        List<StreamJson.Line> lines = claude("schema", request -> MessagesApiStandIn.structuredOutput(plan), "plan",
                "--json-schema", schema);

        assertFalse(result(lines).isError());
        JsonNode last = lines.get(lines.size() - 1).json();
        assertEquals(plan, last.path("structured_output"));
    }

    @Test
    void aStreamCutOnceIsRetriedByTheCliAndThenSucceeds() throws Exception {
        List<StreamJson.Line> lines = claude("cut", request -> request.tryOfTurn() == 1
                ? new MessagesApiStandIn.Reply.Cut() : MessagesApiStandIn.text("Hello."), "say hello");

        assertTrue(lines.stream().anyMatch(l -> l.message() instanceof AgentMessage.ApiRetry), "the cut was retried");
        AgentMessage.Result result = result(lines);
        assertFalse(result.isError(), result.failureReason());
        assertEquals("Hello.", result.text());
    }

    @Test
    void anEditToolCallChangesTheFileInTheWorkingDirectory() throws Exception {
        Path file = Files.createDirectories(tmp.resolve("work")).resolve("notes.txt");
        Files.writeString(file, "colour: red\n");

        List<StreamJson.Line> lines = claude("edit", request -> switch (request.turn()) {
            case 0 -> MessagesApiStandIn.write(file.toString(), "colour: red\n");
            case 1 -> MessagesApiStandIn.edit(file.toString(), "red", "blue");
            default -> MessagesApiStandIn.text("Changed.");
        }, "make it blue");

        assertFalse(result(lines).isError());
        assertEquals("colour: blue\n", Files.readString(file));
    }
}
