package dev.troupe.report;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The transcript entries of the agent CLIs other than Claude Code, told apart by the shape of their lines: Codex's
 * ({@code thread.started}, {@code item.*}, {@code turn.*}), Gemini CLI's ({@code init}, {@code message},
 * {@code tool_use} with {@code tool_name}, {@code result} with {@code status}) and OpenCode's ({@code text},
 * {@code tool_use} with a {@code part}, {@code step_finish}). A line none of them shows says nothing.
 */
final class CliEntries {

    private CliEntries() {}

    static String entry(JsonNode json) {
        String type = json.path("type").asText();
        return switch (type) {
            case "thread.started" -> Transcript.item("system", "started", "Codex thread <code>"
                    + Html.escape(json.path("thread_id").asText()) + "</code>");
            case "item.completed" -> codexItem(json.path("item"));
            case "turn.completed" -> Transcript.item("result", "finished", "<div class=\"meta\">"
                    + json.path("usage").path("input_tokens").asLong() + " input tokens, "
                    + json.path("usage").path("output_tokens").asLong() + " output tokens</div>");
            case "turn.failed" -> Transcript.item("result-error", "ended with an error",
                    text(json.path("error").path("message").asText()));
            case "error" -> Transcript.item("retry", "error", Html.escape(Transcript.cut(json.has("message")
                    ? json.path("message").asText() : json.path("error").path("data").path("message").asText())));
            case "init" -> Transcript.item("system", "started", "model <code>"
                    + Html.escape(json.path("model").asText("?")) + "</code>");
            case "message" -> "assistant".equals(json.path("role").asText())
                    ? Transcript.item("assistant", "assistant", text(json.path("content").asText())) : "";
            case "text" -> Transcript.item("assistant", "assistant", text(json.path("part").path("text").asText()));
            case "tool_use" -> json.has("tool_name")
                    ? tool(json.path("tool_name").asText(), json.path("parameters"))
                    : tool(json.path("part").path("tool").asText(), json.path("part").path("state").path("input"));
            case "tool_result" -> Transcript.item("error".equals(json.path("status").asText()) ? "tool-error"
                    : "tool-result", "tool result", Html.escape(json.path("status").asText()));
            case "result" -> {
                boolean failed = !"success".equals(json.path("status").asText());
                yield Transcript.item(failed ? "result-error" : "result", failed ? "ended with an error" : "finished",
                        failed ? text(json.path("error").path("message").asText())
                                : "<div class=\"meta\">" + json.path("stats").path("total_tokens").asLong() + " tokens</div>");
            }
            default -> "";
        };
    }

    private static String codexItem(JsonNode item) {
        return switch (item.path("type").asText()) {
            case "agent_message" -> Transcript.item("assistant", "assistant", text(item.path("text").asText()));
            case "command_execution" -> Transcript.item("tool", "command", "<b>exit "
                    + Html.escape(item.path("exit_code").asText("?")) + "</b> <pre>"
                    + Html.escape(Transcript.cut(item.path("command").asText() + "\n" + item.path("aggregated_output").asText()))
                    + "</pre>");
            case "file_change" -> tool("file_change", item.path("changes"));
            default -> "";
        };
    }

    private static String tool(String name, JsonNode input) {
        return Transcript.item("tool", "tool call", "<b>" + Html.escape(name) + "</b> <pre>"
                + Html.escape(Transcript.cut(Transcript.pretty(input))) + "</pre>");
    }

    private static String text(String said) {
        return "<div class=\"text\">" + Html.escape(Transcript.cut(said)) + "</div>";
    }
}
