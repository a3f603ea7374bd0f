package dev.troupe.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.troupe.journal.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for the OpenAI Responses API on 127.0.0.1, for driving the real Codex CLI in tests: a model provider
 * in {@code config.toml} with {@code base_url = "http://127.0.0.1:<port>/s/<scenario>/v1"} and
 * {@code wire_api = "responses"} ({@link CodexHome} writes one). It speaks what Codex 0.169.0 was observed to
 * accept: SSE with an {@code event:} line per event, a function call to its {@code exec_command} tool, a message,
 * and error statuses with a JSON body. Each scenario is a {@link Script} that picks the reply to a request from the
 * conversation so far.
 */
public final class ResponsesApiStandIn implements AutoCloseable {

    /** One request as a script sees it. */
    public record Request(String scenario, int index, JsonNode body, Map<String, List<String>> headers) {

        private static final Pattern CWD = Pattern.compile("<cwd>([^<]+)</cwd>");

        /** The thread the CLI is working in (its {@code session-id} header). */
        public String sessionId() {
            List<String> ids = headers.getOrDefault("Session-id", List.of());
            return ids.isEmpty() ? "" : ids.get(0);
        }

        /** What the user said, in order: the prompt, then each resumed run's prompt; not the CLI's own context. */
        public List<String> userTexts() {
            List<String> said = new ArrayList<>();
            for (JsonNode item : body.path("input")) {
                if (isUserText(item)) {
                    said.add(text(item));
                }
            }
            return said;
        }

        /** The first thing the user said. */
        public String prompt() {
            List<String> said = userTexts();
            return said.isEmpty() ? "" : said.get(0);
        }

        /** What the user said last: the prompt of this run, resumed or not. */
        public String lastUserText() {
            List<String> said = userTexts();
            return said.isEmpty() ? "" : said.get(said.size() - 1);
        }

        /** The outputs of the tool calls since the user last spoke: what this turn has done so far. */
        public List<String> outputsSinceLastUserText() {
            List<String> outputs = new ArrayList<>();
            for (JsonNode item : body.path("input")) {
                if (isUserText(item)) {
                    outputs.clear();
                } else if ("function_call_output".equals(item.path("type").asText())) {
                    outputs.add(item.path("output").asText());
                }
            }
            return outputs;
        }

        /** The agent's working directory, from the environment context the CLI sends. */
        public String workingDirectory() {
            Matcher cwd = CWD.matcher(body.toString());
            if (!cwd.find()) {
                throw new IllegalStateException("the request names no working directory");
            }
            return cwd.group(1);
        }

        /** Whether the CLI asks for an answer of a JSON schema ({@code --output-schema}). */
        public boolean asksForSchema() {
            return "json_schema".equals(body.path("text").path("format").path("type").asText());
        }

        /** A user message that the user wrote, not one of the CLI's own (environment context, AGENTS.md). */
        private static boolean isUserText(JsonNode item) {
            String text = text(item);
            return "user".equals(item.path("role").asText()) && !text.startsWith("<") && !text.startsWith("# AGENTS.md");
        }

        private static String text(JsonNode message) {
            StringBuilder text = new StringBuilder();
            message.path("content").forEach(part -> text.append(part.path("text").asText()));
            return text.toString();
        }
    }

    /** How a scenario answers. */
    @FunctionalInterface
    public interface Script {
        Reply reply(Request request);
    }

    /** What the stand-in answers with. */
    public sealed interface Reply {
        /** The model's message: an answer, or the JSON object a schema asks for. */
        record Text(String text) implements Reply {}

        /** A call of Codex's {@code exec_command} tool, which runs {@code command} in a shell in the working directory. */
        record Command(String command) implements Reply {}

        /** HTTP error; {@code retryAfterSeconds} adds a Retry-After header when positive. */
        record Error(int status, String message, int retryAfterSeconds) implements Reply {}

        /** Reads the request and never answers, until the stand-in is closed. */
        record Hang() implements Reply {}
    }

    public static Reply text(String text) {
        return new Reply.Text(text);
    }

    /** The answer to an {@code --output-schema} run: the object as the message's text. */
    public static Reply json(JsonNode object) {
        return new Reply.Text(object.toString());
    }

    public static Reply command(String command) {
        return new Reply.Command(command);
    }

    /** A shell command that writes {@code text} to {@code file}, relative to the agent's working directory. */
    public static Reply writeFile(String file, String text) {
        return new Reply.Command("printf '%s' '" + text.replace("'", "'\\''") + "' > " + file);
    }

    public static Reply rateLimited(int retryAfterSeconds) {
        return new Reply.Error(429, "Rate limit reached (stand-in)", retryAfterSeconds);
    }

    public static Reply serverError() {
        return new Reply.Error(500, "Internal error (stand-in)", 0);
    }

    public static Reply hang() {
        return new Reply.Hang();
    }

