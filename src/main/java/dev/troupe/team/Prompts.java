package dev.troupe.team;

import dev.troupe.goal.Goal;
import java.nio.file.Path;
import java.util.List;

/**
 * What an agent is told: the task's own prompt, then what troupe knows that the agent cannot: the outcome of
 * the tasks it comes after (their work is in its starting point, but not their reasons), and why an earlier
 * attempt of the same task failed. The task's prompt comes first and is never changed.
 */
final class Prompts {

    /** What a dependency left, for its dependents. */
    record Handoff(String taskId, String resultText, List<String> filesChanged, Path resultFile) {}

    private static final int MAX_RESULT_CHARS = 2000;
    private static final int MAX_FILES = 50;

    private Prompts() {}

    static String prompt(Goal.TaskSpec task, List<Handoff> after, String lastFailure) {
        if (after.isEmpty() && lastFailure == null) {
            return task.prompt();
        }
        StringBuilder prompt = new StringBuilder(task.prompt().strip()).append("\n\n---\nFrom troupe, which runs this team:\n");
        if (!after.isEmpty()) {
            prompt.append("\nThis task comes after ").append(String.join(", ", after.stream().map(Handoff::taskId).toList()))
                    .append(". Their work is already in your starting point. What they reported:\n");
            for (Handoff done : after) {
                prompt.append("\n- ").append(done.taskId()).append(": ").append(shorten(done.resultText())).append('\n');
                if (!done.filesChanged().isEmpty()) {
                    List<String> files = done.filesChanged();
                    prompt.append("  Files it changed: ").append(String.join(", ", files.subList(0, Math.min(MAX_FILES, files.size()))))
                            .append(files.size() > MAX_FILES ? " and " + (files.size() - MAX_FILES) + " more" : "").append('\n');
                }
                prompt.append("  Its full report: ").append(done.resultFile()).append('\n');
            }
        }
        if (lastFailure != null) {
            prompt.append("\nAn earlier attempt at this task did not make it: ").append(lastFailure).append('\n');
            if (lastFailure.startsWith("merge conflict")) {
                prompt.append("Its changes clashed with work merged since; your starting point holds that work, so"
                        + " build on it rather than undo it.\n");
            }
        }
        return prompt.toString();
    }

    private static String shorten(String text) {
        String plain = text == null || text.isBlank() ? "(no report)" : text.strip();
        return plain.length() > MAX_RESULT_CHARS ? plain.substring(0, MAX_RESULT_CHARS) + " [...]" : plain;
    }
}
