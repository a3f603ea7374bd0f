package dev.troupe.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.journal.Usage;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What troupe understands of one {@code opencode run --format json} process: every line names the session; a
 * {@code tool_use} line is a finished tool call; a {@code step_finish} line ends a model step with its tokens and
 * cost, and one whose reason is not {@code tool-calls} ends the work; an {@code error} line is the run failing
 * (after OpenCode's own retries, which it does not print). OpenCode prints no result of its own, so this reader
 * keeps the steps' sums and the last text to make one.
 */
final class OpenCodeReader implements AgentReader {

    private static final Set<String> STEERING = Set.of("step_start", "tool_use", "text", "step_finish", "error");
    /**
     * The step reasons that do not end the work: the model called tools, or gave a reason OpenCode does not know
     * ({@code unknown}), and OpenCode asks it again.
     */
    private static final Set<String> CONTINUING = Set.of("tool-calls", "tool_calls", "unknown");
    /** The step reasons of a model that stopped because something went wrong. */
    private static final Set<String> FAILED = Set.of("error", "content-filter");

    private String sessionId = "";
    private long firstTimestamp = -1;
    private String lastText = "";
    private double costUsd;
    private Usage usage = Usage.NONE;
    private int steps;

    @Override
    public Set<String> steeringTypes() {
        return STEERING;
    }

    @Override
    public AgentMessage read(JsonNode line) {
        String type = line.path("type").asText("");
        boolean first = firstTimestamp < 0;
        if (first) {
            firstTimestamp = line.path("timestamp").asLong(0);
            sessionId = line.path("sessionID").asText("");
        }
        JsonNode part = line.path("part");
        if ("text".equals(type)) {
            lastText = part.path("text").asText("");
        }
        return switch (type) {
            case "step_finish" -> stepFinished(line, part);
            case "error" -> failed(line);
            case "tool_use" -> new AgentMessage.ToolUse(part.path("tool").asText(""));
            default -> first ? init() : new AgentMessage.Other(type);
        };
    }

    /**
     * Said for the first line (a {@code step_start}), which shows the process is up and in which session: a new one,
     * or the one it continues. A process whose first line is its error has its session in the result.
     */
    private AgentMessage init() {
        return new AgentMessage.Init(sessionId, "");
    }

    private AgentMessage stepFinished(JsonNode line, JsonNode part) {
        steps++;
        costUsd += part.path("cost").asDouble(0);
        JsonNode tokens = part.path("tokens");
        usage = usage.plus(new Usage(tokens.path("input").asLong(), tokens.path("output").asLong(),
                tokens.path("cache").path("read").asLong(), tokens.path("cache").path("write").asLong()));
        String reason = part.path("reason").asText("");
        if (CONTINUING.contains(reason)) {
            return new AgentMessage.Other(line.path("type").asText());
        }
        boolean failed = FAILED.contains(reason);
        return result(line, failed, failed ? "error" : "success", Optional.empty(),
                failed ? List.of("the model stopped: " + reason) : List.of());
    }

    private AgentMessage failed(JsonNode line) {
        JsonNode error = line.path("error");
        JsonNode status = error.path("data").path("statusCode");
        String message = error.path("data").path("message").asText(error.path("name").asText("error"));
        return result(line, true, "error", status.isIntegralNumber() ? Optional.of(status.asInt()) : Optional.empty(),
                List.of(message));
    }

    private AgentMessage.Result result(JsonNode line, boolean isError, String subtype, Optional<Integer> apiStatus,
            List<String> errors) {
        long duration = Math.max(0, line.path("timestamp").asLong(firstTimestamp) - firstTimestamp);
        return new AgentMessage.Result(isError, subtype, lastText, costUsd, usage, true, steps, duration, apiStatus,
                errors, 0, isError ? Optional.empty() : StructuredText.object(lastText), sessionId);
    }
}
