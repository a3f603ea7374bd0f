package dev.troupe.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.agent.AgentMessage;
import dev.troupe.agent.StreamJson;
import dev.troupe.journal.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stand-in speaks what the real CLI needs: checked by running the real CLI against it, without troupe. */
class MessagesApiStandInTest {

    @AutoClose
    static final MessagesApiStandIn api = MessagesApiStandIn.start();

    @TempDir
    Path tmp;

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

    // What the user said after the prompt, read from request bodies the CLI 2.1.328 sent (src/test/resources/
    // messages-api-requests, their messages only) and from bodies built here in the same shape.

    private static final String WORKING_DIRECTORY = "/tmp/work";

    private static MessagesApiStandIn.Request recorded(String name) throws IOException {
        try (var in = MessagesApiStandInTest.class.getResourceAsStream("/messages-api-requests/" + name + ".json")) {
            return request(Json.MAPPER.readTree(in));
        }
    }

    private static MessagesApiStandIn.Request request(JsonNode body) {
        int turn = 0;
        for (JsonNode message : body.path("messages")) {
            turn += "assistant".equals(message.path("role").asText()) ? 1 : 0;
        }
        return new MessagesApiStandIn.Request("built", "session", turn, 1, true, "model", body, Map.of());
    }

    /** A conversation as the CLI sends it: the prompt after a system reminder, then the environment. */
    private static ArrayNode conversation(String prompt) {
        ArrayNode messages = Json.MAPPER.createArrayNode();
        ArrayNode first = messages.addObject().put("role", "user").putArray("content");
        first.addObject().put("type", "text").put("text", "<system-reminder>\nSome context.\n</system-reminder>");
        first.addObject().put("type", "text").put("text", prompt);
        messages.addObject().put("role", "system")
                .put("content", "# Environment\n - Primary working directory: " + WORKING_DIRECTORY + "\n");
        return messages;
    }

    private static void toolCall(ArrayNode messages, String id, String tool, JsonNode input) {
        ArrayNode reply = messages.addObject().put("role", "assistant").putArray("content");
        reply.addObject().put("type", "text").put("text", "I'll do it.");
        reply.addObject().put("type", "tool_use").put("id", id).put("name", tool).set("input", input);
        messages.addObject().put("role", "user").putArray("content").addObject().put("type", "tool_result")
                .put("tool_use_id", id).put("content", "ok").put("is_error", false);
    }

    /** The block the CLI adds to a running turn for a message written to stdin meanwhile. */
    private static void saidMidTurn(ArrayNode messages, String text) {
        messages.addObject().put("role", "system").putArray("content").addObject().put("type", "text")
                .put("text", Conversation.INJECTED + "\n" + text + Conversation.INJECTED_END
                        + " \u2014 within the running turn. Address the message above as you continue this turn.");
    }

    private static MessagesApiStandIn.Request request(ArrayNode messages) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("model", "model").put("stream", true);
        body.set("messages", messages);
        return request(body);
    }

    private static final MessagesApiStandIn.Script SAYS_DONE = request -> MessagesApiStandIn.text("Done.");

    private static MessagesApiStandIn.Reply.ToolUse asToolUse(MessagesApiStandIn.Reply reply) {
        assertTrue(reply instanceof MessagesApiStandIn.Reply.ToolUse, "a tool call: " + reply);
        return (MessagesApiStandIn.Reply.ToolUse) reply;
    }

    @Test
    void messagesSentDuringAToolAreHeardEachAsTheUserWroteIt() throws IOException {
        MessagesApiStandIn.Request request = recorded("q2b-two-msgs-during-tool.req-02");

        assertEquals(List.of("second during tool", "third during tool"), request.heard());
        assertEquals(request.heard(), request.newSinceLastReply(), "nothing has answered them yet");
        assertEquals("first: SLEEP4", request.prompt());
    }

    @Test
    void aMessageOfItsOwnTurnIsHeardAndNotTheCliReminders() throws IOException {
        assertEquals(List.of("hello two"), recorded("q1q3-open-stdin.req-02").heard());
        assertEquals(List.of("queued before interrupt"), recorded("q5b-interrupt-with-queued.req-02").heard(),
                "neither the rejected tool result nor the interrupt's note is the user's");
    }

    @Test
    void whatARepliedToMessageSaidIsHeardButNotNew() {
        ArrayNode messages = conversation("sleep");
        toolCall(messages, "toolu_1", "Bash", Json.MAPPER.createObjectNode().put("command", "sleep 3"));
        saidMidTurn(messages, "first line\n\"quoted\" second line");
        messages.addObject().put("role", "assistant").putArray("content").addObject().put("type", "text").put("text", "Ok.");
        messages.addObject().put("role", "user").put("content", "and then this");

        MessagesApiStandIn.Request request = request(messages);

        assertEquals(List.of("first line\n\"quoted\" second line", "and then this"), request.heard());
        assertEquals(List.of("and then this"), request.newSinceLastReply());
    }

    @Test
    void anObeyingScriptWritesTheFileAMessageNamesOnceAndThenLeavesTheRestToItsBase() {
        MessagesApiStandIn.Script script = MessagesApiStandIn.obeying(SAYS_DONE);
        ArrayNode messages = conversation("sleep");
        toolCall(messages, "toolu_1", "Bash", Json.MAPPER.createObjectNode().put("command", "sleep 3"));
        saidMidTurn(messages, "please write extra.txt \"also\"");

        MessagesApiStandIn.Reply.ToolUse write = asToolUse(script.reply(request(messages)));
        assertEquals("Write", write.tool());
        assertEquals(WORKING_DIRECTORY + "/extra.txt", write.input().path("file_path").asText());
        assertEquals("also", write.input().path("content").asText());

        toolCall(messages, "toolu_2", "Write", write.input());
        assertEquals(MessagesApiStandIn.text("Done."), script.reply(request(messages)), "the directive was carried out");
    }

    @Test
    void anObeyingScriptCarriesOutEveryDirectiveInTurnWithQuotesAndNewlinesInTheText() {
        MessagesApiStandIn.Script script = MessagesApiStandIn.obeying(SAYS_DONE);
        ArrayNode messages = conversation("sleep");
        toolCall(messages, "toolu_1", "Bash", Json.MAPPER.createObjectNode().put("command", "sleep 3"));
        saidMidTurn(messages, "Two \"things\":\nwrite a.txt \"She said \\\"hi\\\"\\nthen left\"\nwrite b/c.txt \"raw\nnewline\"");

        JsonNode first = asToolUse(script.reply(request(messages))).input();
        assertEquals(WORKING_DIRECTORY + "/a.txt", first.path("file_path").asText());
        assertEquals("She said \"hi\"\nthen left", first.path("content").asText());
        toolCall(messages, "toolu_2", "Write", first);
        JsonNode second = asToolUse(script.reply(request(messages))).input();
        assertEquals(WORKING_DIRECTORY + "/b/c.txt", second.path("file_path").asText());
        assertEquals("raw\nnewline", second.path("content").asText());
        toolCall(messages, "toolu_3", "Write", second);
        assertEquals(MessagesApiStandIn.text("Done."), script.reply(request(messages)));
    }

    @Test
    void anObeyingScriptLeavesThePromptToItsBase() {
        MessagesApiStandIn.Script script = MessagesApiStandIn.obeying(SAYS_DONE);

        assertEquals(MessagesApiStandIn.text("Done."), script.reply(request(conversation("write x.txt \"y\""))));
    }
}
