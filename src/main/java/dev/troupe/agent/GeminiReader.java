package dev.troupe.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.journal.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Gemini CLI's {@code --output-format stream-json} (0.61.0), one reader a process: {@code init} (session id,
 * model), {@code message} (the user's prompt, then the model's text in pieces marked {@code delta}), {@code tool_use},
 * {@code tool_result}, {@code error} (a warning or the reason of an error result) and one {@code result} (status and
 * token counts, nothing more). What a result leaves out, this reader keeps from the lines before it: the session id,
 * the model's last message, the turns, the errors. The CLI retries a failed API call on stderr only ("Attempt 1
 * failed with status 429"), so there is never an {@link AgentMessage.ApiRetry}; after its last attempt it prints an
 * error result and exits 173 (429) or with another code.
 */
final class GeminiReader implements AgentReader {

    private static final Set<String> STEERING = Set.of("init", "message", "tool_use", "tool_result", "error", "result");
    /** The CLI's 429 text: Google's own message ("Resource has been exhausted") and its advice after it. */
    private static final Pattern RATE_LIMITED = Pattern.compile(
            "(?i)\\b429\\b|rate.?limit|resource.?exhausted|resource has been exhausted|quota|please wait and try again");
    /** Any other API error is printed with the response body in it: {@code [API Error: {"error":{"code":500,...}}]}. */
    private static final Pattern STATUS_CODE = Pattern.compile("\"code\"\\s*:\\s*(\\d{3})");

    private String sessionId = "";
    private final StringBuilder lastMessage = new StringBuilder();
    /** The next piece of model text starts a new message: a tool ran since the last one. */
    private boolean messageEnded = true;
    private boolean modelSpoke = false;
    private int turns = 0;
    private final List<String> errorLines = new ArrayList<>();

    @Override
    public Set<String> steeringTypes() {
        return STEERING;
    }

    @Override
    public AgentMessage read(JsonNode line) {
        String type = line.path("type").asText("");
        return switch (type) {
            case "init" -> init(line);
            case "message" -> message(line);
            case "tool_use" -> toolUse(line);
            case "tool_result" -> toolResult(type);
            case "error" -> error(line);
            case "result" -> result(line);
            default -> new AgentMessage.Other(type);
        };
    }

    private AgentMessage init(JsonNode line) {
        sessionId = line.path("session_id").asText("");
        return new AgentMessage.Init(sessionId, line.path("model").asText(""));
    }

    private AgentMessage message(JsonNode line) {
        if ("assistant".equals(line.path("role").asText())) {
            modelSpeaks();
            if (messageEnded || !line.path("delta").asBoolean(false)) {
                lastMessage.setLength(0);
                messageEnded = false;
            }
            lastMessage.append(line.path("content").asText(""));
        }
        return new AgentMessage.Other("message");
    }

    private AgentMessage toolUse(JsonNode line) {
        modelSpeaks();
        messageEnded = true;
        return new AgentMessage.ToolUse(line.path("tool_name").asText(""));
    }

    /** A tool's result goes back to the model, whose answer is a turn of its own. */
    private AgentMessage toolResult(String type) {
        modelSpoke = false;
        messageEnded = true;
        return new AgentMessage.Other(type);
    }

    /** The first text or tool call after the prompt or a tool's result starts a turn. */
    private void modelSpeaks() {
        if (!modelSpoke) {
            turns++;
            modelSpoke = true;
        }
    }

    /** Kept for the result: a warning the run goes on after, or the only word on why an error result failed. */
    private AgentMessage error(JsonNode line) {
        String message = line.path("message").asText("");
        if (!message.isBlank()) {
            errorLines.add(message);
        }
        return new AgentMessage.Other("error");
    }

    private AgentMessage result(JsonNode line) {
        String status = line.path("status").asText("");
        boolean failed = !"success".equals(status);
        List<String> errors = new ArrayList<>();
        String error = line.path("error").path("message").asText("");
        if (failed) {
            errors.addAll(errorLines);
            if (!error.isBlank()) {
                errors.add(error);
            }
        }
        String text = lastMessage.toString();
        JsonNode stats = line.path("stats");
        return new AgentMessage.Result(failed, status, text, 0, usage(stats), false, turns,
                stats.path("duration_ms").asLong(0), failed ? apiStatus(String.join("\n", errors)) : Optional.empty(),
                List.copyOf(errors), 0, StructuredText.object(text), sessionId);
    }

    /**
     * This process's tokens: the CLI counts per run, a resumed session's earlier runs not included, so the usage is
     * never the session's total. {@code input_tokens} counts the cached ones too; {@code input} is the rest.
     */
    private static Usage usage(JsonNode stats) {
        long cached = stats.path("cached").asLong(0);
        long uncached = stats.has("input") ? stats.path("input").asLong(0)
                : Math.max(0, stats.path("input_tokens").asLong(0) - cached);
        return new Usage(uncached, stats.path("output_tokens").asLong(0), cached, 0);
    }

    /** The HTTP status of the API error behind a failed result, as far as its message tells. */
    static Optional<Integer> apiStatus(String message) {
        Matcher code = STATUS_CODE.matcher(message);
        if (code.find()) {
            return Optional.of(Integer.parseInt(code.group(1)));
        }
        return RATE_LIMITED.matcher(message).find() ? Optional.of(429) : Optional.empty();
    }
}
