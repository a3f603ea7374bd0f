package dev.troupe.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.troupe.journal.TeamEvent;
import dev.troupe.journal.Usage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report of a run of thousands of tasks stays a page a browser opens: marks drawn together, tables folded. */
class BigRunReportTest {

    private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

    @TempDir
    Path tmp;

    /** {@code tasks} tasks on four workers, one after another every 100 ms each; the one at {@code failing} fails. */
    private String report(int tasks, int failing) throws IOException {
        List<String> ids = IntStream.range(0, tasks).mapToObj(i -> String.format("t%05d", i)).toList();
        List<TeamEvent> journal = new ArrayList<>();
        journal.add(new TeamEvent.RunStarted(T0, "run-1", "goal.yaml", "/repo", "main", "0123456789abcdef",
                "troupe/run-1", 4, ids, Map.of(), false));
        for (int i = 0; i < tasks; i++) {
            String id = ids.get(i);
            Instant start = T0.plusMillis(100L * (i / 4));
            journal.add(new TeamEvent.TaskAssigned(start, id, 1, "worker-" + (i % 4 + 1), "troupe/tasks/run-1/" + id,
                    "0123456"));
            if (i == failing) {
                journal.add(new TeamEvent.AttemptFailed(start.plusMillis(90), id, 1, "the agent gave up", 0, Usage.NONE,
                        90, true));
                journal.add(new TeamEvent.TaskFailed(start.plusMillis(90), id, 1, "the agent gave up"));
            } else {
                journal.add(new TeamEvent.TaskSucceeded(start.plusMillis(90), id, 1, "b", "abcdef0", 0.01, Usage.NONE,
                        1, 90, List.of(id + ".txt"), "done", 0));
                journal.add(new TeamEvent.MergeStarted(start.plusMillis(90), id, 1));
                journal.add(new TeamEvent.MergeDone(start.plusMillis(95), id, "0123456789abcdef0123456789abcdef01234567",
                        "troupe/run-1"));
            }
        }
        Path runDir = tmp.resolve("run-" + tasks);
        Files.createDirectories(runDir.resolve("agents"));
        RunRecord record = RunRecord.of(journal, Optional.empty(), s -> Optional.empty(), Optional.empty()).orElseThrow();
        return ReportPage.html(record, runDir);
    }

    private static int count(String html, String regex) {
        Matcher m = Pattern.compile(regex).matcher(html);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void aRunOfThousandsDrawsItsAgentRunsTogetherFoldsItsTasksAndListsTheTranscriptsThatWentWrong() throws IOException {
        String html = report(5000, 2345);

        int bars = count(html, "<rect class=\"bar ");
        assertTrue(bars < 50, "runs that follow each other and ended alike are one bar: " + bars);
        assertTrue(html.contains("agent runs, each merged, from"), "a drawn-together bar says how many it holds");
        assertTrue(html.contains("<title>t02345 #1: failed"), "the failed agent run keeps a bar of its own");
        assertTrue(count(html, "<path class=\"merge\"") < 400, "merges within three pixels are one mark");

        assertEquals(10, count(html, "<details class=\"fold\""), "5,000 tasks in folds of 500");
        assertEquals(1, count(html, "<details class=\"fold\" open>"), "the first fold open");
        assertTrue(html.contains("<summary>tasks 2001–2500: 499 merged, 1 not</summary>"), "a fold says what is in it");
        assertTrue(html.contains("<tr id=\"task-t04999\">"), "every task is in the table");

        int transcripts = html.indexOf("<section id=\"transcripts\">");
        assertEquals(1, count(html.substring(transcripts), "<details id="), "only the run that went wrong is listed");
        assertTrue(html.contains("5,000 agent runs: here are the 1 that were not merged"), "and the page says so");
        assertTrue(html.contains("<a class=\"chip o-failed\" href=\"#a-t02345-1\""), "a listed run's chip links to it");
        assertTrue(html.contains("<span class=\"chip o-merged\" title=\"merged\">#1</span>"),
                "one not listed is no link to nowhere");
        assertTrue(html.length() < 4_000_000, "a page a browser opens at once: " + html.length() + " characters");
    }

    @Test
    void aRunOfAHundredShowsEachAgentRunAndEachTaskAsBefore() throws IOException {
        String html = report(100, 7);

        assertEquals(100, count(html, "<rect class=\"bar "), "a bar per agent run");
        assertEquals(99, count(html, "<path class=\"merge\""), "a mark per merge");
        assertEquals(0, count(html, "<details class=\"fold\""), "one table");
        int transcripts = html.indexOf("<section id=\"transcripts\">");
        assertEquals(100, count(html.substring(transcripts), "<details id="), "every agent run listed");
    }
}
