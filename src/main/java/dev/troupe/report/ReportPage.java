package dev.troupe.report;

import dev.troupe.journal.TaskLife;
import dev.troupe.goal.Durations;
import dev.troupe.goal.GoalLoader;
import dev.troupe.journal.JournalReader;
import dev.troupe.journal.Money;
import dev.troupe.journal.RunHistory;
import dev.troupe.journal.TeamEvent;
import dev.troupe.team.Assignment.Role;
import dev.troupe.team.RunContext;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code report.html}: one self-contained page (styles inline, drawings as inline SVG, no script, nothing
 * fetched) telling a run: a timeline with a lane per worker and a bar per agent run coloured by how it ended,
 * the merges; every task with its attempts, time, cost and tokens; the cost per model; the plan as a graph; and
 * each agent's transcript, readable.
 */
public final class ReportPage {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z")
            .withZone(ZoneId.systemDefault());

    /** The timeline's geometry, in SVG units (CSS pixels at 100%). */
    private static final int WIDTH = 1120;
    private static final int LABEL = 110;
    private static final int PLOT = WIDTH - LABEL - 20;
    private static final int LANE = 26;
    private static final int BAR = 18;
    private static final int AXIS = 24;

    /** Graph geometry. */
    private static final int NODE_W = 160;
    private static final int NODE_H = 28;
    private static final int COLUMN_GAP = 56;
    private static final int ROW_GAP = 12;
    /** Transcripts are shown until the page holds this many characters of them; the rest are named. */
    private static final long MOST_TRANSCRIPT_CHARS = 30_000_000;
    /** Above this many tasks, the graph shows only tasks that depend or are depended on. */
    private static final int MOST_NODES = 200;

    private final RunRecord record;
    private final Path runDir;

    private ReportPage(RunRecord record, Path runDir) {
        this.record = record;
        this.runDir = runDir;
    }

    /** The run in {@code runDir} as its journal and its agents' transcripts tell it. */
    public static Optional<RunRecord> read(Path runDir, boolean live) throws IOException {
        JournalReader.Read journal = JournalReader.decisions(runDir.resolve("events.jsonl"));
        return RunRecord.of(journal.events(), journal.lastTime(), span -> lastWrite(transcriptOf(runDir, span)),
                live ? Optional.of(Instant.now()) : Optional.empty());
    }

