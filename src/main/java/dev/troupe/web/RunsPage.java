package dev.troupe.web;

import dev.troupe.journal.JournalReader;
import dev.troupe.journal.Money;
import dev.troupe.journal.RunHistory;
import dev.troupe.journal.TaskLife;
import dev.troupe.report.Html;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The repository's runs, newest first: each with its state, progress and spend, linked to its page. */
final class RunsPage {

    private RunsPage() {}

    static String html(RunFolders runs, RunControls controls, String token) throws IOException {
        StringBuilder body = new StringBuilder("<header><h1>troupe runs</h1><p class=\"sub\">in <code>")
                .append(Html.escape(runs.top().toString())).append("</code></p></header>\n");
        List<Path> all = runs.all();
        if (all.isEmpty()) {
            body.append("<p class=\"note\">No run yet: start one with <code>troupe run goal.yaml</code>.</p>\n");
        } else {
            body.append("<table class=\"runs\">\n<thead><tr><th>run</th><th>state</th><th>started</th><th>merged</th>"
                    + "<th class=\"num\">spent</th></tr></thead>\n<tbody>\n");
            for (Path dir : all) {
                Optional<RunHistory> history = RunHistory.of(JournalReader.decisions(dir.resolve("events.jsonl")).events());
                if (history.isEmpty()) {
                    continue;
                }
                RunHistory h = history.get();
                String run = dir.getFileName().toString();
                boolean live = controls.isLive(dir) && !h.over();
                body.append("<tr data-run=\"").append(Html.escape(run)).append("\"><td><a href=\"/runs/")
                        .append(Html.escape(run)).append("\"><code>").append(Html.escape(run)).append("</code></a></td><td>")
                        .append(Html.escape(RunPage.stateOf(h, live))).append("</td><td>")
                        .append(Pages.DATE.format(h.started().time())).append("</td><td>")
                        .append(h.count(TaskLife.State.MERGED)).append(" / ").append(h.tasks().size())
                        .append("</td><td class=\"num\">").append(Money.format(h.costUsd())).append("</td></tr>\n");
            }
            body.append("</tbody>\n</table>\n");
        }
        return Pages.page("troupe runs", "", token, null, Map.of(), body.toString());
    }
}
