package dev.troupe.view;

import dev.troupe.journal.TaskLife;
import dev.troupe.goal.Durations;
import dev.troupe.journal.Money;
import dev.troupe.journal.RunHistory;
import dev.troupe.journal.TeamEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Draws a {@link TeamBoard} as the block of lines the live status redraws: the run's counts and spend, a
 * progress bar with the expected end, and one line per worker. Every line fits {@code width} columns, so the
 * terminal never wraps one (which would break redrawing in place); colour only when asked.
 */
public final class StatusBlock {

    private static final int BAR_WIDTH = 30;
    private static final int TASK_WIDTH = 24;
    private static final String MERGER = "merger";

    /** ANSI styles; empty strings when colour is off. */
    private record Style(String code) {
        static final Style PLAIN = new Style("");
        static final Style BOLD = new Style("1");
        static final Style DIM = new Style("2");
        static final Style RED = new Style("31");
        static final Style GREEN = new Style("32");
        static final Style YELLOW = new Style("33");
        static final Style BLUE = new Style("94");
        static final Style MAGENTA = new Style("35");
        static final Style CYAN = new Style("36");
    }

    private StatusBlock() {}

    public static List<String> render(TeamBoard board, Instant now, int width, boolean color) {
        List<String> lines = new ArrayList<>();
        if (!board.started()) {
            return lines;
        }
        RunHistory history = board.history();
        long total = history.tasks().size();
        Line head = new Line(width, color).add("troupe ", Style.BOLD).add(history.started().run(), Style.PLAIN)
                .add(history.lastRound() > 1 ? "  round " + history.lastRound() : "", Style.PLAIN)
                .add("  ", Style.PLAIN)
                .add(board.count(TaskLife.State.MERGED) + " merged", Style.GREEN).add(" · ", Style.DIM)
                .add(board.count(TaskLife.State.RUNNING, TaskLife.State.REVIEWING) + " running", Style.CYAN)
                .add(" · ", Style.DIM)
                .add(board.count(TaskLife.State.HELD, TaskLife.State.MERGING) + " to merge", Style.BLUE).add(" · ", Style.DIM)
                .add(board.count(TaskLife.State.QUEUED, TaskLife.State.WAITING) + " queued", Style.PLAIN);
        long failed = board.count(TaskLife.State.FAILED);
        head.add(" · ", Style.DIM).add(failed + " failed", failed > 0 ? Style.RED : Style.PLAIN);
        long skipped = board.count(TaskLife.State.SKIPPED);
        if (skipped > 0) {
            head.add(" · ", Style.DIM).add(skipped + " skipped", Style.YELLOW);
        }
        head.add("  spent ", Style.DIM).add(Money.format(history.costUsd()), Style.PLAIN);
        board.budgetUsd().ifPresent(budget -> head.add(" of " + Money.format(budget),
                board.budgetSpent() ? Style.RED : Style.PLAIN));
        lines.add(head.toString());

        long settled = board.settled();
        int filled = total == 0 ? 0 : (int) (BAR_WIDTH * settled / total);
        Line bar = new Line(width, color).add("[", Style.DIM).add("█".repeat(filled), Style.GREEN)
                .add("░".repeat(BAR_WIDTH - filled), Style.DIM).add("] ", Style.DIM)
                .add(String.format(Locale.ROOT, "%d/%d %3d%%", settled, total, total == 0 ? 0 : 100 * settled / total),
                        Style.BOLD);
        board.startedAt().ifPresent(start -> bar.add("  elapsed ", Style.DIM)
                .add(Durations.format(Duration.between(start, now)), Style.PLAIN));
        board.eta(now).ifPresent(eta -> bar.add("  ETA ", Style.DIM).add("~" + Durations.format(eta), Style.PLAIN));
        board.pausedUntil(now).ifPresent(until -> bar.add("  paused until " + ConsoleView.CLOCK.format(until), Style.YELLOW));
        if (board.budgetSpent()) {
            bar.add("  budget spent: no new attempts", Style.RED);
        }
        lines.add(bar.toString());

        List<TeamBoard.WorkerRow> workers = board.workers();
        List<TeamEvent.CheckStarted> checks = board.checks();
        int nameWidth = Math.max(checks.isEmpty() ? 0 : MERGER.length(),
                workers.stream().mapToInt(w -> w.name().length()).max().orElse(8));
        int taskWidth = Math.min(TASK_WIDTH, Math.max(4, java.util.stream.IntStream.concat(
                workers.stream().mapToInt(w -> w.task().length() + (w.attempt() > 1 ? 3 : 0)),
                checks.stream().mapToInt(c -> c.task().length() + (c.attempt() > 1 ? 3 : 0))).max().orElse(4)));
        for (TeamBoard.WorkerRow worker : workers) {
            lines.add(workerLine(worker, now, width, color, nameWidth, taskWidth));
        }
        for (TeamEvent.CheckStarted check : checks) {
            lines.add(checkLine(check, now, width, color, nameWidth, taskWidth));
        }
        return lines;
    }

