package dev.troupe.view;

import dev.troupe.journal.TaskLife;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.journal.Json;
import dev.troupe.journal.RunHistory;
import dev.troupe.journal.TeamEvent;
import dev.troupe.journal.Usage;
import dev.troupe.testing.Transcripts;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The live status as it is drawn, from journals: the project's recorded Claude Code transcripts ({@link Transcripts})
 * played in as one worker's output, and journals made event by event for the board's sums.
 */
class StatusBlockTest {

    private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

    private final List<TeamEvent> journal = new ArrayList<>();

    private TeamBoard board(int team, List<String> tasks, Optional<Double> budget) {
        TeamBoard board = new TeamBoard(Optional.empty(), budget);
        journal.add(new TeamEvent.RunStarted(T0, "run-1", "goal.yaml", "/repo", "main", "0123456789abcdef", "troupe/run-1",
                team, tasks, Map.of(), false));
        return board;
    }

    private void assigned(int second, String task, int attempt, String worker) {
        journal.add(new TeamEvent.TaskAssigned(T0.plusSeconds(second), task, attempt, worker, "troupe/task/" + task, "0123456"));
    }

    private void succeeded(int second, String task, long durationMs, double cost) {
        journal.add(new TeamEvent.TaskSucceeded(T0.plusSeconds(second), task, 1, "troupe/task/" + task, "abcdef0", cost,
                new Usage(100, 20, 0, 0), 2, durationMs, List.of(task + ".txt"), "done", 0));
    }

    private void merged(int second, String task) {
        journal.add(new TeamEvent.MergeDone(T0.plusSeconds(second), task, "fedcba9876543210", "troupe/run-1"));
    }

    /** The sample's stdout as the agent output lines a worker journals (and the retries it reports). */
    private void output(String sample, String task, int attempt, int second) throws IOException {
        for (String line : Transcripts.stdoutLines(sample)) {
            JsonNode json = Json.MAPPER.readTree(line);
            Instant time = T0.plusSeconds(second);
            // As a worker makes them: only system and result lines come parsed.
            String type = json.path("type").asText();
            journal.add(type.equals("system") || type.equals("result")
                    ? new TeamEvent.AgentOutput(time, task, attempt, json, null, false, line)
                    : TeamEvent.AgentOutput.unparsed(time, task, attempt, line));
            if ("api_retry".equals(json.path("subtype").asText())) {
                journal.add(new TeamEvent.AgentRetry(time, task, attempt, json.path("error").asText(),
                        json.path("error_status").asInt(), json.path("attempt").asInt(), json.path("max_retries").asInt(),
                        json.path("retry_delay_ms").asLong()));
            }
        }
    }

    private TeamBoard replay(TeamBoard board) {
        journal.forEach(board::apply);
        return board;
    }

    private static String plain(String line) {
        return line.replaceAll("\033\\[[0-9;]*m", "");
    }

