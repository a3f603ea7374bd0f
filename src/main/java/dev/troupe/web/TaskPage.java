package dev.troupe.web;

import dev.troupe.journal.Money;
import dev.troupe.journal.TaskLife;
import dev.troupe.report.Html;
import dev.troupe.report.ReportPage;
import dev.troupe.report.RunRecord;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A task's page: its state, its attempts and each agent's transcript (the one at work followed as it writes), a link
 * to its change, and, while the run is live, a form to tell its agent something and a button to cancel it.
 */
final class TaskPage implements LivePage {

    private final RunWatch watch;
    private final String run;
    private final String task;
    private final RunControls controls;
    private String attempts = "";
    private long attemptsVersion = -1;

    TaskPage(RunWatch watch, String task, RunControls controls) {
        this.watch = watch;
        this.run = watch.runDir().getFileName().toString();
        this.task = task;
        this.controls = controls;
    }

    /** Whether the run has such a task (after reading its journal). */
    boolean exists() throws IOException {
        watch.refresh();
        return watch.history().map(h -> h.tasks().containsKey(task)).orElse(false);
    }

    String html(String token) throws IOException {
        return Pages.page("troupe " + run + " · " + task, " › <a href=\"/runs/" + run + "\"><code>" + Html.escape(run)
                + "</code></a> › <code>" + Html.escape(task) + "</code>", token, "/runs/" + run + "/task/live?id="
                + Pages.query(task), sections(), "");
    }

    @Override
    public Map<String, String> sections() throws IOException {
        watch.refresh();
        boolean live = watch.live(controls);
        Optional<TaskLife> life = watch.history().map(h -> h.tasks().get(task));
        Map<String, String> sections = new LinkedHashMap<>();
        sections.put("task", life.map(t -> summary(t, live)).orElse(""));
        sections.put("tell", live && life.map(t -> !t.state().isSettled()).orElse(false) ? tellForm() : "");
        boolean working = live && life.map(t -> t.state().attemptUnderWay()).orElse(false);
        if (working || attemptsVersion != watch.version()) {
            Optional<RunRecord> record = watch.record(live);
            attempts = "<section><h2>Attempts</h2>\n" + (record.isPresent()
                    ? ReportPage.transcripts(record.get(), watch.runDir(), task, working) : "")
                    + "</section>\n";
            attemptsVersion = watch.version();
        }
        sections.put("attempts", attempts);
        return sections;
    }

    /** What to tell its agent, while the run is live and the task not settled. */
    private String tellForm() {
        return "<section class=\"tell\"><h2>Tell its agent</h2>\n<p class=\"note\">An agent at work that takes live"
                + " input hears it now; every later attempt of the task is told it too.</p>\n"
                + Pages.form("/runs/" + run + "/tell", null, Pages.hidden("task", task) + "<textarea name=\"message\""
                        + " rows=\"3\" cols=\"80\"></textarea><label><input type=\"checkbox\" name=\"interrupt\""
                        + " value=\"true\"> cut its turn short first</label>", "Tell") + "</section>\n";
    }

    private String summary(TaskLife life, boolean live) {
        String state = life.checking().isPresent() ? "checking" : life.state().label();
        StringBuilder html = new StringBuilder("<header><h1>Task <code>").append(Html.escape(task)).append("</code> ")
                .append("<span class=\"fate s-").append(life.state().name().toLowerCase(Locale.ROOT))
                .append("\" id=\"task-state\">").append(state).append("</span></h1>\n<p class=\"sub\">")
                .append(life.tries()).append(life.tries() == 1 ? " try" : " tries").append(" · ")
                .append(life.attempts()).append(life.attempts() == 1 ? " agent run" : " agent runs")
                .append(life.worker().isEmpty() ? "" : " · on " + Html.escape(life.worker()))
                .append(" · spent ").append(Money.format(life.costUsd()));
        if (!life.agents().isEmpty()) {
            html.append(" · ").append(Html.escape(String.join(", ", life.agents().stream().distinct().toList())));
        }
        html.append("</p>\n");
        if (!life.reason().isBlank()) {
            html.append("<p class=\"detail\">").append(Html.escape(life.reason())).append("</p>\n");
        }
        html.append("<p><a id=\"change-link\" href=\"/runs/").append(run).append("/task/change?id=")
                .append(Html.escape(Pages.query(task))).append("\">its change</a>")
                .append(life.mergeCommit().isEmpty() ? "" : " · merged as <code>" + Pages.shortId(life.mergeCommit())
                        + "</code>").append("</p>\n");
        if (live && !life.state().isSettled()) {
            html.append(Pages.form("/runs/" + run + "/cancel", "Cancel task " + task
                    + "? Its agent is stopped and what comes after it is skipped.", Pages.hidden("task", task),
                    "Cancel the task"));
        }
        return html.append("</header>\n").toString();
    }
}
