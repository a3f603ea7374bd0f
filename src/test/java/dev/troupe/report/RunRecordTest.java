package dev.troupe.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.troupe.journal.Json;
import dev.troupe.journal.TeamEvent;
import dev.troupe.journal.Usage;
import dev.troupe.team.rules.Assignment.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the report tells a run that did not go straight: crashes and resumes, live runs, rate limits, odd names. */
class RunRecordTest {

    private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

    @TempDir
    Path tmp;

    private final List<TeamEvent> journal = new ArrayList<>();

    private RunRecordTest started(String... tasks) {
        journal.add(new TeamEvent.RunStarted(T0, "run-1", "goal.yaml", "/repo", "main", "0123456789abcdef", "troupe/run-1",
                2, List.of(tasks), Map.of(), false));
        return this;
    }

    private void assigned(int second, String task, int attempt, String worker, String slug) {
        journal.add(new TeamEvent.TaskAssigned(T0.plusSeconds(second), task, attempt, worker,
                "troupe/tasks/run-1/" + slug, "0123456"));
    }

    private void succeeded(int second, String task, int attempt) {
        journal.add(new TeamEvent.TaskSucceeded(T0.plusSeconds(second), task, attempt, "b", "abcdef0", 0.01,
                Usage.NONE, 1, 1000, List.of(), "done", 0));
    }

    private void failed(int second, String task, int attempt, String reason, boolean counted) {
        journal.add(new TeamEvent.AttemptFailed(T0.plusSeconds(second), task, attempt, reason, 0, Usage.NONE, 10, counted));
    }

    private RunRecord record(Function<RunRecord.Span, Optional<Instant>> lastOutput, Optional<Instant> now) {
        return RunRecord.of(journal, Optional.empty(), lastOutput, now).orElseThrow();
    }

    private static RunRecord.Span span(RunRecord record, String task, int attempt, Role role) {
        return record.spans().stream().filter(s -> s.task().equals(task) && s.attempt() == attempt && s.role() == role)
                .findFirst().orElseThrow(() -> new AssertionError(task + " #" + attempt + " " + role));
    }

    @Test
    void eachAttemptShowsWhatItWasToldAndWhichSessionItContinued() {
        started("a");
        journal.add(new TeamEvent.TaskTold(T0, "a", "use tabs", 0));
        assigned(1, "a", 1, "worker-1", "a");
        journal.add(new TeamEvent.AgentStarted(T0.plusSeconds(1), "a", 1, 10, "s-1", List.of(), null, null));
        journal.add(new TeamEvent.TaskTold(T0.plusSeconds(2), "a", "and a test", 1));
        succeeded(3, "a", 1);
        failed(4, "a", 1, "merge conflict in a.txt", true);
        assigned(5, "a", 2, "worker-1", "a");
        journal.add(new TeamEvent.AgentStarted(T0.plusSeconds(5), "a", 2, 11, "s-2", List.of(), null, "s-1"));

        RunRecord record = record(s -> Optional.empty(), Optional.empty());

        RunRecord.Span first = span(record, "a", 1, Role.WRITER);
        assertEquals(List.of("use tabs"), first.told());
        assertEquals(List.of("and a test"), first.toldLater(), "came while it ran");
        assertEquals("", first.resumed());
        RunRecord.Span second = span(record, "a", 2, Role.WRITER);
        assertEquals("s-1", second.resumed());
        assertEquals(List.of("and a test"), second.told(), "the session had heard the first message");
        assertTrue(Transcript.steering(second).contains("Continues the session <code>s-1</code>"));
    }

    @Test
    void anAgentCutShortByACrashEndsAtItsLastOutputAndItsRerunAfterTheResumeIsAnotherBar() {
        started("a", "b");
        assigned(0, "a", 1, "worker-1", "a");
        assigned(0, "b", 1, "worker-2", "b");
        succeeded(5, "b", 1);
        // troupe dies while a works (its last output at 90 s, the journal's last decision at 5 s); resumed at 3600 s.
        journal.add(new TeamEvent.RunResumed(T0.plusSeconds(3600), "run-1", 7, java.util.Set.of(), 1));
        failed(3600, "a", 1, "interrupted: troupe stopped during the attempt", false);
        failed(3600, "b", 1, "interrupted: troupe stopped during the attempt", false);
        assigned(3601, "a", 2, "worker-1", "a");

        RunRecord record = record(s -> s.task().equals("a") && s.attempt() == 1
                ? Optional.of(T0.plusSeconds(90)) : Optional.empty(), Optional.empty());

        RunRecord.Span cut = span(record, "a", 1, Role.WRITER);
        assertEquals(RunRecord.Outcome.UNFINISHED, cut.outcome());
        assertEquals(Duration.ofSeconds(90), cut.duration(), "up to its last output, not the last decision or the resume");
        assertEquals(RunRecord.Outcome.DONE, span(record, "b", 1, Role.WRITER).outcome(),
                "a finished agent is not failed by its troupe's stop");
        assertEquals(RunRecord.Outcome.UNFINISHED, span(record, "a", 2, Role.WRITER).outcome(),
                "the journal ends under it");
    }

