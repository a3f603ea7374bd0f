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

    /** Claude Code's tools that write files; their {@code file_path} (or {@code notebook_path}) is a file touched. */
    private static final Set<String> EDITING_TOOLS = Set.of("Write", "Edit", "MultiEdit", "NotebookEdit");

    /** The input fields that say what a tool call is about, most telling first. */
    private static final List<String> TARGET_FIELDS =
            List.of("file_path", "notebook_path", "path", "pattern", "command", "url", "query", "description");

    private AgentActivity() {}

    /**
     * One tool call: {@code target} is what it is about (a path, a pattern, a command), empty when its input
     * names none; {@code edits} when the tool writes the file named by {@code target}.
     */
    public record ToolCall(String tool, String target, boolean edits) {}

    /** The tool calls in one {@code assistant} line (none for any other line). */
    public static List<ToolCall> toolCalls(JsonNode line) {
        if (line == null || !"assistant".equals(line.path("type").asText())) {
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
