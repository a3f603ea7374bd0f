package dev.troupe.web;

import dev.troupe.goal.Durations;
import dev.troupe.journal.Money;
import dev.troupe.journal.RunHistory;
import dev.troupe.journal.TaskLife;
import dev.troupe.journal.TeamEvent;
import dev.troupe.report.Html;
import dev.troupe.view.TeamBoard;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * The run at a glance on its page, from the same {@link TeamBoard} the live status draws: the progress, spend and
 * expected end; each worker's task, state, time, last tool and files; each task with its state and, while the run
 * is live, a button to cancel it.
 */
final class BoardHtml {

    private BoardHtml() {}

    static String progress(TeamBoard board, Instant now) {
        if (!board.started()) {
            return "<p class=\"note\">The run has not begun.</p>";
        }
        RunHistory history = board.history();
        long total = history.tasks().size();
        long settled = board.settled();
        StringBuilder html = new StringBuilder("<section class=\"progress\">\n<div class=\"cards\">\n");
        Html.card(html, "merged", board.count(TaskLife.State.MERGED) + " / " + total, "ok");
        Html.card(html, "running", Long.toString(board.count(TaskLife.State.RUNNING, TaskLife.State.REVIEWING)), "");
        Html.card(html, "to merge", Long.toString(board.count(TaskLife.State.HELD, TaskLife.State.MERGING)), "");
        Html.card(html, "queued", Long.toString(board.count(TaskLife.State.QUEUED, TaskLife.State.WAITING)), "");
        long failed = board.count(TaskLife.State.FAILED);
        Html.card(html, "failed", Long.toString(failed), failed > 0 ? "bad" : "");
        long skipped = board.count(TaskLife.State.SKIPPED, TaskLife.State.CANCELLED);
        if (skipped > 0) {
            Html.card(html, "skipped or cancelled", Long.toString(skipped), "warn");
        }
        Html.card(html, "spent", Money.format(history.costUsd())
                + board.budgetUsd().map(budget -> " of " + Money.format(budget)).orElse(""),
                board.budgetSpent() ? "bad" : "");
        html.append("</div>\n<p class=\"bar\"><meter min=\"0\" max=\"").append(Math.max(total, 1)).append("\" value=\"")
                .append(settled).append("\"></meter> ").append(settled).append("/").append(total).append(" settled");
        board.startedAt().ifPresent(start -> html.append(" · elapsed ")
                .append(Durations.format(Duration.between(start, history.finished().map(TeamEvent::time).orElse(now)))));
        if (history.finished().isEmpty()) {
            board.eta(now).ifPresent(eta -> html.append(" · ETA ~").append(Durations.format(eta)));
            board.pausedUntil(now).ifPresent(until -> html.append(" · <span class=\"warn\">paused until ")
                    .append(Pages.CLOCK.format(until)).append("</span>"));
        }
        if (board.budgetSpent()) {
            html.append(" · <span class=\"bad\">budget spent: no new attempts</span>");
        }
        return html.append("</p>\n</section>\n").toString();
    }

    static String workers(TeamBoard board, Instant now, String run) {
        if (!board.started()) {
            return "";
        }
        StringBuilder html = new StringBuilder("<section><h2>Team</h2>\n<table class=\"board\">\n<thead><tr><th>worker</th>"
                + "<th>task</th><th>state</th><th class=\"num\">for</th><th>last tool</th><th>files</th></tr></thead>\n<tbody>\n");
        for (TeamBoard.WorkerRow worker : board.workers()) {
            html.append("<tr data-worker=\"").append(Html.escape(worker.name())).append("\"><td>")
                    .append(Html.escape(worker.name())).append("</td>");
            if (worker.state() == TeamBoard.WorkerState.IDLE) {
                html.append("<td></td><td class=\"dim\">idle</td><td></td><td></td><td></td></tr>\n");
                continue;
            }
            String task = worker.task();
            html.append("<td>").append(task.startsWith("(") ? Html.escape(task)
                    : "<a href=\"" + Html.escape(Pages.taskHref(run, task)) + "\"><code>" + Html.escape(task) + "</code></a>")
                    .append(worker.attempt() > 1 ? " #" + worker.attempt() : "").append("</td><td class=\"w-")
                    .append(worker.state().name().toLowerCase(Locale.ROOT)).append("\">")
                    .append(Html.escape(worker.state().words()))
                    .append(worker.note().isEmpty() ? "" : " <span class=\"warn\">" + Html.escape(worker.note()) + "</span>")
                    .append("</td><td class=\"num\">")
                    .append(worker.since().map(since -> Durations.format(Duration.between(since, now))).orElse(""))
                    .append("</td><td><code>").append(Html.escape(Html.firstLine(worker.lastTool()))).append("</code></td><td>")
                    .append(Html.escape(String.join(", ", worker.files()))).append("</td></tr>\n");
        }
        for (TeamEvent.CheckStarted check : board.checks()) {
            html.append("<tr><td>merger</td><td><code>").append(Html.escape(check.task())).append("</code></td><td>")
                    .append(check.trial() ? "checking trial" : "checking merge").append("</td><td class=\"num\">")
                    .append(Durations.format(Duration.between(check.time(), now))).append("</td><td><code>")
                    .append(Html.escape(check.command())).append("</code></td><td></td></tr>\n");
        }
        return html.append("</tbody>\n</table>\n</section>\n").toString();
    }

    static String tasks(RunHistory history, String run, boolean live) {
        StringBuilder html = new StringBuilder("<section><h2>Tasks</h2>\n<table class=\"tasks\">\n<thead><tr><th>task</th>"
                + "<th>state</th><th class=\"num\">attempts</th><th>worker</th><th class=\"num\">cost</th><th>note</th>"
                + "<th></th></tr></thead>\n<tbody>\n");
        for (TaskLife task : history.tasks().values()) {
            String state = task.checking().isPresent() ? "checking" : task.state().label();
            html.append("<tr data-task=\"").append(Html.escape(task.id())).append("\" data-state=\"").append(state)
                    .append("\"><td><a href=\"").append(Html.escape(Pages.taskHref(run, task.id()))).append("\"><code>")
                    .append(Html.escape(task.id())).append("</code></a></td><td><span class=\"fate s-")
                    .append(task.state().name().toLowerCase(Locale.ROOT)).append("\">").append(state)
                    .append("</span></td><td class=\"num\">").append(task.tries()).append("</td><td>")
                    .append(Html.escape(task.worker().isEmpty() ? "-" : task.worker())).append("</td><td class=\"num\">")
                    .append(Money.format(task.costUsd())).append("</td><td>").append(Html.escape(note(task)))
                    .append("</td><td>");
            if (live && !task.state().isSettled()) {
                html.append(Pages.form("/runs/" + run + "/cancel", "Cancel task " + task.id()
                        + "? Its agent is stopped and what comes after it is skipped.",
                        Pages.hidden("task", task.id()), "Cancel"));
            }
            html.append("</td></tr>\n");
        }
        return html.append("</tbody>\n</table>\n</section>\n").toString();
    }

    private static String note(TaskLife task) {
        if (task.checking().isPresent()) {
            return "sync.check: " + task.checking().get().command();
        }
        List<String> files = task.filesChanged();
        return task.state() == TaskLife.State.MERGED ? String.join(", ", files) : Html.firstLine(task.reason());
    }
}