    private static Optional<Instant> lastWrite(Path file) {
        try {
            return Optional.of(Files.getLastModifiedTime(file).toInstant());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Writes the report of the run in {@code runDir} to {@code file}: into a partial file first, moved into place
     * once whole (and removed if writing fails).
     */
    public static void write(RunRecord record, Path runDir, Path file) throws IOException {
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        try (Writer out = Files.newBufferedWriter(partial, StandardCharsets.UTF_8)) {
            new ReportPage(record, runDir).write(out);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(partial);
            throw e;
        }
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private void write(Writer out) throws IOException {
        RunHistory history = record.history();
        TeamEvent.RunStarted started = history.started();
        StringBuilder html = new StringBuilder(64 * 1024);
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>troupe run ").append(Html.escape(started.run())).append("</title>\n<style>\n")
                .append(STYLE).append("</style>\n</head>\n<body>\n");
        header(html);
        html.append("<section id=\"timeline\">\n<h2>Timeline</h2>\n");
        legend(html);
        timeline(html);
        html.append("</section>\n");
        RoundsSection.write(html, record);
        tasks(html);
        VariantsSection.write(record, html);
        models(html);
        graph(html);
        out.write(html.toString());
        transcripts(out);
        out.write("<footer>Made by <code>troupe report</code> from <code>"
                + Html.escape(runDir.resolve("events.jsonl").toString()) + "</code>.</footer>\n</body>\n</html>\n");
    }

    private void header(StringBuilder html) {
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
        card(html, "merged", merged + " / " + history.tasks().size(), "ok");
        card(html, "failed", Long.toString(failed), failed > 0 ? "bad" : "");
        if (skipped > 0) {
            card(html, "skipped", Long.toString(skipped), "warn");
        }
        card(html, "wall time", Durations.format(Duration.between(record.start(), record.end())), "");
        card(html, "agent runs", Integer.toString(record.spans().size()), "");
        card(html, "spent", Money.format(history.costUsd()), "");
        card(html, "tokens", String.format(Locale.ROOT, "%,d", tokens), "");
        html.append("</div>\n<p class=\"sub\">Goal <code>").append(Html.escape(started.goalFile()))
                .append("</code> in <code>").append(Html.escape(started.repo())).append("</code>. Look at the result: <code>git log --oneline --graph ")
                .append(Html.escape(started.integrationBranch())).append("</code>; land it: <code>git merge ")
                .append(Html.escape(started.integrationBranch())).append("</code>.</p>\n</header>\n");
    }

    private static void card(StringBuilder html, String label, String value, String kind) {
        html.append("<div class=\"card ").append(kind).append("\"><div class=\"value\">").append(Html.escape(value))
                .append("</div><div class=\"label\">").append(label).append("</div></div>\n");
    }

    private static void legend(StringBuilder html) {
        html.append("<p class=\"legend\">");
        for (RunRecord.Outcome outcome : RunRecord.Outcome.values()) {
            html.append("<span><i class=\"o-").append(cssName(outcome)).append("\"></i>").append(outcome.words())
                    .append("</span>");
        }
        html.append("<span><i class=\"reviewer-key\"></i>review (outlined)</span><span><b class=\"merge-key\">◆</b>merge</span></p>\n");
    }

    private void timeline(StringBuilder html) {
        List<String> lanes = new ArrayList<>(record.workers());
        lanes.add("merges");
        Map<String, Integer> laneOf = new HashMap<>();
        for (int i = 0; i < lanes.size(); i++) {
            laneOf.put(lanes.get(i), i);
        }
        long span = Math.max(1, Duration.between(record.start(), record.end()).toMillis());
        int height = AXIS + lanes.size() * LANE + 8;
        html.append("<svg class=\"timeline\" role=\"img\" aria-label=\"timeline\" viewBox=\"0 0 ").append(WIDTH)
                .append(' ').append(height).append("\" width=\"").append(WIDTH).append("\" height=\"").append(height)
                .append("\" xmlns=\"http://www.w3.org/2000/svg\">\n");
        for (int i = 0; i < lanes.size(); i++) {
            int y = AXIS + i * LANE;
            html.append("<rect class=\"lane").append(i % 2 == 0 ? " even" : "").append("\" x=\"").append(LABEL)
                    .append("\" y=\"").append(y).append("\" width=\"").append(PLOT).append("\" height=\"").append(LANE)
                    .append("\"/>\n<text class=\"lane-name\" x=\"").append(LABEL - 8).append("\" y=\"")
                    .append(y + LANE / 2 + 4).append("\">").append(Html.escape(lanes.get(i))).append("</text>\n");
        }
        long step = tickStep(span);
        for (long t = 0; t <= span; t += step) {
            double x = LABEL + PLOT * (double) t / span;
            html.append(String.format(Locale.ROOT, "<line class=\"tick\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\"/>"
                    + "<text class=\"tick-label\" x=\"%.1f\" y=\"%d\">%s</text>%n", x, x, AXIS - 4, height - 8, x, AXIS - 8,
                    Durations.format(Duration.ofMillis(t))));
        }
        for (RunRecord.Span s : record.spans()) {
            double x = LABEL + PLOT * (double) Duration.between(record.start(), s.start()).toMillis() / span;
            double w = Math.max(2, PLOT * (double) s.duration().toMillis() / span);
            int y = AXIS + laneOf.get(s.worker()) * LANE + (LANE - BAR) / 2;
            String name = label(s);
            html.append("<a href=\"#").append(anchor(s)).append("\"><rect class=\"bar o-").append(cssName(s.outcome()))
                    .append(s.role() == Role.REVIEWER ? " reviewer" : "")
                    .append(String.format(Locale.ROOT, "\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" rx=\"3\">", x, y, w, BAR))
                    .append("<title>").append(Html.escape(name + ": " + s.outcome().words() + ", "
                            + Durations.format(s.duration()) + " on " + s.worker()
                            + (s.detail().isBlank() ? "" : "\n" + firstLine(s.detail()))))
                    .append("</title></rect>");
            if (w > 7 * name.length() + 8) {
                html.append(String.format(Locale.ROOT, "<text class=\"bar-label\" x=\"%.1f\" y=\"%d\">", x + 4, y + BAR / 2 + 4))
                        .append(Html.escape(name)).append("</text>");
            }
            html.append("</a>\n");
        }
        int mergeLane = AXIS + (lanes.size() - 1) * LANE + LANE / 2;
        for (RunRecord.Merge merge : record.merges()) {
            double x = LABEL + PLOT * (double) Duration.between(record.start(), merge.time()).toMillis() / span;
            html.append(String.format(Locale.ROOT, "<path class=\"merge\" d=\"M%.1f %d l6 6 l-6 6 l-6 -6 z\">", x, mergeLane - 6))
                    .append("<title>").append(Html.escape(merge.task() + " merged at " + CLOCK.format(merge.time()) + " ("
                            + merge.commit().substring(0, Math.min(7, merge.commit().length())) + ")"))
                    .append("</title></path>\n");
        }
        html.append("</svg>\n");
    }

    /** A tick every 1, 2 or 5 of a unit, ten ticks at most. */
    private static long tickStep(long spanMs) {
        long[] steps = {100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000,
            900_000, 1_800_000, 3_600_000, 7_200_000, 14_400_000, 21_600_000, 43_200_000, 86_400_000};
        for (long step : steps) {
            if (spanMs / step <= 10) {
                return step;
            }
        }
        return spanMs / 10;
    }

    private void tasks(StringBuilder html) {
        RunHistory history = record.history();
        Map<String, List<RunRecord.Span>> spansOf = new LinkedHashMap<>();
        record.spans().forEach(s -> spansOf.computeIfAbsent(s.task(), k -> new ArrayList<>()).add(s));
        html.append("<section id=\"tasks\">\n<h2>Tasks</h2>\n<table>\n<thead><tr><th>task</th><th>fate</th>")
                .append("<th>attempts (transcripts)</th><th class=\"num\">time</th><th class=\"num\">cost</th>")
                .append("<th class=\"num\">tokens</th><th>merge</th><th>note</th></tr></thead>\n<tbody>\n");
        for (TaskLife task : history.tasks().values()) {
            List<RunRecord.Span> spans = spansOf.getOrDefault(task.id(), List.of());
            long agentMs = spans.stream().mapToLong(s -> s.duration().toMillis()).sum();
            html.append("<tr id=\"task-").append(Html.escape(record.slugOf(task.id()))).append("\"><td><code>")
                    .append(Html.escape(task.id())).append("</code></td><td><span class=\"fate s-")
                    .append(task.state().name().toLowerCase(Locale.ROOT)).append("\">")
                    .append(task.state().name().toLowerCase(Locale.ROOT)).append("</span></td><td>");
            for (RunRecord.Span s : spans) {
                html.append("<a class=\"chip o-").append(cssName(s.outcome())).append("\" href=\"#").append(anchor(s))
                        .append("\" title=\"").append(Html.escape(s.outcome().words())).append("\">")
                        .append(s.role() == Role.REVIEWER ? "review " + s.attempt()
                                : s.role() == Role.JUDGE ? "judge" : "#" + s.attempt())
                        .append("</a> ");
            }
            html.append("</td><td class=\"num\">").append(agentMs > 0 ? Durations.format(Duration.ofMillis(agentMs)) : "-")
                    .append("</td><td class=\"num\">").append(Money.format(task.costUsd()))
                    .append("</td><td class=\"num\">").append(String.format(Locale.ROOT, "%,d", task.usage().total()))
                    .append("</td><td><code>").append(task.mergeCommit().isEmpty() ? "-" : task.mergeCommit().substring(0, 7))
                    .append("</code></td><td>").append(Html.escape(task.state() == TaskLife.State.MERGED
                            ? String.join(", ", task.filesChanged()) : firstLine(task.reason())))
                    .append("</td></tr>\n");
        }
        html.append("</tbody>\n</table>\n</section>\n");
    }

    private void models(StringBuilder html) throws IOException {
        Map<String, double[]> byModel = new TreeMap<>();
        for (RunRecord.Span s : record.spans()) {
            for (Transcript.ModelSpend spend : Transcript.spend(transcriptOf(runDir, s))) {
                double[] sums = byModel.computeIfAbsent(spend.model(), k -> new double[4]);
                sums[0]++;
                sums[1] += spend.inputTokens();
                sums[2] += spend.outputTokens();
                sums[3] += spend.costUsd();
            }
        }
        html.append("<section id=\"models\">\n<h2>Cost per model</h2>\n");
        if (byModel.isEmpty()) {
            html.append("<p class=\"note\">No agent reported what it spent.</p>\n</section>\n");
            return;
        }
        html.append("<table>\n<thead><tr><th>model</th><th class=\"num\">agent runs</th><th class=\"num\">input tokens</th>")
                .append("<th class=\"num\">output tokens</th><th class=\"num\">cost</th></tr></thead>\n<tbody>\n");
        byModel.forEach((model, sums) -> html.append(String.format(Locale.ROOT,
                "<tr><td><code>%s</code></td><td class=\"num\">%d</td><td class=\"num\">%,d</td><td class=\"num\">%,d</td>"
                        + "<td class=\"num\">%s</td></tr>%n", Html.escape(model), (long) sums[0], (long) sums[1],
                (long) sums[2], Money.format(sums[3]))));
        html.append("</tbody>\n</table>\n</section>\n");
    }

    private void graph(StringBuilder html) {
        RunHistory history = record.history();
        List<String> ids = new ArrayList<>(history.tasks().keySet());
        html.append("<section id=\"plan\">\n<h2>Plan</h2>\n");
        boolean anyEdge = ids.stream().anyMatch(id -> !history.after(id).isEmpty());
        if (!anyEdge) {
            html.append("<p class=\"note\">No task comes after another: all ").append(ids.size())
                    .append(" could run side by side.</p>\n</section>\n");
            return;
        }
        if (ids.size() > MOST_NODES) {
            java.util.Set<String> linked = new java.util.HashSet<>();
            ids.forEach(id -> {
                if (!history.after(id).isEmpty()) {
                    linked.add(id);
                    linked.addAll(history.after(id));
                }
            });
            html.append("<p class=\"note\">").append(ids.size() - linked.size())
                    .append(" tasks that neither come after nor before another are left out.</p>\n");
            ids.retainAll(linked);
        }
        Map<String, Integer> depth = new HashMap<>();
        ids.forEach(id -> depthOf(id, history, depth));
        Map<Integer, List<String>> columns = new TreeMap<>();
        ids.forEach(id -> columns.computeIfAbsent(depth.get(id), k -> new ArrayList<>()).add(id));
        Map<String, int[]> at = new HashMap<>();
        int rows = columns.values().stream().mapToInt(List::size).max().orElse(1);
        columns.forEach((column, inColumn) -> {
            for (int row = 0; row < inColumn.size(); row++) {
                at.put(inColumn.get(row), new int[] {8 + column * (NODE_W + COLUMN_GAP), 8 + row * (NODE_H + ROW_GAP)});
            }
        });
        int width = 16 + columns.size() * (NODE_W + COLUMN_GAP) - COLUMN_GAP;
        int height = 16 + rows * (NODE_H + ROW_GAP) - ROW_GAP;
        html.append("<svg class=\"graph\" role=\"img\" aria-label=\"plan\" viewBox=\"0 0 ").append(width).append(' ')
                .append(height).append("\" width=\"").append(width).append("\" height=\"").append(height)
                .append("\" xmlns=\"http://www.w3.org/2000/svg\">\n");
        for (String id : ids) {
            int[] to = at.get(id);
            for (String dependency : history.after(id)) {
                int[] from = at.get(dependency);
                if (from == null) {
                    continue;
                }
                int x1 = from[0] + NODE_W;
                int y1 = from[1] + NODE_H / 2;
                int x2 = to[0];
                int y2 = to[1] + NODE_H / 2;
                html.append(String.format(Locale.ROOT, "<path class=\"edge\" d=\"M%d %d C%d %d, %d %d, %d %d\"/>%n",
                        x1, y1, x1 + COLUMN_GAP / 2, y1, x2 - COLUMN_GAP / 2, y2, x2, y2));
            }
        }
        for (String id : ids) {
            int[] p = at.get(id);
            TaskLife task = history.tasks().get(id);
            String state = task.state().name().toLowerCase(Locale.ROOT);
            html.append("<a href=\"#task-").append(Html.escape(record.slugOf(id))).append("\"><rect class=\"node s-")
                    .append(state).append("\" x=\"").append(p[0]).append("\" y=\"").append(p[1]).append("\" width=\"")
                    .append(NODE_W).append("\" height=\"").append(NODE_H).append("\" rx=\"5\"><title>")
                    .append(Html.escape(id + ": " + state)).append("</title></rect><text class=\"node-label\" x=\"")
                    .append(p[0] + 8).append("\" y=\"").append(p[1] + NODE_H / 2 + 4).append("\">")
                    .append(Html.escape(id.length() > 22 ? id.substring(0, 21) + "…" : id)).append("</text></a>\n");
        }
        html.append("</svg>\n</section>\n");
    }

    private static int depthOf(String id, RunHistory history, Map<String, Integer> depth) {
        Integer known = depth.get(id);
        if (known != null) {
            return known;
        }
        depth.put(id, 0); // a goal's graph has no cycles (the loader refuses them); this only guards the walk
        int d = 0;
        for (String dependency : history.after(id)) {
            d = Math.max(d, 1 + depthOf(dependency, history, depth));
        }
        depth.put(id, d);
        return d;
    }

    private void transcripts(Writer out) throws IOException {
        out.write("<section id=\"transcripts\">\n<h2>Transcripts</h2>\n");
        long written = 0;
        for (RunRecord.Span s : record.spans()) {
            Path file = transcriptOf(runDir, s);
            StringBuilder html = new StringBuilder();
            html.append("<details id=\"").append(anchor(s)).append("\"><summary><i class=\"o-")
                    .append(cssName(s.outcome())).append("\"></i><code>").append(Html.escape(label(s)))
                    .append("</code> · ").append(s.outcome().words()).append(" · ")
                    .append(Durations.format(s.duration())).append(" on ").append(Html.escape(s.worker()))
                    .append(" · started ").append(CLOCK.format(s.start())).append("</summary>\n");
            if (!s.detail().isBlank()) {
                html.append("<p class=\"detail\">").append(Html.escape(firstLine(s.detail()))).append("</p>\n");
            }
            html.append(Transcript.steering(s));
            if (!Files.exists(file)) {
                html.append("<p class=\"note\">No output was kept for this agent run.</p>\n");
            } else if (written > MOST_TRANSCRIPT_CHARS) {
                html.append("<p class=\"note\">Not shown, to keep this page small enough for a browser: read <code>")
                        .append(Html.escape(file.toString())).append("</code> (<code>troupe results --task</code>).</p>\n");
            } else {
                String transcript = Transcript.html(file);
                written += transcript.length();
                html.append(transcript);
            }
            html.append("</details>\n");
            out.write(html.toString());
        }
        out.write("</section>\n");
    }

    static Path transcriptOf(Path runDir, RunRecord.Span s) {
        return RunContext.agentOutput(runDir, s.role(), s.slug(), s.attempt(), ".jsonl");
    }

    private static String anchor(RunRecord.Span s) {
        return switch (s.role()) {
            case PLANNER -> "plan-" + s.attempt();
            case WRITER -> "a-" + s.slug() + "-" + s.attempt();
            case REVIEWER -> "r-" + s.slug() + "-" + s.attempt();
            case JUDGE -> "j-" + s.slug() + "-" + s.attempt();
        };
    }

    private static String label(RunRecord.Span s) {
        return switch (s.role()) {
            case PLANNER -> "planner #" + s.attempt();
            case WRITER -> s.task() + " #" + s.attempt();
            case REVIEWER -> s.task() + " review #" + s.attempt();
            case JUDGE -> s.task() + " judge of variants";
        };
    }

    private static String cssName(RunRecord.Outcome outcome) {
        return outcome.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static String firstLine(String text) {
        String first = text == null ? "" : text.strip().lines().findFirst().orElse("");
        return first.length() > 200 ? first.substring(0, 199) + "…" : first;
    }

    private static final String STYLE = """
            :root { --ink: #1f2328; --muted: #656d76; --line: #d0d7de; --bg: #ffffff; --panel: #f6f8fa;
              --merged: #2f9e44; --done: #94d82d; --approved: #1c7ed6; --changes: #f08c00; --conflict: #9c36b5;
              --failed: #e03131; --rate: #fcc419; --planned: #0c8599; --refused: #e8590c; --unfinished: #adb5bd; }
            * { box-sizing: border-box; }
            body { font: 14px/1.45 -apple-system, "Segoe UI", "DejaVu Sans", Helvetica, Arial, sans-serif; color: var(--ink);
              background: var(--bg); margin: 0 auto; padding: 24px 28px 48px; max-width: 1180px; }
            h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 10px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
            code { font: 12.5px/1.4 "DejaVu Sans Mono", Menlo, Consolas, monospace; }
            .sub { color: var(--muted); margin: 4px 0; }
            .cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 14px 0; }
            .card { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; min-width: 110px; }
            .card .value { font-size: 20px; font-weight: 600; } .card .label { color: var(--muted); font-size: 12px; }
            .card.ok .value { color: var(--merged); } .card.bad .value { color: var(--failed); } .card.warn .value { color: var(--changes); }
            .legend { display: flex; flex-wrap: wrap; gap: 4px 14px; color: var(--muted); font-size: 12px; margin: 0 0 8px; }
            .legend i, summary i { display: inline-block; width: 12px; height: 12px; border-radius: 3px; margin-right: 5px; vertical-align: -1px; }
            .legend .reviewer-key { background: #fff; border: 2px dashed var(--ink); }
            .legend .merge-key { color: var(--ink); margin-right: 4px; }
            svg.timeline, svg.graph { display: block; max-width: 100%; height: auto; }
            .lane { fill: #fbfcfd; } .lane.even { fill: #f1f3f5; }
            .lane-name { font-size: 12px; text-anchor: end; fill: var(--muted); }
            .tick { stroke: #dee2e6; stroke-width: 1; } .tick-label { font-size: 10.5px; fill: var(--muted); text-anchor: middle; }
            .bar { stroke: rgba(0,0,0,.25); stroke-width: .6; } .bar.reviewer { stroke: var(--ink); stroke-width: 1.4; stroke-dasharray: 3 2; }
            a:hover .bar { filter: brightness(1.12); stroke: var(--ink); }
            .bar-label { font-size: 11px; fill: #fff; pointer-events: none; font-weight: 600; }
            .merge { fill: var(--ink); }
            .o-merged { fill: var(--merged); background: var(--merged); } .o-done { fill: var(--done); background: var(--done); }
            .o-approved { fill: var(--approved); background: var(--approved); } .o-changes-requested { fill: var(--changes); background: var(--changes); }
            .o-conflict { fill: var(--conflict); background: var(--conflict); } .o-failed { fill: var(--failed); background: var(--failed); }
            .o-rate-limited { fill: var(--rate); background: var(--rate); } .o-planned { fill: var(--planned); background: var(--planned); }
            .o-passed { fill: var(--done); background: var(--done); } .o-judged { fill: var(--approved); background: var(--approved); }
            .o-plan-refused { fill: var(--refused); background: var(--refused); } .o-unfinished { fill: var(--unfinished); background: var(--unfinished); }
            table { border-collapse: collapse; width: 100%; font-size: 13px; }
            th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
            th { background: var(--panel); font-weight: 600; } .num { text-align: right; white-space: nowrap; }
            .fate { padding: 1px 7px; border-radius: 10px; font-size: 12px; background: #e9ecef; }
            .fate.s-merged { background: #d3f9d8; color: #2b8a3e; } .fate.s-failed { background: #ffe3e3; color: #c92a2a; }
            .fate.s-skipped { background: #fff3bf; color: #8f6b00; }
            .chip { display: inline-block; padding: 0 6px; border-radius: 9px; color: #fff; font-size: 11.5px; text-decoration: none; margin: 1px 0; }
            .chip.o-rate-limited, .chip.o-done, .chip.o-passed { color: var(--ink); }
            .node { fill: #e9ecef; stroke: #868e96; } .node.s-merged { fill: #d3f9d8; stroke: var(--merged); }
            .node.s-failed { fill: #ffe3e3; stroke: var(--failed); } .node.s-skipped { fill: #fff9db; stroke: #f59f00; stroke-dasharray: 4 3; }
            .node-label { font-size: 12px; fill: var(--ink); pointer-events: none; font-family: "DejaVu Sans Mono", monospace; }
            .edge { fill: none; stroke: #868e96; stroke-width: 1.4; }
            details { border: 1px solid var(--line); border-radius: 6px; margin: 6px 0; background: #fff; }
            details[open] { background: var(--panel); } summary { cursor: pointer; padding: 6px 10px; }
            .detail { margin: 4px 12px; color: var(--muted); }
            ol.transcript { list-style: none; margin: 0; padding: 4px 12px 10px; }
            ol.transcript li { margin: 6px 0; padding: 6px 10px; border-radius: 6px; background: #fff; border-left: 4px solid var(--line); }
            ol.transcript .label { display: block; font-size: 11px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
            ol.transcript .assistant { border-left-color: var(--approved); } ol.transcript .tool { border-left-color: var(--conflict); }
            ol.transcript .tool-result { border-left-color: #adb5bd; } ol.transcript .tool-error, ol.transcript .result-error { border-left-color: var(--failed); }
            ol.transcript .result { border-left-color: var(--merged); } ol.transcript .retry { border-left-color: var(--rate); }
            ol.transcript .told { border-left-color: var(--conflict); background: #fffbea; }
            ol.transcript pre { margin: 4px 0 0; white-space: pre-wrap; word-break: break-word; font: 12px/1.4 "DejaVu Sans Mono", monospace; }
            ol.transcript .text { white-space: pre-wrap; } ol.transcript .meta { color: var(--muted); font-size: 12px; }
            .note { color: var(--muted); font-style: italic; }
            footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
            """;
}
