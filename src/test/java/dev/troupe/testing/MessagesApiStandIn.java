package dev.troupe.testing;

import static dev.troupe.testing.StandInServer.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.troupe.journal.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for the Anthropic Messages API on 127.0.0.1, for driving the real Claude Code CLI in tests
 * ({@code ANTHROPIC_BASE_URL=http://127.0.0.1:<port>/s/<scenario>}). It speaks what the CLI 2.1.328 was
 * observed to need: SSE with an {@code event:} line per event and unique message ids, the non-streaming
 * fallback, and error statuses with their JSON bodies. Each scenario is a {@link Script} that picks the reply
 * to a request from what the conversation holds so far.
 */
public final class MessagesApiStandIn implements AutoCloseable {

    /** One request as a script sees it. */
    public record Request(String scenario, String sessionId, int turn, int tryOfTurn, boolean stream, String model,
            JsonNode body, Map<String, List<String>> headers) {

        /** The agent's working directory, as the CLI describes its environment to the model. */
        public String workingDirectory() {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("Primary working directory: ([^\\s\\\\]+)")
                    .matcher(body.toString());
            if (!m.find()) {
                throw new IllegalStateException("the request names no working directory");
            }
            return m.group(1);
        }

        /** The text of the last user message (empty when it holds only tool results): a resumed session's new message. */
        public String lastUserText() {
            String last = "";
            for (JsonNode message : body.path("messages")) {
                if ("user".equals(message.path("role").asText())) {
                    JsonNode content = message.path("content");
                    StringBuilder text = new StringBuilder(content.isTextual() ? content.asText() : "");
                    for (JsonNode block : content) {
                        if ("text".equals(block.path("type").asText())) {
                            text.append(block.path("text").asText());
                        }
                    }
                    last = text.toString();
                }
            }
            return last;
        }

        /**
         * What the user said after the prompt, in order: later user messages (a turn of their own) and the messages
         * the CLI put into a running turn as a {@code role:"system"} block ("The user sent a new message while you
         * were working: ..."), each as the user wrote it.
         */
        public List<String> heard() {
            return Conversation.heard(body).stream().map(Conversation.Said::text).toList();
        }

        /** What the user said after the last assistant message: what the model has not answered yet. */
        public List<String> newSinceLastReply() {
            return Conversation.unanswered(body).stream().map(Conversation.Said::text).toList();
        }

        /** The text of the first user message: the prompt, after the CLI's system reminders. */
        public String prompt() {
            for (JsonNode message : body.path("messages")) {
                if ("user".equals(message.path("role").asText())) {
                    JsonNode content = message.path("content");
                    if (content.isTextual()) {
                        return content.asText();
                    }
                    String last = "";
                    for (JsonNode block : content) {
                        if ("text".equals(block.path("type").asText())) {
                            last = block.path("text").asText();
                        }
                    }
                    return last;
                }
            }
            return "";
        }
    }

    /** How a scenario answers. */
    @FunctionalInterface
    public interface Script {
        Reply reply(Request request);
    }

    /** What the stand-in answers with. */
    public sealed interface Reply {
        record Text(String text) implements Reply {}

        record ToolUse(String text, String tool, JsonNode input) implements Reply {}

        /** HTTP error; {@code retryAfterSeconds} adds a retry-after header when positive. */
        record Error(int status, String type, String message, int retryAfterSeconds) implements Reply {}

        /** Reads the request and never answers. */
        record Hang() implements Reply {}

        /** Starts the stream, then closes the connection before the message ends. */
        record Cut() implements Reply {}
    }

    public static Reply text(String text) {
        return new Reply.Text(text);
    }

    public static Reply write(String absolutePath, String content) {
        ObjectNode input = Json.MAPPER.createObjectNode().put("file_path", absolutePath).put("content", content);
        return new Reply.ToolUse("I'll write " + absolutePath + ".", "Write", input);
    }

    public static Reply edit(String absolutePath, String oldString, String newString) {
        ObjectNode input = Json.MAPPER.createObjectNode().put("file_path", absolutePath).put("old_string", oldString)
                .put("new_string", newString);
        return new Reply.ToolUse("I'll edit " + absolutePath + ".", "Edit", input);
    }

    /** The answer to a {@code --json-schema} run: the CLI ends with this object as {@code structured_output}. */
    public static Reply structuredOutput(JsonNode object) {
        return new Reply.ToolUse("Here is the result.", "StructuredOutput", object);
    }

    public static Reply bash(String command) {
        ObjectNode input = Json.MAPPER.createObjectNode().put("command", command).put("description", "run it");
        return new Reply.ToolUse("I'll run it.", "Bash", input);
    }

    /**
     * Carries out what the user says after the prompt: while a {@code write PATH "TEXT"} they gave is pending (see
     * {@link WriteDirective}), the reply is a Write of TEXT to PATH in the agent's working directory, one directive
     * a reply, in the order given; otherwise {@code base} answers. The Write in the conversation answers the
     * directive, so it is made once.
     */
    public static Script obeying(Script base) {
        return request -> WriteDirective.firstPending(request)
                .map(directive -> write(directive.file(request), directive.text()))
                .orElseGet(() -> base.reply(request));
    }

    public static final int INPUT_TOKENS = 10;
    public static final int OUTPUT_TOKENS = 5;

    private final StandInServer<Script, Request> server;
    private final Map<String, AtomicInteger> tries = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();

    private MessagesApiStandIn() {
        server = StandInServer.start(this::handle);
    }

    public static MessagesApiStandIn start() {
        return new MessagesApiStandIn();
    }

    /** Registers a scenario and returns the base URL that selects it. */
    public String baseUrl(String scenario, Script script) {
        return server.url(scenario, script);
    }

    public List<Request> requests(String scenario) {
        return server.requests(scenario);
    }

    @Override
    public void close() {
        server.close();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        // /s/<scenario>/v1/messages or /s/<scenario>/api/hello
        String scenario = StandInServer.scenario(exchange);
        if (path.endsWith("/api/hello") || !"POST".equals(exchange.getRequestMethod())) {
            exchange.sendResponseHeaders(200, -1);
            return;
        }
        Script script = server.script(scenario);
        if (script == null || !path.endsWith("/v1/messages")) {
            sendError(exchange, new Reply.Error(404, "not_found_error", "no scenario " + scenario, 0));
            return;
        }
        JsonNode body = Json.MAPPER.readTree(exchange.getRequestBody());
        String session = exchange.getRequestHeaders().getFirst("X-Claude-Code-Session-Id");
        int turn = 0;
        for (JsonNode message : body.path("messages")) {
            if ("assistant".equals(message.path("role").asText())) {
                turn++;
            }
        }
        int tryOfTurn = tries.computeIfAbsent(scenario + "/" + session + "/" + turn, k -> new AtomicInteger())
                .incrementAndGet();
        Request request = new Request(scenario, session, turn, tryOfTurn, body.path("stream").asBoolean(false),
                body.path("model").asText(), body, Map.copyOf(exchange.getRequestHeaders()));
        server.record(scenario, request);
        answer(exchange, request, script.reply(request));
    }

    private void answer(HttpExchange exchange, Request request, Reply reply) throws IOException {
        if (reply instanceof Reply.Error error) {
            sendError(exchange, error);
        } else if (reply instanceof Reply.Hang) {
            server.hang();
        } else if (reply instanceof Reply.Cut) {
            exchange.getResponseHeaders().set("content-type", "text/event-stream");
            exchange.sendResponseHeaders(200, 1 << 20);
            OutputStream out = exchange.getResponseBody();
            out.write(event("message_start", messageStart(request)));
            out.flush();
            // A handler that fails makes the JDK server drop the connection: the client sees it cut mid-message.
            throw new IOException("stream cut on purpose");
        } else {
            ArrayNode content = content(reply);
            String stopReason = reply instanceof Reply.ToolUse ? "tool_use" : "end_turn";
            if (request.stream()) {
                stream(exchange, request, content, stopReason);
            } else {
                ObjectNode message = message(request, content, stopReason);
                message.putObject("usage").put("input_tokens", INPUT_TOKENS).put("output_tokens", OUTPUT_TOKENS);
                StandInServer.sendJson(exchange, 200, message);
            }
        }
    }

    private ArrayNode content(Reply reply) {
        ArrayNode content = Json.MAPPER.createArrayNode();
        if (reply instanceof Reply.Text text) {
            content.addObject().put("type", "text").put("text", text.text());
        } else if (reply instanceof Reply.ToolUse tool) {
            content.addObject().put("type", "text").put("text", tool.text());
            content.addObject().put("type", "tool_use").put("id", "toolu_standin_" + ids.incrementAndGet())
                    .put("name", tool.tool()).set("input", tool.input());
        }
        return content;
    }

    private void stream(HttpExchange exchange, Request request, ArrayNode content, String stopReason) throws IOException {
        exchange.getResponseHeaders().set("request-id", "req_standin_" + ids.incrementAndGet());
        OutputStream out = StandInServer.eventStream(exchange);
        out.write(event("message_start", messageStart(request)));
        for (int i = 0; i < content.size(); i++) {
            JsonNode block = content.get(i);
            ObjectNode start = Json.MAPPER.createObjectNode().put("type", "content_block_start").put("index", i);
            ObjectNode delta = Json.MAPPER.createObjectNode().put("type", "content_block_delta").put("index", i);
            if ("text".equals(block.path("type").asText())) {
                start.putObject("content_block").put("type", "text").put("text", "");
                delta.putObject("delta").put("type", "text_delta").put("text", block.path("text").asText());
            } else {
                ObjectNode toolStart = start.putObject("content_block").put("type", "tool_use")
                        .put("id", block.path("id").asText()).put("name", block.path("name").asText());
                toolStart.putObject("input");
                delta.putObject("delta").put("type", "input_json_delta")
                        .put("partial_json", Json.MAPPER.writeValueAsString(block.path("input")));
            }
            out.write(event("content_block_start", start));
            out.write(event("content_block_delta", delta));
            out.write(event("content_block_stop",
                    Json.MAPPER.createObjectNode().put("type", "content_block_stop").put("index", i)));
        }
        ObjectNode messageDelta = Json.MAPPER.createObjectNode().put("type", "message_delta");
        messageDelta.putObject("delta").put("stop_reason", stopReason).putNull("stop_sequence");
        messageDelta.putObject("usage").put("output_tokens", OUTPUT_TOKENS);
        out.write(event("message_delta", messageDelta));
        out.write(event("message_stop", Json.MAPPER.createObjectNode().put("type", "message_stop")));
        out.flush();
    }

    private ObjectNode messageStart(Request request) {
        ObjectNode message = message(request, Json.MAPPER.createArrayNode(), null);
        message.putObject("usage").put("input_tokens", INPUT_TOKENS).put("output_tokens", 1);
        ObjectNode start = Json.MAPPER.createObjectNode().put("type", "message_start");
        start.set("message", message);
        return start;
    }

    private ObjectNode message(Request request, ArrayNode content, String stopReason) {
        ObjectNode message = Json.MAPPER.createObjectNode().put("id", "msg_standin_" + ids.incrementAndGet())
                .put("type", "message").put("role", "assistant").put("model", request.model());
        message.set("content", content);
        message.put("stop_reason", stopReason).putNull("stop_sequence");
        return message;
    }

    private static void sendError(HttpExchange exchange, Reply.Error error) throws IOException {
        ObjectNode body = Json.MAPPER.createObjectNode().put("type", "error");
        body.putObject("error").put("type", error.type()).put("message", error.message());
        StandInServer.sendJson(exchange, error.status(), body,
                Optional.of(error.retryAfterSeconds()).filter(seconds -> seconds > 0));
    }
}
