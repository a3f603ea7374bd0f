package dev.troupe.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.journal.Usage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code codex exec --json} (0.169.0): {@code thread.started} names the session, {@code item.started} of a
 * command, patch, MCP call or web search is a tool use, a top-level {@code error} that says "Reconnecting... n/N" is an
 * API retry, and {@code turn.completed} or {@code turn.failed} ends the work. Codex says the session id, the last
 * message and the failures once each, on lines of their own, so the reader keeps them for the result.
 *
 * <p>An {@code item.completed} of type {@code error} is a warning (an unknown model's fallback metadata), and a
 * top-level {@code error} without "Reconnecting" is the failure {@code turn.failed} then reports: neither ends the
 * run by itself. The last message is the structured output when it is a JSON object, as it is with
 * {@code --output-schema}; only a call that asked for one looks at it.
 */
final class CodexReader implements AgentReader {

    /** The lines {@link #read} makes more of, or learns from for the result. */
    private static final Set<String> STEERING = Set.of("thread.started", "turn.started", "item.started",
            "item.completed", "error", "turn.completed", "turn.failed");

    /** The items that are the agent acting rather than talking: each is reported once as a tool use. */
    private static final Set<String> TOOL_ITEMS = Set.of("command_execution", "file_change", "mcp_tool_call",
            "web_search");

    private static final Pattern RECONNECTING = Pattern.compile("^Reconnecting\\.\\.\\.\\s*(?:(\\d+)/(\\d+))?");
    /** "last status: 429 Too Many Requests", "unexpected status 500 Internal Server Error: ...". */
    private static final Pattern STATUS = Pattern.compile("status:?\\s*(\\d{3})\\b");

    private String sessionId = "";
    private String lastMessage = "";
    private final List<String> errors = new ArrayList<>();
    private final Set<String> toolItems = new HashSet<>();
    private int turns;
    private long firstLineNanos = -1;

    @Override
    public Set<String> steeringTypes() {
        return STEERING;
    }

    @Override
    public AgentMessage read(JsonNode line) {
        if (firstLineNanos < 0) {
            firstLineNanos = System.nanoTime();
        }
        String type = line.path("type").asText("");
        return switch (type) {
            case "thread.started" -> started(line);
            case "turn.started" -> {
                turns++;
                yield new AgentMessage.Other(type);
            }
            case "item.started", "item.completed" -> item(type, line.path("item"));
            case "error" -> error(line.path("message").asText(""));
            case "turn.completed" -> result(false, "success", lastMessage, line.path("usage"));
            case "turn.failed" -> failed(line.path("error").path("message").asText(""));
            default -> new AgentMessage.Other(type);
        };
    }

    private AgentMessage started(JsonNode line) {
        sessionId = line.path("thread_id").asText("");
        return new AgentMessage.Init(sessionId, "");
    }

    /**
     * A tool item is a tool use when it starts; one reported only on completion (0.169.0 prints some patches that
     * way) counts then. The agent's messages are kept: the last one is the turn's answer.
     */
    private AgentMessage item(String type, JsonNode item) {
        String kind = item.path("type").asText("");
        if ("agent_message".equals(kind) && "item.completed".equals(type)) {
            lastMessage = item.path("text").asText("");
        }
        if (TOOL_ITEMS.contains(kind) && toolItems.add(item.path("id").asText(""))) {
            String tool = item.path("tool").asText("");
            return new AgentMessage.ToolUse(tool.isEmpty() ? kind : tool);
        }
        return new AgentMessage.Other(type);
    }

    /** Codex gives no delay before a retry: it honours the server's Retry-After, which it does not print. */
    private AgentMessage error(String message) {
        Matcher retry = RECONNECTING.matcher(message);
        if (retry.find()) {
            Optional<Integer> status = status(message);
            return new AgentMessage.ApiRetry(retry.group(1) != null ? Integer.parseInt(retry.group(1)) : 0,
                    retry.group(2) != null ? Integer.parseInt(retry.group(2)) : 0, -1, status, category(status, message));
        }
        errors.add(message);
        return new AgentMessage.Other("error");
    }

    private AgentMessage failed(String message) {
        if (!message.isEmpty() && !errors.contains(message)) {
            errors.add(message);
        }
        return result(true, "error", message, null);
    }

    /**
     * Usage as codex counts it: summed over the requests of the turn and, on {@code exec resume}, over every turn of
     * the thread before it too (a resumed turn of 123 tokens after one of 246 reports 369). So it is the session's
     * total, never the turn's own; a failed turn reports none. Codex reports no cost.
     */
    private AgentMessage result(boolean isError, String subtype, String text, JsonNode usage) {
        Usage tokens = usage == null ? Usage.NONE : new Usage(usage.path("input_tokens").asLong(),
                usage.path("output_tokens").asLong(), usage.path("cached_input_tokens").asLong(),
                usage.path("cache_write_input_tokens").asLong());
        long duration = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - firstLineNanos);
        return new AgentMessage.Result(isError, subtype, text, 0, tokens, true, turns, duration,
                isError ? status(text) : Optional.empty(), List.copyOf(errors), 0,
                isError ? Optional.empty() : StructuredText.object(text), sessionId);
    }

    /** The HTTP status a message names, if any; "Too Many Requests" alone is a 429. */
    static Optional<Integer> status(String message) {
        Matcher status = STATUS.matcher(message);
        if (status.find()) {
            return Optional.of(Integer.parseInt(status.group(1)));
        }
        return message.contains("Too Many Requests") ? Optional.of(429) : Optional.empty();
    }

    /**
     * The words Claude Code uses for the same failures, so that the rest of troupe reads both alike. A 500 names no
     * status: 0.169.0 says "We're currently experiencing high demand" instead.
     */
    private static String category(Optional<Integer> status, String message) {
        if (status.isEmpty()) {
            return message.contains("high demand") ? "server_error" : "connection";
        }
        int code = status.get();
        if (code == 429) {
            return "rate_limit";
        }
        if (code == 529 || code == 503) {
            return "overloaded";
        }
        if (code == 401 || code == 403) {
            return "authentication_failed";
        }
        return code >= 500 ? "server_error" : "unknown";
    }
}
