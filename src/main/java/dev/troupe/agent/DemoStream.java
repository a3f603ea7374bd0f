package dev.troupe.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.journal.Json;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;

/**
 * The stream-json lines the {@link DemoAgent} prints, shaped as Claude Code's, one a line on stdout. It adds up the
 * tokens of its results, so that each one's {@code modelUsage} is the session's so far as the CLI's is, while its
 * {@code usage} is the turn's own. Used from one thread only.
 */
final class DemoStream {

    static final String MODEL = "troupe-demo";

    private final PrintStream out;
    private final String sessionId;
    private long inputTokens;
    private long outputTokens;

    DemoStream(PrintStream out, String sessionId) {
        this.out = out;
        this.sessionId = sessionId;
    }

    /** {@code system/init}: a turn begins. */
    void init(String permissionMode) {
        emit(event("system").put("subtype", "init").put("cwd", Path.of("").toAbsolutePath().toString())
                .put("model", MODEL).put("permissionMode", permissionMode));
    }

    /** An assistant message of text. */
    void say(String text) {
        emit(assistant(Json.MAPPER.createObjectNode().put("type", "text").put("text", text)));
    }

    /** An assistant message that calls {@code tool}. */
    void toolUse(String id, String tool, ObjectNode input) {
        emit(assistant(Json.MAPPER.createObjectNode().put("type", "tool_use").put("id", id).put("name", tool)
                .set("input", input)));
    }

    /** The user line that carries a tool's result back to the model. */
    void toolResult(String id, String content) {
        ObjectNode toolResult = Json.MAPPER.createObjectNode().put("type", "tool_result").put("tool_use_id", id)
                .put("content", content).put("is_error", false);
        ObjectNode user = event("user");
        user.putObject("message").put("role", "user").putArray("content").add(toolResult);
        emit(user);
    }

    /** The echo of a user message taken in ({@code --replay-user-messages}), under the uuid it was written with. */
    void echo(String text, String uuid) {
        ObjectNode user = event("user").put("uuid", uuid);
        user.putObject("message").put("role", "user").put("content", text);
        user.putNull("parent_tool_use_id");
        user.put("timestamp", Instant.now().toString()).put("isReplay", true);
        emit(user);
    }

    /** The answer to a control request written to stdin. */
    void controlResponse(String requestId) {
        ObjectNode response = Json.MAPPER.createObjectNode().put("type", "control_response");
        response.putObject("response").put("subtype", "success").put("request_id", requestId).putObject("response");
        emit(response);
    }

    /** A {@code result} line to fill in and {@link #finish}. */
    ObjectNode result(boolean isError, String subtype, String text, int turns, long startedMillis,
            String terminalReason) {
        return event("result").put("subtype", subtype).put("is_error", isError).put("result", text)
                .put("num_turns", turns).put("total_cost_usd", 0.0)
                .put("duration_ms", System.currentTimeMillis() - startedMillis)
                .put("terminal_reason", terminalReason);
    }

    /** Ends a turn: its result with the turn's tokens as {@code usage} and the session's as {@code modelUsage}. */
    void finish(ObjectNode result, long turnInputTokens, long turnOutputTokens) {
        inputTokens += turnInputTokens;
        outputTokens += turnOutputTokens;
        result.putObject("usage").put("input_tokens", turnInputTokens).put("output_tokens", turnOutputTokens)
                .put("cache_read_input_tokens", 0).put("cache_creation_input_tokens", 0);
        result.putObject("modelUsage").putObject(MODEL).put("inputTokens", inputTokens)
                .put("outputTokens", outputTokens).put("cacheReadInputTokens", 0).put("cacheCreationInputTokens", 0);
        result.putArray("permission_denials");
        emit(result);
    }

    ObjectNode event(String type) {
        return Json.MAPPER.createObjectNode().put("type", type).put("session_id", sessionId)
                .put("uuid", UUID.randomUUID().toString());
    }

    void emit(ObjectNode event) {
        try {
            out.println(Json.MAPPER.writeValueAsString(event));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ObjectNode assistant(ObjectNode block) {
        ObjectNode node = event("assistant").put("timestamp", Instant.now().toString());
        node.putObject("message").put("id", "msg_demo").put("type", "message").put("role", "assistant")
                .put("model", MODEL).putArray("content").add(block);
        return node;
    }
}
