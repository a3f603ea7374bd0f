package dev.troupe.report;

import dev.troupe.journal.RunHistory;
import java.util.Locale;

/**
 * The report's picture of a run planned in rounds ({@code plan: {rounds: N}}): each round with what the planner said
 * when it planned it and its tasks by fate, linked to their rows, then the planner's word that the goal is met.
 * A run of one round has no such section.
 */
final class RoundsSection {

    private RoundsSection() {}

    static void write(StringBuilder html, RunRecord record) {
        RunHistory history = record.history();
        if (history.rounds().size() == 1 && history.goalMet().isEmpty() && history.rounds().get(0).summary().isBlank()) {
            return;
        }
        html.append("<section id=\"rounds\">\n<h2>Rounds</h2>\n<table>\n<thead><tr><th>round</th><th>the planner said</th>")
                .append("<th>tasks</th></tr></thead>\n<tbody>\n");
        for (RunHistory.Round round : history.rounds()) {
            html.append("<tr id=\"round-").append(round.number()).append("\"><td>").append(round.number())
                    .append("</td><td>").append(round.summary().isBlank() ? "<span class=\"note\">(the goal's own tasks)</span>"
                            : Html.escape(round.summary().strip())).append("</td><td>");
            for (String id : round.tasks()) {
                String state = history.tasks().get(id).state().name().toLowerCase(Locale.ROOT);
                html.append("<a href=\"#task-").append(Html.escape(record.slugOf(id))).append("\" title=\"")
                        .append(state).append("\"><span class=\"fate s-").append(state).append("\"><code>")
                        .append(Html.escape(id)).append("</code> ").append(state).append("</span></a> ");
            }
            html.append("</td></tr>\n");
        }
        html.append("</tbody>\n</table>\n");
        history.goalMet().ifPresent(met -> html.append("<p><strong>The goal is met</strong>, the planner says after ")
                .append(met.round()).append(met.round() == 1 ? " round" : " rounds")
                .append(met.summary().isBlank() ? "." : ": " + Html.escape(met.summary().strip())).append("</p>\n"));
        html.append("</section>\n");
    }
}
