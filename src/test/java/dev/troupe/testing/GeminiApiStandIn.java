package dev.troupe.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.troupe.journal.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for the Gemini API on 127.0.0.1, for driving the real Gemini CLI in tests
 * ({@code GOOGLE_GEMINI_BASE_URL=http://127.0.0.1:<port>/s/<scenario>}: the CLI 0.61.0 keeps the path and adds
 * {@code /v1beta/models/<model>:streamGenerateContent?alt=sse}). It answers what that CLI was seen to send: the
 * streamed and the plain generateContent, countTokens and the model list; a stream is a {@code data:} line per event,
 * text in two pieces. Errors carry Google's JSON body ({@code {"error":{"code":429,"status":"RESOURCE_EXHAUSTED"}}}).
 * Each scenario is a {@link Script} that picks the reply from the conversation so far; every request is kept.
 */
public final class GeminiApiStandIn implements AutoCloseable {

    /** One request to generate content, as a script sees it. */
    public record Request(String scenario, String model, String method, JsonNode body, Map<String, List<String>> headers) {

        /** How many times the model has spoken in the conversation sent: 0 for a new session's first request. */
        public int turn() {
            int turn = 0;
            for (JsonNode content : body.path("contents")) {
                turn += "model".equals(content.path("role").asText()) ? 1 : 0;
            }
            return turn;
        }

        /** Whether the last thing in the conversation is a tool's result, which the model is to answer. */
        public boolean afterToolResult() {
            JsonNode contents = body.path("contents");
            JsonNode last = contents.path(contents.size() - 1);
            for (JsonNode part : last.path("parts")) {
                if (part.has("functionResponse")) {
                    return true;
                }
            }
            return false;
        }

        /** The user's messages in order, without the CLI's session context and tool results: the prompt comes first. */
        public List<String> userTexts() {
            List<String> texts = new ArrayList<>();
            for (JsonNode content : body.path("contents")) {
                if ("user".equals(content.path("role").asText())) {
                    for (JsonNode part : content.path("parts")) {
                        String text = part.path("text").asText("");
                        if (part.has("text") && !text.startsWith("<session_context>")) {
                            texts.add(text);
                        }
                    }
                }
            }
            return texts;
        }

        /** The workspace, as the CLI describes it to the model in its session context. */
        public String workingDirectory() {
            Matcher dir = Pattern.compile("Workspace Directories:\\*\\*\\n\\s*- (\\S+)").matcher(body.toString()
                    .replace("\\n", "\n"));
            if (!dir.find()) {
                throw new IllegalStateException("the request names no workspace directory");
            }
            return dir.group(1);
        }

        /** The functions the CLI offers the model. */
        public List<String> tools() {
            List<String> names = new ArrayList<>();
            body.path("tools").forEach(tool -> tool.path("functionDeclarations")
                    .forEach(function -> names.add(function.path("name").asText())));
            return names;
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

        record FunctionCall(String name, JsonNode args) implements Reply {}

        /** HTTP error with Google's body: {@code status} is the HTTP code, {@code name} Google's (RESOURCE_EXHAUSTED). */
        record Error(int status, String name, String message) implements Reply {}

        /** Reads the request and never answers. */
        record Hang() implements Reply {}
    }

    public static Reply text(String text) {
        return new Reply.Text(text);
    }

    /** The CLI's {@code write_file}; a relative path is taken from the workspace. */
    public static Reply write(String path, String content) {
        return new Reply.FunctionCall("write_file",
                Json.MAPPER.createObjectNode().put("file_path", path).put("content", content));
    }

    public static Reply shell(String command) {
        return new Reply.FunctionCall("run_shell_command",
                Json.MAPPER.createObjectNode().put("command", command).put("description", "run it"));
    }

    /** An answer of a schema's shape, as a model asked for one in the prompt gives it: the object as its text. */
    public static Reply json(JsonNode object) {
        return new Reply.Text(object.toString());
    }

    /** What the Gemini API says when a key's quota is spent. */
    public static Reply rateLimited() {
        return new Reply.Error(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).");
    }

    public static Reply internalError() {
        return new Reply.Error(500, "INTERNAL", "An internal error has occurred.");
    }

    /** A tool call in the first reply to each new message, text once its result is back. */
    public static Script callThenSay(Reply call, String text) {
        return request -> request.afterToolResult() ? text(text) : call;
    }

    public static final int PROMPT_TOKENS = 100;
    public static final int CACHED_TOKENS = 30;
    public static final int OUTPUT_TOKENS = 20;

    private final StandInServer<Script, Request> server;

    private GeminiApiStandIn() {
        server = StandInServer.start(this::handle);
    }

    public static GeminiApiStandIn start() {
        return new GeminiApiStandIn();
    }

    /** Registers a scenario and returns the base URL that selects it. */
    public String baseUrl(String scenario, Script script) {
        return server.url(scenario, script);
    }

    /** The scenario's requests to generate content, in the order they came. */
    public List<Request> requests(String scenario) {
        return server.requests(scenario);
    }

    @Override
    public void close() {
        server.close();
    }

    private void handle(HttpExchange exchange) throws IOException {
        // /s/<scenario>/v1beta/models/<model>:<method>, or /s/<scenario>/v1beta/models for the list
        Matcher call = Pattern.compile("/s/([^/]+)/[^/]+/models(?:/([^:/]+):(\\w+))?").matcher(
                exchange.getRequestURI().getPath());
        Script script = call.matches() ? server.script(call.group(1)) : null;
        if (script == null) {
            sendError(exchange, new Reply.Error(404, "NOT_FOUND", "no scenario at " + exchange.getRequestURI()));
            return;
        }
        String model = call.group(2);
        String method = call.group(3);
        if (method == null) {
            ObjectNode list = Json.MAPPER.createObjectNode();
            list.putArray("models").addObject().put("name", "models/stand-in").put("displayName", "stand-in");
            send(exchange, 200, list);
            return;
        }
        JsonNode body = Json.MAPPER.readTree(exchange.getRequestBody());
        switch (method) {
            case "countTokens" -> send(exchange, 200, Json.MAPPER.createObjectNode().put("totalTokens", PROMPT_TOKENS));
            case "generateContent", "streamGenerateContent" -> {
                Request request = new Request(call.group(1), model, method, body,
                        Map.copyOf(exchange.getRequestHeaders()));
                server.record(request.scenario(), request);
                answer(exchange, request, helper(body) ? text(HELPER_ANSWER) : script.reply(request));
            }
            default -> sendError(exchange, new Reply.Error(404, "NOT_FOUND", "no method " + method));
        }
    }

    /** What the CLI's own side calls (which speaker is next, which model to route to) get, whatever the scenario. */
    private static final String HELPER_ANSWER =
            "{\"reasoning\":\"stand-in\",\"next_speaker\":\"user\",\"model_choice\":\"flash\"}";

    /** The CLI asks for JSON of a schema only in its own side calls, never in the agent's conversation. */
    private static boolean helper(JsonNode body) {
        JsonNode config = body.path("generationConfig");
        return "application/json".equals(config.path("responseMimeType").asText())
                || config.has("responseJsonSchema") || config.has("responseSchema");
    }

    private void answer(HttpExchange exchange, Request request, Reply reply) throws IOException {
        if (reply instanceof Reply.Error error) {
            sendError(exchange, error);
        } else if (reply instanceof Reply.Hang) {
            server.hang();
        } else if (reply instanceof Reply.Text text) {
            respond(exchange, request, pieces(text.text()));
        } else if (reply instanceof Reply.FunctionCall function) {
            ObjectNode part = Json.MAPPER.createObjectNode();
            part.putObject("functionCall").put("name", function.name()).set("args", function.args());
            respond(exchange, request, List.of(part));
        }
    }

    /** A text in two parts, streamed as two events, as the real API streams a longer answer. */
    private static List<ObjectNode> pieces(String text) {
        int half = text.length() / 2;
        return List.of(Json.MAPPER.createObjectNode().put("text", text.substring(0, half)),
                Json.MAPPER.createObjectNode().put("text", text.substring(half)));
    }

    private void respond(HttpExchange exchange, Request request, List<ObjectNode> parts) throws IOException {
        if (!request.method().equals("streamGenerateContent")) {
            ArrayNode all = Json.MAPPER.createArrayNode();
            parts.forEach(all::add);
            send(exchange, 200, chunk(request, all, true));
            return;
        }
        OutputStream out = StandInServer.eventStream(exchange);
        for (int i = 0; i < parts.size(); i++) {
            ArrayNode one = Json.MAPPER.createArrayNode().add(parts.get(i));
            out.write(("data: " + Json.MAPPER.writeValueAsString(chunk(request, one, i == parts.size() - 1)) + "\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }

    /** One response (or stream event): the last one says the model stopped and what the request cost. */
    private static ObjectNode chunk(Request request, ArrayNode parts, boolean last) {
        ObjectNode response = Json.MAPPER.createObjectNode();
        ObjectNode candidate = response.putArray("candidates").addObject();
        candidate.putObject("content").put("role", "model").set("parts", parts);
        candidate.put("index", 0);
        if (last) {
            candidate.put("finishReason", "STOP");
            response.putObject("usageMetadata").put("promptTokenCount", PROMPT_TOKENS)
                    .put("cachedContentTokenCount", CACHED_TOKENS).put("candidatesTokenCount", OUTPUT_TOKENS)
                    .put("totalTokenCount", PROMPT_TOKENS + OUTPUT_TOKENS);
        }
        return response.put("modelVersion", request.model());
    }

    private static void sendError(HttpExchange exchange, Reply.Error error) throws IOException {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.putObject("error").put("code", error.status()).put("message", error.message()).put("status", error.name());
        send(exchange, error.status(), body);
    }

    private static void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
        StandInServer.send(exchange, status, "application/json; charset=UTF-8", Json.MAPPER.writeValueAsBytes(body));
    }
}
