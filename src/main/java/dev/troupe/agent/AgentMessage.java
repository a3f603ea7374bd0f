package dev.troupe.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.journal.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What troupe understands of one stream-json line from an agent. Only the lines that steer a worker get a
 * type of their own; every other line (assistant text, tool results, the many optional system events) is
 * {@link Other} and only journaled. Unknown types are never an error: the CLI adds new ones freely.
 */
public sealed interface AgentMessage {

    /** {@code system/init}: the agent is up; it may come again in the same process (see §4.5 of the notes). */
    record Init(String sessionId, String model) implements AgentMessage {}

    /** {@code assistant} content block that calls a tool. */
    record ToolUse(String tool) implements AgentMessage {}

    /**
     * {@code result}: the end of the agent's work. Success is {@code isError == false}, never the exit code
     * or {@code subtype} (an API error arrives as subtype {@code success} with {@code is_error: true}).
     * {@code structuredOutput}: the object an agent run with {@code --json-schema} answered with; absent when
     * the model gave only text, which the CLI still reports as a success. {@code sessionId}: the Claude Code
     * session the work is in (empty if the line names none), which a later attempt may resume.
     * {@code costUsd} is the session's so far ({@code total_cost_usd} adds up over the turns of a process);
     * {@code usage} is too when {@code usageIsTotal} (summed from {@code modelUsage}), else the turn's own.
     */
    record Result(boolean isError, String subtype, String text, double costUsd, Usage usage, boolean usageIsTotal,
            int turns, long durationMs, Optional<Integer> apiErrorStatus, List<String> errors, int permissionDenials,
            Optional<JsonNode> structuredOutput, String sessionId)
            implements AgentMessage {

        /** Why a failed result failed, in one line. */
        public String failureReason() {
            StringBuilder reason = new StringBuilder("agent reported an error");
            if (!"success".equals(subtype)) {
                reason.append(" (").append(subtype).append(')');
            }
            apiErrorStatus.ifPresent(status -> reason.append(", API status ").append(status));
            String detail = !errors.isEmpty() ? String.join("; ", errors) : text;
            if (detail != null && !detail.isBlank()) {
                reason.append(": ").append(detail.strip());
            }
            return reason.toString();
        }
    }

    /** {@code system/api_retry}: the CLI is retrying a failed API request (rate limit, overload, ...). */
    record ApiRetry(int attempt, int maxRetries, long delayMs, Optional<Integer> errorStatus, String error)
            implements AgentMessage {}

    /**
     * A {@code user} line with {@code isReplay: true}: with {@code --replay-user-messages} the CLI echoes each message
     * written to its stdin when it takes it in, under the {@code uuid} it was written with. That is the
     * acknowledgement that the agent has heard it.
     */
    record Heard(String uuid) implements AgentMessage {}

    /**
     * {@code control_response}: the CLI's answer to a control request written to its stdin ({@code subtype}
     * {@code success} or {@code error}).
     */
    record ControlResponse(String requestId, String subtype, String error) implements AgentMessage {}

    /** Any other JSON line. */
    record Other(String type) implements AgentMessage {}

    /** A line that is not a JSON object. */
    record NotJson() implements AgentMessage {}

    /** A line of Claude Code's stream-json. */
    static AgentMessage of(JsonNode line) {
        String type = line.path("type").asText("");
        String subtype = line.path("subtype").asText("");
        return switch (type) {
            case "system" -> switch (subtype) {
                case "init" -> new Init(line.path("session_id").asText(""), line.path("model").asText(""));
                case "api_retry" -> new ApiRetry(line.path("attempt").asInt(), line.path("max_retries").asInt(),
                        line.path("retry_delay_ms").asLong(), optionalInt(line.path("error_status")),
                        line.path("error").asText(""));
                default -> new Other(type);
            };
            case "assistant" -> toolUse(line).<AgentMessage>map(ToolUse::new).orElse(new Other(type));
            case "result" -> result(line);
            case "user" -> line.path("isReplay").asBoolean(false) ? new Heard(line.path("uuid").asText(""))
                    : new Other(type);
            case "control_response" -> new ControlResponse(line.path("response").path("request_id").asText(""),
                    line.path("response").path("subtype").asText(""), line.path("response").path("error").asText(""));
            default -> new Other(type);
        };
    }

    private static Optional<String> toolUse(JsonNode line) {
        for (JsonNode block : line.path("message").path("content")) {
            if ("tool_use".equals(block.path("type").asText())) {
                return Optional.of(block.path("name").asText(""));
            }
        }
        return Optional.empty();
    }

    private static Result result(JsonNode line) {
        List<String> errors = new ArrayList<>();
        line.path("errors").forEach(e -> errors.add(e.asText()));
        JsonNode text = line.path("result");
        return new Result(
                // A result without is_error is not proof of success.
                line.path("is_error").asBoolean(true),
                line.path("subtype").asText(""),
                text.isTextual() ? text.asText() : "",
                line.path("total_cost_usd").asDouble(0),
                usage(line),
                line.path("modelUsage").isObject() && line.path("modelUsage").size() > 0,
                line.path("num_turns").asInt(0),
                line.path("duration_ms").asLong(0),
                optionalInt(line.path("api_error_status")),
                List.copyOf(errors),
                line.path("permission_denials").size(),
                line.path("structured_output").isObject() ? Optional.of(line.get("structured_output")) : Optional.empty(),
                line.path("session_id").asText(""));
    }

    /**
     * Token usage for the whole process: summed over {@code modelUsage} when present (it is cumulative and
     * complete, while {@code usage} can show only the last turn), else {@code usage}.
     */
    private static Usage usage(JsonNode line) {
        JsonNode byModel = line.path("modelUsage");
        if (byModel.isObject() && byModel.size() > 0) {
            Usage total = Usage.NONE;
            for (JsonNode model : byModel) {
                total = total.plus(new Usage(model.path("inputTokens").asLong(), model.path("outputTokens").asLong(),
                        model.path("cacheReadInputTokens").asLong(), model.path("cacheCreationInputTokens").asLong()));
            }
            return total;
        }
        JsonNode usage = line.path("usage");
        return new Usage(usage.path("input_tokens").asLong(), usage.path("output_tokens").asLong(),
                usage.path("cache_read_input_tokens").asLong(), usage.path("cache_creation_input_tokens").asLong());
    }

    private static Optional<Integer> optionalInt(JsonNode node) {
        return node.isIntegralNumber() ? Optional.of(node.asInt()) : Optional.empty();
    }
}
