package dev.troupe.web;

import dev.troupe.journal.RunHistory;
import dev.troupe.report.Html;
import dev.troupe.report.ReportPage;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A run's page: its state and what can be done to it, the board (progress, the team, the tasks) and the report's
 * overview (timeline, rounds, variants, cost per model, plan), each a section that follows the journal. The report's
 * overview, which folds every event again and reads each transcript's spend, is drawn again when the journal grew,
 * but no sooner than {@link #OVERVIEW_SHARE} times as long as it took last: a big run's page spends a tenth of its
 * time on it at most, a small one's follows each event.
 */
final class RunPage implements LivePage {

    static final int OVERVIEW_SHARE = 10;

    private final RunWatch watch;
    private final String run;
    private final RunControls controls;
    private String overview = "";
    private long overviewVersion = -1;
    private Instant overviewNext = Instant.EPOCH;

    RunPage(RunWatch watch, RunControls controls) {
        this.watch = watch;
        this.run = watch.runDir().getFileName().toString();
        this.controls = controls;
    }

    /** The whole page, as first served. */
    String html(String token) throws IOException {
        return Pages.page("troupe run " + run, " › <code>" + Html.escape(run) + "</code>", token,
                "/runs/" + run + "/live", sections(), "");
    }

    @Override
    public Map<String, String> sections() throws IOException {
        watch.refresh();
        Instant now = Instant.now();
        boolean live = watch.live(controls);
        Map<String, String> sections = new LinkedHashMap<>();
        sections.put("head", head(live));
        sections.put("progress", BoardHtml.progress(watch.board(), now));
        sections.put("workers", BoardHtml.workers(watch.board(), now, run));
        sections.put("tasks", watch.history().map(history -> BoardHtml.tasks(history, run, live)).orElse(""));
        if (overviewVersion != watch.version() && !now.isBefore(overviewNext)) {
            overview = watch.record(live).map(record -> {
                try {
                    return ReportPage.overview(record, watch.runDir());
                } catch (IOException e) {
                    return "<p class=\"note\">The overview cannot be drawn: " + Html.escape(e.getMessage()) + "</p>";
                }
            }).orElse("");
            overviewVersion = watch.version();
            overviewNext = now.plus(Duration.between(now, Instant.now()).multipliedBy(OVERVIEW_SHARE));
        }
        sections.put("add", live ? addForm() : "");
        sections.put("overview", overview);
        return sections;
    }

    /** Tasks to add, while the run is live: the page's form stays as it is while the run does. */
    private String addForm() {
        return "<details class=\"add\"><summary>Add tasks</summary>\n<p class=\"note\">A list of tasks, as under a goal"
                + " file's <code>tasks:</code>; <code>after</code> may name the run's tasks. The run checks them as it"
                + " checks a goal file.</p>\n" + Pages.form("/runs/" + run + "/add", null, "<textarea name=\"tasks\""
                + " rows=\"6\" cols=\"80\" spellcheck=\"false\" placeholder=\"- id: docs&#10;  prompt: Document the new"
                + " flag in README.md\"></textarea>", "Add") + "</details>\n";
    }

    private String head(boolean live) {
        String state = watch.history().map(h -> stateOf(h, live)).orElse(live ? "live" : "not begun");
        StringBuilder html = new StringBuilder("<header><h1>troupe run <code>").append(Html.escape(run))
                .append("</code></h1>\n");
        watch.history().ifPresent(h -> html.append("<p class=\"sub\">").append(Html.escape(h.started().goalFile()))
                .append(" · from <code>").append(Html.escape(h.started().base())).append("</code> (")
                .append(Pages.shortId(h.started().baseCommit())).append(") into <code>")
                .append(Html.escape(h.started().integrationBranch())).append("</code> · team of ")
                .append(h.started().teamSize()).append(" · started ").append(Pages.DATE.format(h.started().time()))
                .append("</p>\n"));
        html.append("</header>\n<div class=\"runhead\"><span class=\"runstate\" data-state=\"")
                .append(live ? "live" : "over").append("\">").append(Html.escape(state)).append("</span> ");
        if (live) {
            html.append(Pages.form("/runs/" + run + "/stop", "Stop run " + run + "? Nothing more is launched; what"
                    + " runs finishes; troupe resume runs the rest.", "", "Stop the run"));
        }
        html.append(" <a href=\"/runs/").append(run).append("/report\">the report</a></div>\n");
        return html.toString();
    }

    static String stateOf(RunHistory history, boolean live) {
        if (live) {
            return "live";
        }
        return history.finished().map(f -> "finished, exit " + f.exitCode())
                .orElse("stopped before it finished: troupe resume " + history.started().run());
    }
}
