package dev.troupe.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.journal.Json;
import java.util.Optional;

/**
 * An answer of a given shape from a CLI that cannot be held to a JSON schema (Gemini CLI, OpenCode): the schema is
 * put in the prompt, and the agent's last message is read as the object it answered with.
 */
public final class StructuredText {

    private StructuredText() {}

    /** The prompt, asking for an answer of {@code schema} and nothing else. */
    public static String ask(String prompt, String schema) {
        return prompt + "\n\nWhen you are done, answer with one JSON object and nothing else (no prose, no code fence),"
                + " valid against this JSON schema:\n" + schema + "\n";
    }

    /**
     * The JSON object a message is, or holds in a code fence, or holds from its first {@code {} to its last
     * {@code }}; empty when there is none.
     */
    public static Optional<JsonNode> object(String message) {
        if (message == null) {
            return Optional.empty();
        }
        String text = message.strip();
        int fence = text.indexOf("```");
        if (fence >= 0) {
            int start = text.indexOf('\n', fence);
            int end = text.indexOf("```", fence + 3);
            if (start >= 0 && end > start) {
                Optional<JsonNode> fenced = parse(text.substring(start + 1, end));
                if (fenced.isPresent()) {
                    return fenced;
                }
            }
        }
        int first = text.indexOf('{');
        int last = text.lastIndexOf('}');
        return first >= 0 && last > first ? parse(text.substring(first, last + 1)) : Optional.empty();
    }

    private static Optional<JsonNode> parse(String text) {
        try {
            JsonNode node = Json.AGENT_LINES.readTree(text.strip());
            return node != null && node.isObject() ? Optional.of(node) : Optional.empty();
        } catch (JsonProcessingException notJson) {
            return Optional.empty();
        }
    }
}
