package dev.troupe.team.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.goal.Goal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What the judge of a task's variants is asked and how its answer reads: the task, each variant's report, and
 * (added by the worker, which has git at hand) each variant's diff; the answer names the winner with its reasons.
 * The schema lists only the variants that passed, so the CLI refuses an answer naming another.
 */
public final class Judging {

    /** The judge's choice: the winner's attempt, and why. */
    record Choice(int winner, String reasons) {}

    /** What the judge knows of one variant before it reads its diff. */
    record Candidate(int attempt, int variant, Goal.TaskSpec spec, AttemptResult result) {}

    private Judging() {}

    static String prompt(Goal.TaskSpec task, List<Candidate> candidates) {
        StringBuilder prompt = new StringBuilder("Several agents did the same task, each on its own, from the same"
                + " starting point. Each change merges cleanly and passes the project's check. Do not change any file:"
                + " your working directory is that starting point, and each variant's change follows as a diff. Compare"
                + " them against the task, and answer with the number of the variant to merge and your reasons.\n\n"
                + "The task:\n\n<task>\n")
                .append(task.prompt().strip()).append("\n</task>\n\nThe variants:\n");
        for (Candidate candidate : candidates) {
            AttemptResult result = candidate.result();
            prompt.append("\n- Variant ").append(candidate.attempt())
                    .append(candidate.spec().model().map(m -> " (model " + m + ")").orElse(""))
                    .append(candidate.spec().appendSystemPrompt().map(s -> ", told: " + oneLine(s)).orElse(""))
                    .append(", branch ").append(result.branch()).append("\n  Its report: ").append(oneLine(result.text()))
                    .append("\n  Files it changed: ").append(result.filesChanged().isEmpty() ? "(none)"
                            : String.join(", ", result.filesChanged()))
                    .append('\n');
        }
        prompt.append("\nPrefer the change that does the task correctly and completely; between equals, the smaller and"
                + " clearer one.\n");
        return prompt.toString();
    }

    /** The prompt with each variant's diff, each cut to an equal share of {@link Prompts#MAX_PROMPT_BYTES}. */
    public static String withDiffs(String prompt, Map<Integer, String> diffs) {
        int room = Math.max(0, Prompts.MAX_PROMPT_BYTES - 2_000 - prompt.getBytes(StandardCharsets.UTF_8).length);
        int share = diffs.isEmpty() ? room : room / diffs.size();
        StringBuilder all = new StringBuilder(prompt).append("\nThe changes (git diff from the starting point):\n");
        diffs.forEach((attempt, diff) -> {
            String shown = diff.getBytes(StandardCharsets.UTF_8).length > share
                    ? Prompts.cutToBytes(diff, share) + "\n[... the diff goes on beyond what fits here]\n" : diff;
            all.append("\n<variant ").append(attempt).append(">\n```diff\n").append(shown)
                    .append(shown.endsWith("\n") ? "" : "\n").append("```\n</variant>\n");
        });
        return all.toString();
    }

    /** The judge's answer: one of {@code attempts}, with its reasons. */
    static String schema(java.util.Set<Integer> attempts) {
        String numbers = attempts.stream().map(String::valueOf).collect(Collectors.joining(","));
        return "{\"type\":\"object\",\"additionalProperties\":false,\"required\":[\"winner\",\"reasons\"],\"properties\":{"
                + "\"winner\":{\"type\":\"integer\",\"enum\":[" + numbers + "],"
                + "\"description\":\"the number of the variant to merge\"},"
                + "\"reasons\":{\"type\":\"string\",\"description\":\"why this variant, compared with the others\"}}}";
    }

    static Choice choice(JsonNode answer) {
        return new Choice(answer.path("winner").asInt(-1), answer.path("reasons").asText("").strip());
    }

    private static String oneLine(String text) {
        String plain = text == null || text.isBlank() ? "(no report)" : text.strip().replace('\n', ' ');
        return plain.length() > 500 ? plain.substring(0, 497) + "..." : plain;
    }
}
