package dev.troupe.report;

import dev.troupe.goal.Durations;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * The report's transcripts: each agent run, folded, with how it ended, what it was told, and its transcript made
 * readable. Written straight to the page, one run at a time, and named rather than shown once the page is large.
 */
final class TranscriptsSection {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());
    /** Transcripts are shown until the page holds this many characters of them; the rest are named. */
    private static final long MOST_TRANSCRIPT_CHARS = 30_000_000;

    /** Up to this many agent runs, each is listed; more, and only those that did not go well are. */
    static final int MOST_LISTED = 1000;
    private static final java.util.Set<RunRecord.Outcome> WENT_WELL = java.util.EnumSet.of(RunRecord.Outcome.MERGED,
            RunRecord.Outcome.APPROVED, RunRecord.Outcome.PLANNED);

    private TranscriptsSection() {}

    /** Whether the page lists {@code s}'s transcript, so that a link to its anchor leads somewhere. */
    static boolean listed(RunRecord record, RunRecord.Span s) {
        return record.spans().size() <= MOST_LISTED || !WENT_WELL.contains(s.outcome());
    }

    static void write(Writer out, RunRecord record, Path runDir) throws IOException {
        out.write("<section id=\"transcripts\">\n<h2>Transcripts</h2>\n");
        List<RunRecord.Span> spans = record.spans();
        if (spans.size() > MOST_LISTED) {
            // A run of thousands: the agent runs that went well are many and alike; those that did not are what a
            // reader comes for. Every transcript stays in the run's folder.
            spans = spans.stream().filter(s -> listed(record, s)).toList();
            out.write("<p class=\"note\">" + String.format(Locale.ROOT, "%,d", record.spans().size()) + " agent runs: "
                    + "here are the " + String.format(Locale.ROOT, "%,d", spans.size()) + " that were not merged, approved"
                    + " or accepted. Every transcript is in <code>" + Html.escape(runDir.resolve("agents").toString())
                    + "</code> (<code>troupe results --task</code>).</p>\n");
        }
        long written = 0;
        for (RunRecord.Span s : spans) {
            boolean shown = written <= MOST_TRANSCRIPT_CHARS;
            String html = span(s, runDir, shown, false, false);
            written += html.length();
            out.write(html);
        }
        out.write("</section>\n");
    }

    /**
     * One agent run, folded ({@code open}: unfolded): how it ended, what it was told, and its transcript
     * ({@code shown}; otherwise the file is named), its last entries when {@code latest}.
     */
    static String span(RunRecord.Span s, Path runDir, boolean shown, boolean open, boolean latest) throws IOException {
        Path file = ReportPage.transcriptOf(runDir, s);
        StringBuilder html = new StringBuilder();
        html.append("<details id=\"").append(SpanNames.anchor(s)).append("\"").append(open ? " open" : "")
                .append("><summary><i class=\"o-")
                .append(SpanNames.cssName(s.outcome())).append("\"></i><code>").append(Html.escape(SpanNames.label(s)))
                .append("</code> · ").append(s.outcome().words()).append(" · ")
                .append(Durations.format(s.duration())).append(" on ").append(Html.escape(s.worker()))
                .append(" · ").append(Html.escape(SpanNames.agent(s)))
                .append(" · started ").append(CLOCK.format(s.start())).append("</summary>\n");
        if (!s.detail().isBlank()) {
            html.append("<p class=\"detail\">").append(Html.escape(Html.firstLine(s.detail()))).append("</p>\n");
        }
        html.append(Transcript.steering(s));
        if (!Files.exists(file)) {
            html.append("<p class=\"note\">No output was kept for this agent run.</p>\n");
        } else if (!shown) {
            html.append("<p class=\"note\">Not shown, to keep this page small enough for a browser: read <code>")
                    .append(Html.escape(file.toString())).append("</code> (<code>troupe results --task</code>).</p>\n");
        } else {
            html.append(Transcript.html(file, latest));
        }
        html.append("</details>\n");
        return html.toString();
    }
}
