package dev.troupe.report;

import dev.troupe.journal.JournalReader;
import dev.troupe.journal.TeamEvent;
import dev.troupe.team.rules.RunContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
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
    private static String style() throws IOException {
        try (InputStream css = ReportPage.class.getResourceAsStream("report.css")) {
            if (css == null) {
                throw new IllegalStateException("report.css is missing from troupe's classes (a broken build)");
            }
            return new String(css.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
