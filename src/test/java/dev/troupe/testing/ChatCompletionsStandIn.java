package dev.troupe.testing;

import static dev.troupe.testing.StandInServer.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.troupe.journal.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for the OpenAI Chat Completions API on 127.0.0.1, for driving the real OpenCode CLI in tests through
 * its {@code @ai-sdk/openai-compatible} provider ({@code baseURL http://127.0.0.1:<port>/s/<scenario>/v1}). It
 * streams what OpenCode 1.18.33 was observed to accept: {@code chat.completion.chunk}s, a usage chunk and
 * {@code [DONE]}. The request OpenCode makes for a session title (one without tools) is answered with a title; every
 * other request goes to the scenario's {@link Script}. Every request is kept, the title requests too.
 */
public final class ChatCompletionsStandIn implements AutoCloseable {

    /** One request as a script sees it. */
    public record Request(String scenario, boolean title, JsonNode body, Map<String, List<String>> headers) {

        /** The text of the last user message: the prompt, or a resumed session's new message. */
        public String lastUserText() {
            String last = "";
            for (JsonNode message : body.path("messages")) {
                if ("user".equals(message.path("role").asText())) {
                    last = text(message.path("content"));
                }
            }
            return last;
        }

        /** Whether the conversation ends with a tool's result: the model has to answer it. */
        public boolean afterToolResult() {
            JsonNode messages = body.path("messages");
            return messages.size() > 0 && "tool".equals(messages.get(messages.size() - 1).path("role").asText());
        }

        /** How many assistant messages the conversation holds: 0 for a new session's first request. */
        public int assistantMessages() {
            int count = 0;
            for (JsonNode message : body.path("messages")) {
                if ("assistant".equals(message.path("role").asText())) {
                    count++;
                }
            }
            return count;
        }

        /** The names of the tools the request offers the model. */
        public List<String> tools() {
            List<String> names = new java.util.ArrayList<>();
            body.path("tools").forEach(tool -> names.add(tool.path("function").path("name").asText()));
            return names;
        }

        private static String text(JsonNode content) {
            if (content.isTextual()) {
                return content.asText();
            }
            StringBuilder text = new StringBuilder();
            content.forEach(part -> text.append(part.path("text").asText("")));
            return text.toString();
        }
    }

    /** How a scenario answers the agent's requests. */
    @FunctionalInterface
    public interface Script {
        Reply reply(Request request);
    }

    /** What the stand-in answers with. */
    public sealed interface Reply {
        record Text(String text) implements Reply {}

        /** A call of one of OpenCode's tools, with its arguments. */
        record ToolCall(String tool, JsonNode arguments) implements Reply {}

        /** HTTP error; a {@code Retry-After} header with {@code retryAfterSeconds} when present (0 included). */
        record Error(int status, String type, String message, Optional<Integer> retryAfterSeconds) implements Reply {}

        /** Reads the request and never answers. */
        record Hang() implements Reply {}
    }

    public static Reply text(String text) {
        return new Reply.Text(text);
    }

    /** OpenCode's {@code write} tool; a relative path is taken from the session's directory. */
    public static Reply write(String filePath, String content) {
        return new Reply.ToolCall("write", Json.MAPPER.createObjectNode().put("filePath", filePath).put("content", content));
    }

    public static Reply bash(String command) {
        return new Reply.ToolCall("bash", Json.MAPPER.createObjectNode().put("command", command)
                .put("description", "Runs the command"));
    }

    /** An answer that is a JSON object and nothing else, as {@code StructuredText.ask} asks for. */
    public static Reply json(JsonNode object) {
        return new Reply.Text(object.toString());
    }

    /** 429 with {@code Retry-After: seconds}. */
    public static Reply rateLimited(int retryAfterSeconds) {
        return new Reply.Error(429, "rate_limit_error", "Rate limit exceeded (stand-in)", Optional.of(retryAfterSeconds));
    }

    public static Reply serverError() {
        return new Reply.Error(500, "server_error", "Internal server error (stand-in)", Optional.empty());
    }

    public static Reply hang() {
        return new Reply.Hang();
    }

    /** What the title request is answered with. */
    public static final String TITLE = "Stand-in session";
    public static final int PROMPT_TOKENS = 1000;
    public static final int CACHED_TOKENS = 200;
    public static final int COMPLETION_TOKENS = 100;

    private final StandInServer<Script, Request> server;
    private final AtomicInteger ids = new AtomicInteger();

    private ChatCompletionsStandIn() {
        server = StandInServer.start(this::handle);
    }

    public static ChatCompletionsStandIn start() {
        return new ChatCompletionsStandIn();
    }

    /** Registers a scenario and returns the base URL (ending in {@code /v1}) that selects it. */
    public String baseUrl(String scenario, Script script) {
        return server.url(scenario, script) + "/v1";
    }

    /** Every request of the scenario, title requests included, in the order they came. */
    public List<Request> requests(String scenario) {
        return server.requests(scenario);
    }

    /** The scenario's requests that went to its script. */
    public List<Request> agentRequests(String scenario) {
        return requests(scenario).stream().filter(r -> !r.title()).toList();
    }

    @Override
    public void close() {
        server.close();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String scenario = StandInServer.scenario(exchange);
        Script script = server.script(scenario);
        if (script == null || !"POST".equals(exchange.getRequestMethod()) || !path.endsWith("/chat/completions")) {
            sendError(exchange, new Reply.Error(404, "not_found", "no such scenario or path: " + path,
                    Optional.empty()));
            return;
        }
        JsonNode body = Json.MAPPER.readTree(exchange.getRequestBody());
        // OpenCode asks its small model for a session title with no tools offered; the agent always has tools.
        boolean title = body.path("tools").size() == 0;
        Request request = new Request(scenario, title, body, Map.copyOf(exchange.getRequestHeaders()));
        server.record(scenario, request);
        answer(exchange, request, title ? text(TITLE) : script.reply(request));
    }

    private void answer(HttpExchange exchange, Request request, Reply reply) throws IOException {
        if (reply instanceof Reply.Error error) {
            sendError(exchange, error);
        } else if (reply instanceof Reply.Hang) {
            server.hang();
        } else if (reply instanceof Reply.Text text) {
            stream(exchange, request, Json.MAPPER.createObjectNode().put("content", text.text()), "stop");
        } else if (reply instanceof Reply.ToolCall call) {
            ObjectNode delta = Json.MAPPER.createObjectNode();
            ObjectNode function = delta.putArray("tool_calls").addObject().put("index", 0)
                    .put("id", "call_standin_" + ids.incrementAndGet()).put("type", "function").putObject("function");
            function.put("name", call.tool()).put("arguments", call.arguments().toString());
            stream(exchange, request, delta, "tool_calls");
        }
    }

    /** One chunk with the whole delta, one with the finish reason, one with the usage, then {@code [DONE]}. */
    private void stream(HttpExchange exchange, Request request, ObjectNode delta, String finishReason)
            throws IOException {
        OutputStream out = StandInServer.eventStream(exchange);
        String id = "chatcmpl-standin-" + ids.incrementAndGet();
        delta.put("role", "assistant");
        ObjectNode first = chunk(id, request);
        first.putArray("choices").addObject().put("index", 0).putNull("finish_reason").set("delta", delta);
        out.write(data(first.toString()));
        ObjectNode last = chunk(id, request);
        last.putArray("choices").addObject().put("index", 0).put("finish_reason", finishReason).putObject("delta");
        out.write(data(last.toString()));
        ObjectNode usage = chunk(id, request);
        usage.putArray("choices");
        usage.putObject("usage").put("prompt_tokens", PROMPT_TOKENS).put("completion_tokens", COMPLETION_TOKENS)
                .put("total_tokens", PROMPT_TOKENS + COMPLETION_TOKENS)
                .putObject("prompt_tokens_details").put("cached_tokens", CACHED_TOKENS);
        out.write(data(usage.toString()));
        out.write(data("[DONE]"));
        out.flush();
    }

    private static ObjectNode chunk(String id, Request request) {
        return Json.MAPPER.createObjectNode().put("id", id).put("object", "chat.completion.chunk")
                .put("created", System.currentTimeMillis() / 1000).put("model", request.body().path("model").asText());
    }

    private static void sendError(HttpExchange exchange, Reply.Error error) throws IOException {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.putObject("error").put("message", error.message()).put("type", error.type())
                .put("code", Integer.toString(error.status()));
        StandInServer.sendJson(exchange, error.status(), body, error.retryAfterSeconds());
    }
}
