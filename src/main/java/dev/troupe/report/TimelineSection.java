package dev.troupe.report;

import dev.troupe.goal.Durations;
import dev.troupe.team.rules.Assignment.Role;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report's timeline, an inline SVG: a lane per worker with a bar per agent run, coloured by how it ended and
 * linked to its transcript, a lane of merges, and a legend of the colours.
 */
final class TimelineSection {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    /** The timeline's geometry, in SVG units (CSS pixels at 100%). */
    private static final int WIDTH = 1120;
    private static final int LABEL = 110;
    private static final int PLOT = WIDTH - LABEL - 20;
    private static final int LANE = 26;
    private static final int BAR = 18;
    private static final int AXIS = 24;
    /** Up to this many agent runs (and merges), each has a mark of its own. */
    static final int MOST_MARKS = 2000;

    private TimelineSection() {}

    static void write(StringBuilder html, RunRecord record) {
        html.append("<section id=\"timeline\">\n<h2>Timeline</h2>\n");
        legend(html);
        timeline(html, record);
        html.append("</section>\n");
    }

    private static void legend(StringBuilder html) {
        html.append("<p class=\"legend\">");
        for (RunRecord.Outcome outcome : RunRecord.Outcome.values()) {
            html.append("<span><i class=\"o-").append(SpanNames.cssName(outcome)).append("\"></i>").append(outcome.words())
                    .append("</span>");
        }
        html.append("<span><i class=\"reviewer-key\"></i>review (outlined)</span><span><b class=\"merge-key\">◆</b>merge</span></p>\n");
    }

    private static void timeline(StringBuilder html, RunRecord record) {
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
        double msPerPixel = (double) span / PLOT;
        for (List<RunRecord.Span> bar : bars(record, msPerPixel)) {
            RunRecord.Span s = bar.get(0);
            Instant end = bar.stream().map(RunRecord.Span::end).max(Instant::compareTo).orElseThrow();
            double x = LABEL + PLOT * (double) Duration.between(record.start(), s.start()).toMillis() / span;
            double w = Math.max(2, PLOT * (double) Duration.between(s.start(), end).toMillis() / span);
            int y = AXIS + laneOf.get(s.worker()) * LANE + (LANE - BAR) / 2;
            String name = bar.size() == 1 ? SpanNames.label(s) : bar.size() + " agent runs";
            String title = bar.size() == 1
                    ? name + ": " + s.outcome().words() + ", " + Durations.format(s.duration()) + " on " + s.worker() + ", "
                            + SpanNames.agent(s) + (s.detail().isBlank() ? "" : "\n" + Html.firstLine(s.detail()))
                    : name + ", each " + s.outcome().words() + ", from " + CLOCK.format(s.start()) + " to "
                            + CLOCK.format(end) + " on " + s.worker() + " (first: " + SpanNames.label(s) + ")";
            boolean listed = TranscriptsSection.listed(record, s);
            html.append(listed ? "<a href=\"#" + SpanNames.anchor(s) + "\">" : "<g>")
                    .append("<rect class=\"bar o-").append(SpanNames.cssName(s.outcome()))
                    .append(s.role() == Role.REVIEWER ? " reviewer" : "")
                    .append(String.format(Locale.ROOT, "\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" rx=\"3\">", x, y, w, BAR))
                    .append("<title>").append(Html.escape(title)).append("</title></rect>");
            if (w > 7 * name.length() + 8) {
                html.append(String.format(Locale.ROOT, "<text class=\"bar-label\" x=\"%.1f\" y=\"%d\">", x + 4, y + BAR / 2 + 4))
                        .append(Html.escape(name)).append("</text>");
            }
            html.append(listed ? "</a>\n" : "</g>\n");
        }
        int mergeLane = AXIS + (lanes.size() - 1) * LANE + LANE / 2;
        for (List<RunRecord.Merge> group : mergeMarks(record, msPerPixel)) {
            RunRecord.Merge merge = group.get(0);
            RunRecord.Merge last = group.get(group.size() - 1);
            double x = LABEL + PLOT * (double) Duration.between(record.start(), merge.time()).toMillis() / span;
            String title = group.size() == 1 ? merge.task() + " merged at " + CLOCK.format(merge.time()) + " ("
                    + merge.commit().substring(0, Math.min(7, merge.commit().length())) + ")"
                    : group.size() + " merges from " + CLOCK.format(merge.time()) + " to " + CLOCK.format(last.time());
            html.append(String.format(Locale.ROOT, "<path class=\"merge\" d=\"M%.1f %d l6 6 l-6 6 l-6 -6 z\">", x, mergeLane - 6))
                    .append("<title>").append(Html.escape(title)).append("</title></path>\n");
        }
        html.append("</svg>\n");
    }

    /**
     * The bars to draw, each one agent run; in a run of more than {@value #MOST_MARKS} of them, the runs of a lane
     * that ended alike and follow each other within a pixel are one bar, so that a 10,000-task run draws hundreds
     * of bars, not 10,000 each with its link and tooltip.
     */
    private static List<List<RunRecord.Span>> bars(RunRecord record, double msPerPixel) {
        if (record.spans().size() <= MOST_MARKS) {
            return record.spans().stream().map(List::of).toList();
        }
        Map<String, List<RunRecord.Span>> byLane = new java.util.LinkedHashMap<>();
        record.spans().forEach(s -> byLane.computeIfAbsent(s.worker(), k -> new ArrayList<>()).add(s));
        List<List<RunRecord.Span>> bars = new ArrayList<>();
        for (List<RunRecord.Span> lane : byLane.values()) {
            lane.sort(java.util.Comparator.comparing(RunRecord.Span::start));
            List<RunRecord.Span> bar = null;
            Instant barEnd = null;
            for (RunRecord.Span s : lane) {
                if (bar != null && s.outcome() == bar.get(0).outcome() && s.role() == bar.get(0).role()
                        && Duration.between(barEnd, s.start()).toMillis() <= msPerPixel) {
                    bar.add(s);
                } else {
                    bar = new ArrayList<>(List.of(s));
                    bars.add(bar);
                }
                barEnd = bar.size() == 1 || s.end().isAfter(barEnd) ? s.end() : barEnd;
            }
        }
        return bars;
    }

    /** The merges to mark, each one merge; past {@value #MOST_MARKS}, merges within three pixels are one mark. */
    private static List<List<RunRecord.Merge>> mergeMarks(RunRecord record, double msPerPixel) {
        if (record.merges().size() <= MOST_MARKS) {
            return record.merges().stream().map(List::of).toList();
        }
        List<List<RunRecord.Merge>> marks = new ArrayList<>();
        List<RunRecord.Merge> mark = null;
        for (RunRecord.Merge merge : record.merges()) {
            if (mark != null && Duration.between(mark.get(0).time(), merge.time()).toMillis() <= 3 * msPerPixel) {
                mark.add(merge);
            } else {
                mark = new ArrayList<>(List.of(merge));
                marks.add(mark);
            }
        }
        return marks;
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
}