    /** The merger's line while {@code sync.check} runs on a task's merge: every merge behind it waits. */
    private static String checkLine(TeamEvent.CheckStarted check, Instant now, int width, boolean color, int nameWidth,
            int taskWidth) {
        String task = check.task() + (check.attempt() > 1 ? " #" + check.attempt() : "");
        return new Line(width, color).add("  " + pad(MERGER, nameWidth) + "  ", Style.DIM)
                .add(pad(cut(task, taskWidth), taskWidth) + "  ", Style.BOLD)
                .add(pad(check.trial() ? "checking trial" : "checking merge", 16), Style.BLUE)
                .add(String.format(Locale.ROOT, " %7s", Durations.format(Duration.between(check.time(), now))),
                        Style.PLAIN)
                .add("  " + check.command(), Style.MAGENTA).toString();
    }

    private static String workerLine(TeamBoard.WorkerRow worker, Instant now, int width, boolean color, int nameWidth,
            int taskWidth) {
        Line line = new Line(width, color).add("  " + pad(worker.name(), nameWidth) + "  ", Style.DIM);
        if (worker.state() == TeamBoard.WorkerState.IDLE) {
            return line.add(pad("", taskWidth) + "  ", Style.PLAIN).add("idle", Style.DIM).toString();
        }
        String task = worker.task() + (worker.attempt() > 1 ? " #" + worker.attempt() : "");
        line.add(pad(cut(task, taskWidth), taskWidth) + "  ", Style.BOLD)
                .add(pad(worker.state().words(), 16), styleOf(worker.state()))
                .add(String.format(Locale.ROOT, " %7s", worker.since()
                        .map(since -> Durations.format(Duration.between(since, now))).orElse("")), Style.PLAIN);
        if (!worker.note().isEmpty()) {
            line.add("  " + worker.note(), Style.YELLOW);
        }
        if (!worker.lastTool().isEmpty()) {
            line.add("  " + cut(worker.lastTool(), 40), Style.MAGENTA);
        }
        List<String> files = worker.files();
        if (!files.isEmpty()) {
            line.add("  " + files.size() + (files.size() == 1 ? " file: " : " files: "), Style.DIM)
                    .add(String.join(", ", files), Style.PLAIN);
        }
        return line.toString();
    }

    private static Style styleOf(TeamBoard.WorkerState state) {
        return switch (state) {
            case PLANNING, REVIEWING, SETTING_UP -> Style.CYAN;
            case WORKING -> Style.GREEN;
            case RETRYING -> Style.YELLOW;
            case WAITING_TO_MERGE -> Style.BLUE;
            case IDLE -> Style.DIM;
        };
    }

    private static String pad(String text, int width) {
        return text.length() >= width ? text : text + " ".repeat(width - text.length());
    }

    private static String cut(String text, int width) {
        return text.length() <= width ? text : text.substring(0, Math.max(0, width - 1)) + "…";
    }

    /** One line of styled pieces, cut to a width counted in visible characters. */
    private static final class Line {
        private final StringBuilder text = new StringBuilder();
        private final int width;
        private final boolean color;
        private int visible;

        Line(int width, boolean color) {
            this.width = Math.max(20, width - 1);
            this.color = color;
        }

        Line add(String piece, Style style) {
            int room = width - visible;
            String shown = Terminal.printable(piece);
            if (room <= 0 || shown.isEmpty()) {
                return this;
            }
            int columns = 0;
            int end = 0;
            // Cut at the last code point that fits, leaving a column for the ellipsis when something is cut.
            int cut = -1;
            while (end < shown.length()) {
                int codePoint = shown.codePointAt(end);
                int next = columns + Terminal.columns(codePoint);
                if (next > room) {
                    break;
                }
                if (next <= room - 1) {
                    cut = end + Character.charCount(codePoint);
                }
                columns = next;
                end += Character.charCount(codePoint);
            }
            if (end < shown.length()) {
                shown = shown.substring(0, Math.max(0, cut)) + "…";
                columns = room;
            }
            boolean styled = color && !style.code().isEmpty();
            if (styled) {
                text.append("\033[").append(style.code()).append('m');
            }
            text.append(shown);
            if (styled) {
                text.append("\033[0m");
            }
            visible += columns;
            return this;
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }
}
