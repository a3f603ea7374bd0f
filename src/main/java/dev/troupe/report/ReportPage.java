package dev.troupe.report;

import dev.troupe.journal.JournalReader;
import dev.troupe.journal.TeamEvent;
import dev.troupe.team.rules.RunContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * {@code report.html}: one self-contained page (styles inline, drawings as inline SVG, no script, nothing
 * fetched) telling a run: a timeline with a lane per worker and a bar per agent run coloured by how it ended,
 * the merges; every task with its attempts, time, cost and tokens; the cost per model; the plan as a graph; and
 * each agent's transcript, readable.
 */
public final class ReportPage {

    private final RunRecord record;
    private final Path runDir;

    private ReportPage(RunRecord record, Path runDir) {
        this.record = record;
        this.runDir = runDir;
    }

    /** The run in {@code runDir} as its journal and its agents' transcripts tell it. */
    public static Optional<RunRecord> read(Path runDir, boolean live) throws IOException {
        JournalReader.Read journal = JournalReader.decisions(runDir.resolve("events.jsonl"));
        return of(journal.events(), journal.lastTime(), runDir, live);
    }

    /** The same, from the journal's events but the agents' output, already read ({@code troupe serve}). */
    public static Optional<RunRecord> of(List<TeamEvent> decisions, Optional<Instant> lastTime, Path runDir,
            boolean live) {
        return RunRecord.of(decisions, lastTime, span -> lastWrite(transcriptOf(runDir, span)),
                live ? Optional.of(Instant.now()) : Optional.empty());
    }

    /** The whole page, as {@code report.html} holds it. */
    public static String html(RunRecord record, Path runDir) throws IOException {
        StringWriter out = new StringWriter();
        new ReportPage(record, runDir).write(out);
        return out.toString();
    }

    /**
     * The report's overview for a page that follows the run live: its timeline, rounds, variants, cost per model and
     * plan; not its header, the table of tasks nor the transcripts, which such a page shows its own way.
     */
    public static String overview(RunRecord record, Path runDir) throws IOException {
        StringBuilder html = new StringBuilder(32 * 1024);
        TimelineSection.write(html, record);
        RoundsSection.write(html, record);
        VariantsSection.write(record, html);
        ModelsSection.write(html, record, runDir);
        PlanSection.write(html, record);
        return html.toString();
    }

    /**
     * Each agent run of {@code task} with its transcript, as the report shows them; the last one unfolded, and
     * while the run is {@code live} its last entries rather than its first.
     */
    public static String transcripts(RunRecord record, Path runDir, String task, boolean live) throws IOException {
        List<RunRecord.Span> spans = record.spans().stream().filter(s -> s.task().equals(task)).toList();
        StringBuilder html = new StringBuilder();
        for (int i = 0; i < spans.size(); i++) {
            boolean last = i == spans.size() - 1;
            html.append(TranscriptsSection.span(spans.get(i), runDir, true, last, live && last));
        }
        return html.toString();
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
        TeamEvent.RunStarted started = record.history().started();
        StringBuilder html = new StringBuilder(64 * 1024);
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>troupe run ").append(Html.escape(started.run())).append("</title>\n<style>\n")
                .append(style()).append("</style>\n</head>\n<body>\n");
        HeaderSection.write(html, record);
        TimelineSection.write(html, record);
        RoundsSection.write(html, record);
        TasksSection.write(html, record);
        VariantsSection.write(record, html);
        ModelsSection.write(html, record, runDir);
        PlanSection.write(html, record);
        out.write(html.toString());
        TranscriptsSection.write(out, record, runDir);
        out.write("<footer>Made by <code>troupe report</code> from <code>"
                + Html.escape(runDir.resolve("events.jsonl").toString()) + "</code>.</footer>\n</body>\n</html>\n");
    }

    static Path transcriptOf(Path runDir, RunRecord.Span s) {
        return RunContext.agentOutput(runDir, s.role(), s.slug(), s.attempt(), ".jsonl");
    }

    /** The page's styles, inlined so that the page is one file: {@code report.css} beside this class. */
    public static String style() throws IOException {
        try (InputStream css = ReportPage.class.getResourceAsStream("report.css")) {
            if (css == null) {
                throw new IllegalStateException("report.css is missing from troupe's classes (a broken build)");
            }
            return new String(css.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