    @Test
    void onALiveRunTheAgentsAtWorkAreRunningUntilNow() {
        started("a");
        assigned(0, "a", 1, "worker-1", "a");

        RunRecord record = record(s -> Optional.empty(), Optional.of(T0.plusSeconds(42)));

        RunRecord.Span running = span(record, "a", 1, Role.WRITER);
        assertEquals(RunRecord.Outcome.RUNNING, running.outcome());
        assertEquals(Duration.ofSeconds(42), running.duration());
        assertEquals(T0.plusSeconds(42), record.end());
    }

    @Test
    void aRateLimitedReviewerLeavesTheWritersBarDoneAndAConflictMarksIt() {
        started("a", "b");
        assigned(0, "a", 1, "worker-1", "a");
        succeeded(2, "a", 1);
        journal.add(new TeamEvent.ReviewStarted(T0.plusSeconds(2), "a", 1, "worker-1"));
        failed(3, "a", 1, "rate limited", false);
        assigned(0, "b", 1, "worker-2", "b");
        succeeded(4, "b", 1);
        journal.add(new TeamEvent.MergeConflict(T0.plusSeconds(5), "b", List.of("x.txt")));
        failed(5, "b", 1, "conflicts in x.txt", true);

        RunRecord record = record(s -> Optional.empty(), Optional.empty());

        assertEquals(RunRecord.Outcome.DONE, span(record, "a", 1, Role.WRITER).outcome());
        assertEquals(RunRecord.Outcome.RATE_LIMITED, span(record, "a", 1, Role.REVIEWER).outcome());
        assertEquals(RunRecord.Outcome.CONFLICT, span(record, "b", 1, Role.WRITER).outcome());
    }

    @Test
    void transcriptsAreFoundByTheSlugTheRunGaveAndUntrustedTextIsEscaped() throws IOException {
        // Two fan-out files whose plain slugs collide: the run made the second one unique.
        String first = "src/a.b.js";
        String second = "src/a-b.js <script>alert(1)</script>";
        started(first, second);
        assigned(0, first, 1, "worker-1", "src-a-b-js");
        assigned(0, second, 1, "worker-2", "src-a-b-js-1f3a");
        succeeded(2, first, 1);
        succeeded(3, second, 1);
        Path runDir = tmp.resolve("run");
        Files.createDirectories(runDir.resolve("agents"));
        Files.writeString(runDir.resolve("agents/src-a-b-js-1.jsonl"), transcript("first </pre><img src=x onerror=alert(1)>", 0.5));
        Files.writeString(runDir.resolve("agents/src-a-b-js-1f3a-1.jsonl"), transcript("second", 0.25));

        Path page = tmp.resolve("report.html");
        ReportPage.write(record(s -> Optional.empty(), Optional.empty()), runDir, page);
        String html = Files.readString(page);

        assertTrue(html.contains("<details id=\"a-src-a-b-js-1f3a-1\">"), "the second task's own anchor");
        int secondAt = html.indexOf("<details id=\"a-src-a-b-js-1f3a-1\">");
        assertTrue(html.indexOf("second", secondAt) < html.indexOf("</details>", secondAt), "and its own transcript");
        assertFalse(html.contains("<script>") || html.contains("<img"), "nothing an agent or a task id says is markup");
        assertTrue(html.contains("&lt;img src=x onerror=alert(1)&gt;") && html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assertTrue(html.contains("<td class=\"num\">$0.7500</td>"), "both files' spend, once each, per model");
    }

    private static String transcript(String said, double cost) throws IOException {
        return Json.MAPPER.writeValueAsString(Map.of("type", "system", "subtype", "init", "model", "m", "cwd", "/w")) + "\n"
                + Json.MAPPER.writeValueAsString(Map.of("type", "assistant", "message",
                        Map.of("content", List.of(Map.of("type", "text", "text", said))))) + "\n"
                + Json.MAPPER.writeValueAsString(Map.of("type", "result", "subtype", "success", "is_error", false,
                        "result", said, "total_cost_usd", cost, "usage", Map.of("input_tokens", 10, "output_tokens", 5)))
                + "\n";
    }
}
