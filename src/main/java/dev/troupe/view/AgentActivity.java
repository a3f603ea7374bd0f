package dev.troupe.view;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What an agent is doing, read off its stream-json lines: the tools it calls, what each call is about, and
 * which of them change files. Used by the live status and the run report; lines it does not know say nothing.
 */
public final class AgentActivity {

    /**
     * The tools that write files, whose path input is a file touched: Claude Code's, Gemini CLI's ({@code write_file},
     * {@code replace}) and OpenCode's ({@code write}, {@code edit}).
     */
    private static final Set<String> EDITING_TOOLS =
            Set.of("Write", "Edit", "MultiEdit", "NotebookEdit", "write_file", "replace", "write", "edit");

    /** The input fields that say what a tool call is about, most telling first. */
    private static final List<String> TARGET_FIELDS = List.of("file_path", "filePath", "notebook_path", "path",
            "pattern", "command", "cmd", "url", "query", "description");

    private AgentActivity() {}

    /**
     * One tool call: {@code target} is what it is about (a path, a pattern, a command), empty when its input
     * names none; {@code edits} when the tool writes the file named by {@code target}.
     */
    public record ToolCall(String tool, String target, boolean edits) {}

    /**
     * The tool calls in one line: Claude Code's {@code assistant} line, Codex's {@code item.started} of a command or
     * {@code item.completed} of a file change, Gemini CLI's and OpenCode's {@code tool_use} (none for any other line).
     */
    public static List<ToolCall> toolCalls(JsonNode line) {
        String type = line == null ? "" : line.path("type").asText();
        if (type.equals("tool_use")) {
            // Gemini CLI names the tool and its input at the top; OpenCode in its part.
            JsonNode part = line.path("part");
            String tool = line.has("tool_name") ? line.path("tool_name").asText("") : part.path("tool").asText("");
            JsonNode input = line.has("tool_name") ? line.path("parameters") : part.path("state").path("input");
            return List.of(new ToolCall(tool, target(input), EDITING_TOOLS.contains(tool)));
        }
        if (type.startsWith("item.")) {
            return codexItem(type, line.path("item"));
        }
        if (!"assistant".equals(type)) {
            return List.of();
        }
        List<ToolCall> calls = new ArrayList<>();
        for (JsonNode block : line.path("message").path("content")) {
            if ("tool_use".equals(block.path("type").asText())) {
                String tool = block.path("name").asText("");
                calls.add(new ToolCall(tool, target(block.path("input")), EDITING_TOOLS.contains(tool)));
            }
        }
        return calls;
    }

    /** Codex: a command as it starts, the files of a change once made. */
    private static List<ToolCall> codexItem(String type, JsonNode item) {
        String kind = item.path("type").asText();
        if (type.equals("item.started") && kind.equals("command_execution")) {
            return List.of(new ToolCall("command", target(item), false));
        }
        if (type.equals("item.completed") && kind.equals("file_change")) {
            List<ToolCall> calls = new ArrayList<>();
            item.path("changes").forEach(change -> calls.add(new ToolCall("file_change", target(change), true)));
            return calls;
        }
        return List.of();
    }

    /** The working directory a {@code system/init} line announces, against which the agent's paths are read. */
    public static Optional<String> workingDirectory(JsonNode line) {
        if (line != null && "system".equals(line.path("type").asText()) && "init".equals(line.path("subtype").asText())
                && line.path("cwd").isTextual()) {
            return Optional.of(line.path("cwd").asText());
        }
        return Optional.empty();
    }

    /** {@code path} relative to {@code directory} when it lies inside it; otherwise as it is. */
    public static String relative(String path, String directory) {
        if (directory == null || directory.isEmpty()) {
            return path;
        }
        String prefix = directory.endsWith("/") ? directory : directory + "/";
        return path.startsWith(prefix) ? path.substring(prefix.length()) : path;
    }

    private static String target(JsonNode input) {
        for (String field : TARGET_FIELDS) {
            JsonNode value = input.path(field);
            if (value.isTextual() && !value.asText().isBlank()) {
                return value.asText().strip().lines().findFirst().orElse("");
            }
        }
        return "";
    }
}