    /** Runs {@code command} until its output comes back, then answers with {@code text}. */
    public static Script commandThenText(String command, String text) {
        return request -> request.outputsSinceLastUserText().isEmpty() ? command(command) : text(text);
    }

    public static final int INPUT_TOKENS = 100;
    public static final int CACHED_TOKENS = 40;
    public static final int OUTPUT_TOKENS = 7;

    private final StandInServer<Script, Request> server;
    private final AtomicInteger ids = new AtomicInteger();

    private ResponsesApiStandIn() {
        server = StandInServer.start(this::handle);
    }

    public static ResponsesApiStandIn start() {
        return new ResponsesApiStandIn();
    }

    /** Registers a scenario and returns the base URL that selects it ({@code .../v1}, as a provider's base_url). */
    public String baseUrl(String scenario, Script script) {
        return server.url(scenario, script) + "/v1";
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
        // /s/<scenario>/v1/responses
        String scenario = StandInServer.scenario(exchange);
        Script script = server.script(scenario);
        if (script == null || !"POST".equals(exchange.getRequestMethod()) || !path.endsWith("/v1/responses")) {
            sendError(exchange, new Reply.Error(404, "no scenario " + scenario + " at " + path, 0));
            return;
        }
        JsonNode body = Json.MAPPER.readTree(exchange.getRequestBody());
        Request request = new Request(scenario, requests(scenario).size(), body,
                Map.copyOf(exchange.getRequestHeaders()));
        server.record(scenario, request);
        answer(exchange, script.reply(request));
    }

    private void answer(HttpExchange exchange, Reply reply) throws IOException {
        if (reply instanceof Reply.Error error) {
            sendError(exchange, error);
        } else if (reply instanceof Reply.Hang) {
            server.hang();
        } else {
            OutputStream out = StandInServer.eventStream(exchange);
            String responseId = "resp_standin_" + ids.incrementAndGet();
            ObjectNode created = Json.MAPPER.createObjectNode().put("type", "response.created");
            created.putObject("response").put("id", responseId);
            out.write(event(created));
            if (reply instanceof Reply.Command command) {
                ObjectNode item = Json.MAPPER.createObjectNode().put("type", "function_call")
                        .put("id", "fc_standin_" + ids.incrementAndGet()).put("call_id", "call_standin_" + ids.get())
                        .put("name", "exec_command").put("status", "completed").put("arguments",
                                Json.MAPPER.createObjectNode().put("cmd", command.command()).toString());
                out.write(event(itemEvent("response.output_item.added", item)));
                out.write(event(itemEvent("response.output_item.done", item)));
            } else {
                message(out, ((Reply.Text) reply).text());
            }
            ObjectNode completed = Json.MAPPER.createObjectNode().put("type", "response.completed");
            ObjectNode usage = completed.putObject("response").put("id", responseId).putObject("usage")
                    .put("input_tokens", INPUT_TOKENS).put("output_tokens", OUTPUT_TOKENS)
                    .put("total_tokens", INPUT_TOKENS + OUTPUT_TOKENS);
            usage.putObject("input_tokens_details").put("cached_tokens", CACHED_TOKENS);
            usage.putObject("output_tokens_details").put("reasoning_tokens", 0);
            out.write(event(completed));
            out.flush();
        }
    }

    /** A message item added empty, its text as one delta, then the item done with the whole text. */
    private void message(OutputStream out, String text) throws IOException {
        String id = "msg_standin_" + ids.incrementAndGet();
        ObjectNode item = Json.MAPPER.createObjectNode().put("type", "message").put("id", id).put("role", "assistant")
                .put("status", "in_progress");
        item.putArray("content");
        out.write(event(itemEvent("response.output_item.added", item)));
        out.write(event(Json.MAPPER.createObjectNode().put("type", "response.output_text.delta").put("item_id", id)
                .put("output_index", 0).put("content_index", 0).put("delta", text)));
        ObjectNode done = item.deepCopy().put("status", "completed");
        done.putArray("content").addObject().put("type", "output_text").put("text", text).putArray("annotations");
        out.write(event(itemEvent("response.output_item.done", done)));
    }

    private static ObjectNode itemEvent(String type, ObjectNode item) {
        ObjectNode event = Json.MAPPER.createObjectNode().put("type", type).put("output_index", 0);
        event.set("item", item);
        return event;
    }

    /** An event named for its type. */
    private static byte[] event(ObjectNode data) throws IOException {
        return StandInServer.event(data.path("type").asText(), data);
    }

    private static void sendError(HttpExchange exchange, Reply.Error error) throws IOException {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.putObject("error").put("message", error.message())
                .put("type", error.status() == 429 ? "rate_limit_exceeded" : "server_error").putNull("code");
        StandInServer.sendJson(exchange, error.status(), body,
                Optional.of(error.retryAfterSeconds()).filter(seconds -> seconds > 0));
    }
}
