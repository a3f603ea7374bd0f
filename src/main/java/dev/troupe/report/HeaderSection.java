package dev.troupe.report;

import dev.troupe.journal.TaskLife;
import dev.troupe.goal.Durations;
import dev.troupe.journal.Money;
import dev.troupe.journal.RunHistory;
import dev.troupe.journal.TeamEvent;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The report's head: which run, how it stands (finished or not, from which base into which branch), its figures as
 * cards (merged, failed, skipped, wall time, agent runs, spent, tokens) and how to look at and land the result.
 */
final class HeaderSection {

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z")
            .withZone(ZoneId.systemDefault());

    private HeaderSection() {}

    static void write(StringBuilder html, RunRecord record) {
        RunHistory history = record.history();
        TeamEvent.RunStarted started = history.started();
        long merged = history.count(TaskLife.State.MERGED);
        long failed = history.count(TaskLife.State.FAILED);
        long skipped = history.count(TaskLife.State.SKIPPED);
        long tokens = history.tasks().values().stream().mapToLong(t -> t.usage().total()).sum();
        String state = history.finished().map(f -> "finished, exit " + f.exitCode())
                .orElse("not finished (live, or stopped: troupe resume " + started.run() + ")");
        html.append("<header>\n<h1>troupe run <code>").append(Html.escape(started.run())).append("</code></h1>\n")
                .append("<p class=\"sub\">").append(Html.escape(state)).append(" · from <code>")
                .append(Html.escape(started.base())).append("</code> (").append(started.baseCommit(), 0, 7)
                .append(") into <code>").append(Html.escape(started.integrationBranch())).append("</code> · team of ")
                .append(started.teamSize()).append(" · ").append(DATE.format(record.start())).append("</p>\n")
                .append("<div class=\"cards\">\n");
        Html.card(html, "merged", merged + " / " + history.tasks().size(), "ok");
        Html.card(html, "failed", Long.toString(failed), failed > 0 ? "bad" : "");
        if (skipped > 0) {
            Html.card(html, "skipped", Long.toString(skipped), "warn");
        }
        Html.card(html, "wall time", Durations.format(Duration.between(record.start(), record.end())), "");
        Html.card(html, "agent runs", Integer.toString(record.spans().size()), "");
        Html.card(html, "spent", Money.format(history.costUsd()), "");
        Html.card(html, "tokens", String.format(Locale.ROOT, "%,d", tokens), "");
        html.append("</div>\n<p class=\"sub\">Goal <code>").append(Html.escape(started.goalFile()))
                .append("</code> in <code>").append(Html.escape(started.repo())).append("</code>. Look at the result: <code>git log --oneline --graph ")
                .append(Html.escape(started.integrationBranch())).append("</code>; land it: <code>git merge ")
                .append(Html.escape(started.integrationBranch())).append("</code>.</p>\n</header>\n");
    }
}