    private static String rowOf(List<String> frame, String worker) {
        return frame.stream().map(StatusBlockTest::plain).filter(l -> l.strip().startsWith(worker + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no row for " + worker + " in\n" + String.join("\n", frame)));
    }

    @Test
    void aRealTranscriptShowsTheLastToolAndTheFilesTouchedRelativeToTheWorktree() throws IOException {
        TeamBoard board = board(2, List.of("hello", "other"), Optional.empty());
        assigned(0, "hello", 1, "worker-1");
        output("success-write-tool", "hello", 1, 3);

        List<String> frame = StatusBlock.render(replay(board), T0.plusSeconds(65), 120, false);

        String row = rowOf(frame, "worker-1");
        assertTrue(row.contains("hello") && row.contains("working") && row.contains("1m05s"), row);
        assertTrue(row.contains("Write hello.txt"), "the last tool, its path relative to the cwd of system/init: " + row);
        assertTrue(row.contains("1 file: hello.txt"), row);
        assertTrue(rowOf(frame, "worker-2").endsWith("idle"), "a worker with no task is idle");
    }

    @Test
    void aBashCallIsShownByItsCommandAndTouchesNoFile() throws IOException {
        TeamBoard board = board(1, List.of("sleepy"), Optional.empty());
        assigned(0, "sleepy", 1, "worker-1");
        output("sigterm-during-bash", "sleepy", 1, 1);

        String row = rowOf(StatusBlock.render(replay(board), T0.plusSeconds(6), 120, false), "worker-1");

        assertTrue(row.contains("Bash echo start; sleep 1000; echo end"), row);
        assertFalse(row.contains("file"), row);
    }

    @Test
    void aWorkerRunningItsWorkspaceSetupIsShownSettingUpThenWorking() {
        TeamBoard board = board(2, List.of("t"), Optional.empty());
        assigned(0, "t", 1, "worker-1");
        journal.add(new TeamEvent.SetupStarted(T0.plusSeconds(1), "worker-1", "worker-1", "t", "npm ci",
                "/repo/.troupe/runs/run-1/setup/worker-1.log"));

        String during = rowOf(StatusBlock.render(replay(board), T0.plusSeconds(5), 120, false), "worker-1");
        journal.add(new TeamEvent.SetupDone(T0.plusSeconds(9), "worker-1", "worker-1", "t", 8000, 0, null,
                "/repo/.troupe/runs/run-1/setup/worker-1.log"));
        String after = rowOf(StatusBlock.render(replay(new TeamBoard(Optional.empty(), Optional.empty())),
                T0.plusSeconds(10), 120, false), "worker-1");

        assertTrue(during.contains("setting up") && during.contains("npm ci"), during);
        assertTrue(after.contains("working") && !after.contains("npm ci"), after);
    }

    @Test
    void aMergeBeingCheckedShowsTheMergerCheckingItAndForHowLongUntilTheCheckEnds() {
        TeamBoard board = board(1, List.of("t"), Optional.empty());
        assigned(0, "t", 2, "worker-1");
        succeeded(3, "t", 3000, 0);
        journal.add(new TeamEvent.CheckStarted(T0.plusSeconds(4), "t", 2, false, "npm test", "check"));

        List<String> during = StatusBlock.render(replay(board), T0.plusSeconds(84), 120, false);
        String line = rowOf(during, "merger");
        journal.clear();
        journal.add(new TeamEvent.CheckDone(T0.plusSeconds(90), "t", 2, false, 86_000, -1, true));
        List<String> after = StatusBlock.render(replay(board), T0.plusSeconds(91), 120, false);

        assertTrue(line.contains("t #2") && line.contains("checking merge") && line.contains("1m20s")
                && line.contains("npm test"), line);
        assertTrue(board.history().tasks().get("t").checking().isEmpty());
        assertTrue(after.stream().noneMatch(l -> plain(l).strip().startsWith("merger")), "no check under way: " + after);
        assertEquals("[t] check timed out, killed after 1m26s",
                ConsoleView.describe(new TeamEvent.CheckDone(T0, "t", 2, false, 86_000, -1, true)));
    }

    @Test
    void aVariantsTrialIsShownCheckingTooAndAResumeForgetsTheCheckTheDeadRunHad() {
        board(2, List.of("t"), Optional.empty());
        journal.add(new TeamEvent.CheckStarted(T0.plusSeconds(4), "t", 3, true, "make test", "check"));
        TeamBoard board = replay(new TeamBoard(Optional.empty(), Optional.empty()));

        assertTrue(rowOf(StatusBlock.render(board, T0.plusSeconds(5), 120, false), "merger").contains("checking trial"));
        board.apply(new TeamEvent.RunResumed(T0.plusSeconds(60), "run-1", 42, java.util.Set.of(), 0));
        assertEquals(List.of(), board.checks(), "the check died with the run");
    }

    @Test
    void anApiRetryShowsTheWorkerRetryingWithTheErrorAndCount() throws IOException {
        TeamBoard board = board(1, List.of("t"), Optional.empty());
        assigned(0, "t", 1, "worker-1");
        journal.add(new TeamEvent.AgentOutput(T0, "t", 1, Json.MAPPER.readTree(
                Transcripts.stdoutLines("http429-retries").get(0)), null, false));
        journal.add(new TeamEvent.AgentRetry(T0.plusSeconds(1), "t", 1, "rate_limit", 429, 2, 2, 2226));

        String row = rowOf(StatusBlock.render(replay(board), T0.plusSeconds(2), 120, false), "worker-1");

        assertTrue(row.contains("retrying") && row.contains("API rate_limit 429, retry 2 of 2"), row);
    }

    @Test
    void theHeadCountsTasksAndSpendAgainstTheBudgetAndTheBarShowsTheSettledShare() {
        TeamBoard board = board(2, List.of("a", "b", "c", "d"), Optional.of(5.0));
        assigned(0, "a", 1, "worker-1");
        assigned(0, "b", 1, "worker-2");
        succeeded(10, "a", 10_000, 0.25);
        merged(10, "a");
        journal.add(new TeamEvent.TaskFailed(T0.plusSeconds(11), "b", 3, "agent reported an error"));

        List<String> frame = StatusBlock.render(replay(board), T0.plusSeconds(12), 160, false);

        String head = plain(frame.get(0));
        assertTrue(head.contains("1 merged") && head.contains("0 running") && head.contains("2 queued")
                && head.contains("1 failed"), head);
        assertTrue(head.contains("spent $0.2500 of $5.0000"), head);
        String bar = plain(frame.get(1));
        assertTrue(bar.startsWith("[" + "█".repeat(15) + "░".repeat(15) + "]"), "2 of 4 settled fills half: " + bar);
        assertTrue(bar.contains("2/4  50%") && bar.contains("elapsed 12s"), bar);
    }

    @Test
    void theEtaSpreadsTheMeanTimeOfFinishedAttemptsOverTheTeam() {
        TeamBoard board = board(2, List.of("a", "b", "c", "d"), Optional.empty());
        assigned(0, "a", 1, "worker-1");
        assertEquals(Optional.empty(), replay(board).eta(T0.plusSeconds(1)), "no estimate before an attempt finished");
        journal.clear();
        succeeded(10, "a", 10_000, 0);
        merged(10, "a");
        assigned(6, "b", 1, "worker-2");
        journal.add(new TeamEvent.TaskQueued(T0.plusSeconds(10), "c"));
        journal.add(new TeamEvent.TaskQueued(T0.plusSeconds(10), "d"));
        replay(board);

        // Left: c and d whole (10 s each) and b's 10 s less the 4 s it has had: 26 s over a team of 2.
        assertEquals(Optional.of(Duration.ofSeconds(13)), board.eta(T0.plusSeconds(10)));
        assertTrue(plain(StatusBlock.render(board, T0.plusSeconds(10), 120, false).get(1)).contains("ETA ~13s"));
    }

    @Test
    void aWorkerWaitsToMergeAfterItsAgentFinishesAndIsIdleOnceMerged() {
        TeamBoard board = board(1, List.of("a"), Optional.empty());
        assigned(0, "a", 1, "worker-1");
        succeeded(3, "a", 3000, 0);
        replay(board);
        assertEquals(TeamBoard.WorkerState.WAITING_TO_MERGE, board.workers().get(0).state());
        journal.clear();
        merged(4, "a");
        replay(board);
        assertEquals(TeamBoard.WorkerState.IDLE, board.workers().get(0).state());
        assertEquals(1, board.count(TaskLife.State.MERGED));
    }

    @Test
    void aWorkerThatReplacesOneThatDiedTakesAnIdlePlaceSoTheBlockKeepsTheTeamsSize() {
        TeamBoard board = board(2, List.of("a", "b"), Optional.empty());
        assigned(0, "a", 1, "worker-1");
        assigned(0, "b", 1, "worker-2");
        succeeded(1, "a", 1000, 0);
        merged(1, "a");
        journal.add(new TeamEvent.AttemptFailed(T0.plusSeconds(2), "b", 1, "the worker died", 0, Usage.NONE, 100, true));
        assigned(3, "b", 2, "worker-3");

        List<TeamBoard.WorkerRow> workers = replay(board).workers();

        assertEquals(List.of("worker-1", "worker-3"), workers.stream().map(TeamBoard.WorkerRow::name).toList());
        assertTrue(rowOf(StatusBlock.render(board, T0.plusSeconds(4), 120, false), "worker-3").contains("b #2"),
                "a second attempt says so");
    }

    @Test
    void aResumedRunStartsFromWhatTheJournalHeldWithEveryWorkerIdle() {
        board(2, List.of("a", "b"), Optional.empty());
        assigned(0, "a", 1, "worker-1");
        assigned(0, "b", 1, "worker-2");
        succeeded(5, "a", 5000, 0.5);
        merged(5, "a");
        TeamBoard board = new TeamBoard(RunHistory.of(journal), Optional.empty());
        journal.clear();
        journal.add(new TeamEvent.RunResumed(T0.plusSeconds(60), "run-1", 42, java.util.Set.of("a"), 1));

        replay(board);
        assertTrue(board.workers().stream().allMatch(w -> w.state() == TeamBoard.WorkerState.IDLE),
                "the dead run's workers are gone: " + StatusBlock.render(board, T0.plusSeconds(61), 120, false));
        journal.clear();
        assigned(61, "b", 2, "worker-1");
        List<String> frame = StatusBlock.render(replay(board), T0.plusSeconds(63), 120, false);

        assertTrue(plain(frame.get(0)).contains("1 merged") && plain(frame.get(0)).contains("spent $0.5000"), frame.get(0));
        assertTrue(plain(frame.get(1)).contains("elapsed 3.0s"), "elapsed counts from the resume: " + frame.get(1));
        assertTrue(rowOf(frame, "worker-1").contains("b #2"), frame.toString());
    }

    @Test
    void everyLineFitsTheTerminalSoNoneWrapsWithOrWithoutColour() throws IOException {
        TeamBoard board = board(3, List.of("a-task-with-a-rather-long-name-that-goes-on", "b", "c"), Optional.of(1.0));
        assigned(0, "a-task-with-a-rather-long-name-that-goes-on", 1, "worker-1");
        output("success-write-tool", "a-task-with-a-rather-long-name-that-goes-on", 1, 1);
        replay(board);

        for (int width : new int[] {40, 80, 200}) {
            for (boolean color : new boolean[] {false, true}) {
                List<String> frame = StatusBlock.render(board, T0.plusSeconds(3), width, color);
                assertEquals(5, frame.size(), "head, bar and one line per worker");
                for (String line : frame) {
                    String visible = plain(line);
                    assertTrue(visible.codePointCount(0, visible.length()) < width, width + ": " + visible);
                    assertEquals(color, !visible.equals(line), "colour only when asked: " + line);
                }
            }
        }
    }

    @Test
    void whatAnAgentPrintsCannotSteerTheTerminalAndWideCharactersCountTwice() throws IOException {
        TeamBoard board = board(1, List.of("t"), Optional.empty());
        assigned(0, "t", 1, "worker-1");
        journal.add(new TeamEvent.AgentOutput(T0, "t", 1, Json.MAPPER.readTree("""
                {"type":"assistant","message":{"content":[{"type":"tool_use","name":"Write",
                 "input":{"file_path":"evil\\u001b]0;owned\\u0007\\u001b[2J.txt"}},
                 {"type":"tool_use","name":"Write","input":{"file_path":"文字化け✅文字化け文字.txt"}}]}}
                """), null, false));
        replay(board);

        for (int width : new int[] {40, 57, 58, 59, 80}) {
            for (String line : StatusBlock.render(board, T0.plusSeconds(1), width, true)) {
                String visible = plain(line);
                assertFalse(visible.contains("\033") || visible.contains("\u0007"), "no control characters: " + visible);
                int columns = visible.codePoints().map(Terminal::columns).sum();
                assertTrue(columns < width, width + " columns, got " + columns + ": " + visible);
            }
        }
        String row = rowOf(StatusBlock.render(board, T0.plusSeconds(1), 200, false), "worker-1");
        assertTrue(row.contains("evil?]0;owned??[2J.txt"), row);
    }

    @Test
    void noColorOrADumbTerminalGetsPlainLines() {
        assertFalse(Terminal.live(Map.of("NO_COLOR", "1", "TERM", "xterm")));
        assertFalse(Terminal.live(Map.of("TERM", "dumb")));
        // Under the test runner stderr is a pipe, never a terminal.
        assertFalse(Terminal.live(Map.of("TERM", "xterm")));
        assertEquals(132, Terminal.width(Map.of("COLUMNS", "132")));
    }
}
