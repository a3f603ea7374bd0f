package dev.troupe.report;

import dev.troupe.journal.TaskLife;
import dev.troupe.goal.Durations;
import dev.troupe.journal.Money;
import dev.troupe.journal.RunHistory;
import dev.troupe.team.rules.Assignment.Role;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report's table of tasks: each task's fate, its attempts linked to their transcripts, its agents' time, cost
 * and tokens, its merge commit, and the files it changed or why it did not merge.
 */
final class TasksSection {

    private TasksSection() {}

    static void write(StringBuilder html, RunRecord record) {
        RunHistory history = record.history();
        Map<String, List<RunRecord.Span>> spansOf = new LinkedHashMap<>();
        record.spans().forEach(s -> spansOf.computeIfAbsent(s.task(), k -> new ArrayList<>()).add(s));
        html.append("<section id=\"tasks\">\n<h2>Tasks</h2>\n");
        List<TaskLife> all = List.copyOf(history.tasks().values());
        if (all.size() <= FOLD) {
            table(html, record, spansOf, all);
        } else {
            // A long run's table in folds of FOLD tasks, the first open: a browser lays out only what is unfolded.
            html.append("<p class=\"note\">").append(String.format(Locale.ROOT, "%,d", all.size()))
                    .append(" tasks, in folds of ").append(FOLD).append(".</p>\n");
            for (int from = 0; from < all.size(); from += FOLD) {
                List<TaskLife> fold = all.subList(from, Math.min(all.size(), from + FOLD));
                long merged = fold.stream().filter(t -> t.state() == TaskLife.State.MERGED).count();
                html.append("<details class=\"fold\"").append(from == 0 ? " open" : "").append("><summary>tasks ")
                        .append(from + 1).append("–").append(from + fold.size()).append(": ").append(merged)
                        .append(" merged").append(merged == fold.size() ? "" : ", " + (fold.size() - merged) + " not")
                        .append("</summary>\n");
                table(html, record, spansOf, fold);
                html.append("</details>\n");
            }
        }
        html.append("</section>\n");
    }

    /** Tasks up to this many are one table; more are folded, this many a fold. */
    static final int FOLD = 500;

    private static void table(StringBuilder html, RunRecord record, Map<String, List<RunRecord.Span>> spansOf,
            List<TaskLife> tasks) {
        html.append("<table>\n<thead><tr><th>task</th><th>fate</th>")
                .append("<th>attempts (transcripts)</th><th class=\"num\">time</th><th class=\"num\">cost</th>")
                .append("<th class=\"num\">tokens</th><th>merge</th><th>note</th></tr></thead>\n<tbody>\n");
        for (TaskLife task : tasks) {
            List<RunRecord.Span> spans = spansOf.getOrDefault(task.id(), List.of());
            long agentMs = spans.stream().mapToLong(s -> s.duration().toMillis()).sum();
            html.append("<tr id=\"task-").append(Html.escape(record.slugOf(task.id()))).append("\"><td><code>")
                    .append(Html.escape(task.id())).append("</code></td><td><span class=\"fate s-")
                    .append(task.state().name().toLowerCase(Locale.ROOT)).append("\">")
                    .append(task.state().name().toLowerCase(Locale.ROOT)).append("</span></td><td>");
            for (RunRecord.Span s : spans) {
                // A chip links to its transcript where the page lists it (a long run lists those that went wrong).
                boolean listed = TranscriptsSection.listed(record, s);
                html.append(listed ? "<a" : "<span").append(" class=\"chip o-").append(SpanNames.cssName(s.outcome()))
                        .append(listed ? "\" href=\"#" + SpanNames.anchor(s) : "")
                        .append("\" title=\"").append(Html.escape(s.outcome().words())).append("\">")
                        .append(s.role() == Role.REVIEWER ? "review " + s.attempt()
                                : s.role() == Role.JUDGE ? "judge" : "#" + s.attempt())
                        .append(listed ? "</a> " : "</span> ");
            }
            html.append("</td><td class=\"num\">").append(agentMs > 0 ? Durations.format(Duration.ofMillis(agentMs)) : "-")
                    .append("</td><td class=\"num\">").append(Money.format(task.costUsd()))
                    .append("</td><td class=\"num\">").append(String.format(Locale.ROOT, "%,d", task.usage().total()))
                    .append("</td><td><code>").append(task.mergeCommit().isEmpty() ? "-" : task.mergeCommit().substring(0, 7))
                    .append("</code></td><td>").append(Html.escape(task.state() == TaskLife.State.MERGED
                            ? String.join(", ", task.filesChanged()) : Html.firstLine(task.reason())))
                    .append("</td></tr>\n");
        }
        html.append("</tbody>\n</table>\n");
    }
}
