package dev.troupe.cli;

import static dev.troupe.cli.Invocation.troupe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.journal.Json;
import dev.troupe.testing.FakeAgent;
import dev.troupe.testing.Journals;
import dev.troupe.testing.TestRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * troupe as a process of its own, as people run it, stopped from outside: SIGTERM stops every agent; a run
 * whose troupe dies ({@code kill -9}) is finished by {@code troupe resume}, every task merged exactly once.
 */
class ResumeTest {

    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void cleanup() {
        testKit.shutdownTestKit();
    }

    @TempDir
    Path tmp;

    private Process troupeProcess;

    @AfterEach
    void stopTroupe() {
        if (troupeProcess != null) {
            troupeProcess.destroyForcibly();
        }
    }

    private TestRepo repo;

    private Path goal(int tasks, String prompt) throws IOException {
        repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hi\n"));
        StringBuilder yaml = new StringBuilder("repo: " + repo.dir() + "\nteam: {size: 2, stagger: 0ms}\n"
                + "agent:\n  command: " + FakeAgent.yamlCommand() + "\nlimits:\n  idle-timeout: 1m\ntasks:\n");
        for (int i = 1; i <= tasks; i++) {
            yaml.append("  - id: t").append(i).append("\n    prompt: |\n      ").append(prompt)
                    .append("\n      write t").append(i).append(".txt ").append(i).append('\n');
        }
        Path file = tmp.resolve("goal.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private void startTroupe(Path goal) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        troupeProcess = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "run", goal.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("troupe.out").toFile()).start();
    }

    private Path events() throws IOException {
        try (Stream<Path> runs = Files.list(repo.dir().resolve(".troupe/runs"))) {
            return runs.findFirst().orElseThrow().resolve("events.jsonl");
        }
    }

    /** Waits until the journal satisfies {@code condition}; returns the events then. */
    private List<JsonNode> awaitJournal(String what, java.util.function.Predicate<List<JsonNode>> condition) {
        return testKit.createTestProbe().awaitAssert(Duration.ofSeconds(60), Duration.ofMillis(50), () -> {
            try {
                List<JsonNode> events = Files.isDirectory(repo.dir().resolve(".troupe/runs")) && Files.exists(events())
                        ? Journals.readLive(events()) : List.of();
                if (!condition.test(events)) {
                    throw new AssertionError("not yet: " + what);
                }
                return events;
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
    }

    private void killTroupeHard() throws InterruptedException {
        troupeProcess.destroyForcibly();
        assertTrue(troupeProcess.waitFor(30, TimeUnit.SECONDS));
    }

    private static long count(List<JsonNode> events, String type) {
        return Journals.ofType(events, type).size();
    }

    @ParameterizedTest(name = "killed after {0} merges")
    @ValueSource(ints = {0, 2, 5})
    void aRunKilledWithSigkillIsFinishedByResumeWithEveryTaskMergedOnce(int mergesBeforeKill) throws Exception {
        startTroupe(goal(7, "sleep 0.3"));
        List<JsonNode> before = awaitJournal(mergesBeforeKill + " merges and a running agent",
                events -> count(events, "merge-done") >= mergesBeforeKill && count(events, "agent-started") > mergesBeforeKill);
        killTroupeHard();
        List<Long> agents = Journals.ofType(before, "agent-started").stream().map(e -> e.path("pid").asLong()).toList();
        // kill -9 can tear the last line of the journal, and leave a worktree's index locked mid-commit.
        Files.writeString(events(), "{\"type\":\"task-ass", StandardOpenOption.APPEND);
        String run = Journals.ofType(before, "run-started").get(0).path("run").asText();
        try (Stream<Path> worktrees = Files.list(repo.workspaces().resolve("worktrees/" + run))) {
            for (Path worktree : worktrees.toList()) {
                Path gitDir = worktree.resolve(dev.troupe.git.GitCli.run(worktree, "rev-parse", "--git-dir").strip());
                Files.writeString(gitDir.resolve("index.lock"), "");
            }
        }

        Invocation resumed = troupe("resume", "-C", repo.dir().toString());

        assertEquals(0, resumed.exitCode(), resumed.err());
        String branch = Journals.ofType(before, "run-started").get(0).path("integrationBranch").asText();
        List<String> merged = repo.mergedTasks(branch);
        assertEquals(7, merged.size(), "every task merged: " + merged);
        assertEquals(7, new HashSet<>(merged).size(), "none twice: " + merged);
        for (int i = 1; i <= 7; i++) {
            assertEquals(Integer.toString(i), repo.show(branch, "t" + i + ".txt"));
        }
        for (long pid : agents) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "agent " + pid + " of the dead run");
        }
        assertTrue(resumed.err().contains("resuming run"), resumed.err());
        assertEquals(1, count(Journals.readLive(events()), "run-resumed"));
        String plan = Files.readString(events().resolveSibling("plan.md"));
        assertTrue(plan.contains("Finished (exit 0). 7 of 7 merged"), plan);
        assertFalse(Files.exists(repo.workspaces().resolve("worktrees/" + branch.substring("troupe/".length()))));
    }

    @Test
    void aRunOfTheOlderLayoutWithItsWorkspacesInTheRepositoryIsFinishedByResumeAndItsWorktreesRemoved() throws Exception {
        startTroupe(goal(4, "sleep 0.3"));
        List<JsonNode> before = awaitJournal("a merge and a running agent",
                events -> count(events, "merge-done") >= 1 && count(events, "agent-started") > 1);
        killTroupeHard();
        String run = Journals.ofType(before, "run-started").get(0).path("run").asText();
        // Where a troupe before workspaces left the repository kept them: .troupe/worktrees/<run>/.
        Path legacy = Files.createDirectories(repo.dir().resolve(".troupe/worktrees/" + run));
        try (Stream<Path> worktrees = Files.list(repo.workspaces().resolve("worktrees/" + run))) {
            for (Path worktree : worktrees.toList()) {
                repo.git("worktree", "move", worktree.toString(), legacy.resolve(worktree.getFileName()).toString());
            }
        }
        Files.delete(repo.workspaces().resolve("worktrees/" + run));

        Invocation resumed = troupe("resume", "-C", repo.dir().toString());

        assertEquals(0, resumed.exitCode(), resumed.err());
        String branch = Journals.ofType(before, "run-started").get(0).path("integrationBranch").asText();
        List<String> merged = repo.mergedTasks(branch);
        assertEquals(4, new HashSet<>(merged).size(), "every task merged: " + merged);
        assertEquals(4, merged.size(), "none twice: " + merged);
        assertFalse(Files.exists(legacy), "the old layout's worktrees are removed");
        assertFalse(repo.git("worktree", "list").contains(legacy.toString()), repo.git("worktree", "list"));
        assertFalse(Files.exists(repo.workspaces().resolve("worktrees/" + run)), "and the new one's");
    }

    /** A goal for the planner, whose plan is three tasks of {@code prompt}; {@code first} comes before the plan. */
    private Path plannedGoal(String first, String prompt) throws IOException {
        repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hi\n"));
        StringBuilder plan = new StringBuilder("answer {\"tasks\": [");
        for (int i = 1; i <= 3; i++) {
            plan.append(i > 1 ? ", " : "").append("{\"id\": \"t").append(i).append("\", \"prompt\": \"").append(prompt)
                    .append("\\nwrite t").append(i).append(".txt ").append(i).append("\"}");
        }
        plan.append("]}");
        Path file = tmp.resolve("goal.yaml");
        Files.writeString(file, "repo: " + repo.dir() + "\nteam: {size: 2, stagger: 0ms}\n"
                + "agent:\n  command: " + FakeAgent.yamlCommand() + "\nlimits:\n  idle-timeout: 1m\n"
                + "goal: |\n  " + first + "\n  " + plan + "\n");
        return file;
    }

    @Test
    void aPlannedRunKilledAfterItsPlanResumesFromThePlanWithoutPlanningAgain() throws Exception {
        startTroupe(plannedGoal("Three files.", "sleep 0.5"));
        awaitJournal("a plan and a running task", events -> count(events, "plan-made") == 1 && count(events, "agent-started") >= 2);
        killTroupeHard();

        Invocation resumed = troupe("resume", "-C", repo.dir().toString());

        assertEquals(0, resumed.exitCode(), resumed.err());
        List<JsonNode> events = Journals.readLive(events());
        String branch = Journals.ofType(events, "run-started").get(0).path("integrationBranch").asText();
        assertEquals(List.of("t1", "t2", "t3"), repo.mergedTasks(branch).stream().sorted().toList());
        assertEquals(1, count(events, "plan-started"), "the plan is made once");
        assertTrue(resumed.err().contains("of 3 tasks merged already"), resumed.err());
    }

    @Test
    void aRunKilledWhilePlanningPlansAgainOnResume() throws Exception {
        startTroupe(plannedGoal("consult-hang-once " + tmp.resolve("planning-hung"), "sleep 0"));
        awaitJournal("the planner at work", events -> count(events, "agent-started") == 1);
        killTroupeHard();

        Invocation resumed = troupe("resume", "-C", repo.dir().toString());

        assertEquals(0, resumed.exitCode(), resumed.err());
        List<JsonNode> events = Journals.readLive(events());
        String branch = Journals.ofType(events, "run-started").get(0).path("integrationBranch").asText();
        assertEquals(3, repo.mergedTasks(branch).size());
        assertEquals(2, count(events, "plan-started"), "planned again");
        assertEquals(1, count(events, "plan-made"));
    }

    /** A goal of {@code tasks} (YAML list items) for the fake agent, with more {@code settings} (sync:, ...). */
    private Path goalWith(String settings, String tasks) throws IOException {
        repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hi\n"));
        Path file = tmp.resolve("goal.yaml");
        Files.writeString(file, "repo: " + repo.dir() + "\nteam: {size: 2, stagger: 0ms}\n" + "agent:\n  command: "
                + FakeAgent.yamlCommand() + "\nlimits:\n  idle-timeout: 1m\n" + settings + "tasks:\n" + tasks);
        return file;
    }

    private static final String APPROVE = "answer {\"verdict\": \"approve\", \"comments\": \"fine\"}";

    private static long countOf(List<JsonNode> events, String type, String task) {
        return Journals.ofType(events, type).stream().filter(e -> e.path("task").asText().equals(task)).count();
    }

    /** The resumed run merged every task of {@code all} once, and took {@code task} up from its finished commit. */
    private void assertTakenUpWithoutRunningItsWriterAgain(Invocation resumed, String task, List<String> all) throws IOException {
        assertEquals(0, resumed.exitCode(), resumed.err());
        List<JsonNode> events = Journals.readLive(events());
        String branch = Journals.ofType(events, "run-started").get(0).path("integrationBranch").asText();
        assertEquals(all, repo.mergedTasks(branch).stream().sorted().toList(), "each merged once");
        assertEquals(1, countOf(events, "task-assigned", task), "the writer of " + task + " ran once");
        assertFalse(Files.exists(events().resolveSibling("agents/" + task + "-2.jsonl")));
        assertTrue(resumed.err().contains(task + " finished before the stop"), resumed.err());
        assertEquals(0, countOf(events, "attempt-failed", task), "no attempt of " + task + " was cut short");
    }

    @Test
    void aTaskKilledInItsReviewIsReviewedOnResumeWithoutRunningItsWriterAgain() throws Exception {
        startTroupe(goalWith("", """
                  - id: a
                    review: true
                    prompt: |
                      write a.txt alpha
                      consult-hang-once %s
                      %s
                """.formatted(tmp.resolve("review-hung"), APPROVE)));
        awaitJournal("its reviewer at work", events -> count(events, "agent-started") == 2);
        killTroupeHard();

        Invocation resumed = troupe("resume", "-C", repo.dir().toString());

        assertTakenUpWithoutRunningItsWriterAgain(resumed, "a", List.of("a"));
        List<JsonNode> reviews = Journals.ofType(Journals.readLive(events()), "review-done");
        assertEquals(1, reviews.size());
        assertTrue(reviews.get(0).path("approved").asBoolean());
    }

    @Test
    void aTaskHeldForTheSyncPointShowsAsHeldAndIsMergedOnResumeWithoutRunningItsWriterAgain() throws Exception {
        startTroupe(goalWith("sync:\n  merge: end\n", """
                  - id: a
                    prompt: |
                      write a.txt alpha
                  - id: b
                    prompt: |
                      write b.txt beta
                      hang-once %s
                """.formatted(tmp.resolve("b-hung"))));
        awaitJournal("a held, b at work", events -> countOf(events, "task-held", "a") == 1
                && count(events, "agent-started") == 2);

        Invocation status = troupe("status", "-C", repo.dir().toString(), "--json");
        Invocation text = troupe("status", "-C", repo.dir().toString());

        JsonNode json = Json.MAPPER.readTree(status.out());
        assertEquals("held", json.path("tasks").get(0).path("state").asText(), status.out());
        assertEquals("running", json.path("tasks").get(1).path("state").asText(), status.out());
        assertEquals(1, json.path("totals").path("held").asInt());
        assertTrue(text.out().contains("1 held for the sync point"), text.out());
        killTroupeHard();

        Invocation resumed = troupe("resume", "-C", repo.dir().toString());

        assertTakenUpWithoutRunningItsWriterAgain(resumed, "a", List.of("a", "b"));
        assertEquals(2, countOf(Journals.readLive(events()), "task-held", "a"), "held again on resume, then merged");
    }

    @Test
    void aRunKilledWhileOneVariantRanKeepsTheVariantThatFinishedAndRunsOnlyTheOtherAgain() throws Exception {
        Path released = tmp.resolve("released");
        // Variant 1 (on worker 1) finishes; variant 2 (on worker 2) hangs until the file exists.
        startTroupe(goalWith("", """
                  - id: a
                    variants: 2
                    judge: check
                    prompt: |
                      write a.txt alpha
                      run [ "$TROUPE_WORKER" = 1 ] || [ -e %s ] || sleep 600
                """.formatted(released)));
        awaitJournal("variant 1 passed, variant 2 at work", events -> count(events, "variant-done") == 1
                && count(events, "agent-started") == 2);
        killTroupeHard();
        Files.writeString(released, "");

        Invocation resumed = troupe("resume", "-C", repo.dir().toString());

        assertEquals(0, resumed.exitCode(), resumed.err());
        List<JsonNode> events = Journals.readLive(events());
        String branch = Journals.ofType(events, "run-started").get(0).path("integrationBranch").asText();
        assertEquals(List.of("a"), repo.mergedTasks(branch), "merged once");
        List<JsonNode> done = Journals.ofType(events, "variant-done");
        assertEquals(List.of(1, 2), done.stream().map(d -> d.path("variant").asInt()).toList(),
                "variant 1 settled once, before the kill; variant 2 after the resume");
        assertEquals(3, count(events, "task-assigned"), "variant 1 ran once, variant 2 twice (cut short, then again)");
        JsonNode chosen = Journals.ofType(events, "variant-chosen").get(0);
        assertEquals(done.get(0).path("attempt").asInt(), chosen.path("winner").asInt(), "the kept variant is first");
        assertEquals(0, countOf(events, "attempt-failed", "a"), "the round went on: no attempt was cut short");
        JsonNode status = Json.MAPPER.readTree(troupe("status", "-C", repo.dir().toString(), "--json").out());
        assertEquals(1, status.path("tasks").get(0).path("attempts").asInt(), "one try: a round of variants");
        assertEquals(3, status.path("tasks").get(0).path("agentRuns").asInt());
    }

    @Test
    void aTaskHeldForTheSyncPointWhenKilledIsMergedOnResumeWithoutRunningItsWriterAgain() throws Exception {
        startTroupe(goalWith("sync:\n  merge: end\n", """
                  - id: a
                    prompt: write a.txt alpha
                  - id: b
                    prompt: |
                      hang-once %s
                      write b.txt beta
                """.formatted(tmp.resolve("b-hung"))));
        awaitJournal("a held, b at work", events -> countOf(events, "task-succeeded", "a") == 1
                && countOf(events, "agent-started", "b") == 1);
        killTroupeHard();

        Invocation resumed = troupe("resume", "-C", repo.dir().toString());

        assertTakenUpWithoutRunningItsWriterAgain(resumed, "a", List.of("a", "b"));
        assertEquals(2, countOf(Journals.readLive(events()), "task-assigned", "b"), "b was cut short, and ran again");
    }

    @Test
    void aTaskKilledWhileItMergedIsMergedOnResumeWithoutRunningItsWriterAgain() throws Exception {
        Path checking = tmp.resolve("checking");
        // The merge's check hangs the first time, so troupe dies with the merge under way.
        startTroupe(goalWith("sync:\n  check: \"if [ -e " + checking + " ]; then exit 0; fi; touch " + checking
                + "; sleep 15\"\n", "  - id: a\n    prompt: write a.txt alpha\n"));
        awaitJournal("a merging", events -> countOf(events, "task-succeeded", "a") == 1 && Files.exists(checking));
        killTroupeHard();

        Invocation resumed = troupe("resume", "-C", repo.dir().toString());

        assertTakenUpWithoutRunningItsWriterAgain(resumed, "a", List.of("a"));
    }

    @Test
    void aPlannerRefusedOnceBeforeTheStopGetsOnlyOneMoreTryAfterResume() throws Exception {
        repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hi\n"));
        Path goal = tmp.resolve("goal.yaml");
        // Every plan is empty, so refused; the second call hangs, and troupe dies during it.
        Files.writeString(goal, "repo: " + repo.dir() + "\nteam: {size: 2, stagger: 0ms}\n"
                + "agent:\n  command: " + FakeAgent.yamlCommand() + "\nlimits:\n  idle-timeout: 1m\n"
                + "goal: |\n  Nothing to plan.\n  consult-hang-nth 2 " + tmp.resolve("planner-calls") + "\n"
                + "  answer {\"tasks\": []}\n");
        startTroupe(goal);
        awaitJournal("the second planner at work", events -> count(events, "plan-rejected") == 1
                && count(events, "agent-started") == 2);
        killTroupeHard();

        Invocation resumed = troupe("resume", "-C", repo.dir().toString());

        assertEquals(ExitCodes.BAD_INPUT, resumed.exitCode(), resumed.err());
        List<JsonNode> events = Journals.readLive(events());
        assertEquals(List.of(1, 2, 2), Journals.ofType(events, "plan-started").stream()
                .map(e -> e.path("attempt").asInt()).toList(), "the cut-short second try is made again, and no third");
        assertEquals(List.of(true, false), Journals.ofType(events, "plan-rejected").stream()
                .map(e -> e.path("retrying").asBoolean()).toList());
    }

    /** What {@code troupe run} makes before the journal's first event: the run directory and the integration branch. */
    private Path runKilledBeforeItsFirstEvent(String run) throws IOException {
        repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hi\n"));
        Path runDir = repo.dir().resolve(".troupe/runs/" + run);
        Files.createDirectories(runDir.resolve("agents"));
        Files.createDirectories(runDir.resolve("results"));
        Files.createDirectories(repo.workspaces().resolve("worktrees/" + run));
        Files.writeString(runDir.resolve("goal.yaml"), "goal: test\n");
        Files.writeString(runDir.resolve("events.jsonl"), "");
        repo.git("branch", "troupe/" + run, "main");
        return runDir;
    }

    @Test
    void resumeOfARunKilledBeforeItsFirstEventSaysNothingRanAndRemovesWhatItMade() throws Exception {
        String run = "20260101-000000-abcd";
        Path runDir = runKilledBeforeItsFirstEvent(run);

        Invocation resumed = troupe("resume", "-C", repo.dir().toString());

        assertEquals(ExitCodes.BAD_INPUT, resumed.exitCode());
        assertTrue(resumed.err().contains("run " + run + " stopped before it began (its journal holds no event): nothing ran,"
                + " so there is nothing to resume"), resumed.err());
        assertFalse(Files.exists(runDir), "the run directory is removed");
        assertFalse(Files.exists(repo.workspaces().resolve("worktrees/" + run)));
        assertEquals(List.of(), repo.branches("troupe/**"), "and its integration branch");
        assertEquals(1, resumed.err().lines().count(), "one plain message: " + resumed.err());
    }

    @Test
    void aRunWithoutJournalThatLeftTaskBranchesIsNotRemovedByResume() throws Exception {
        String run = "20260101-000000-abcd";
        Path runDir = runKilledBeforeItsFirstEvent(run);
        repo.git("branch", "troupe/tasks/" + run + "/a", "main");

        Invocation resumed = troupe("resume", "-C", repo.dir().toString());

        assertEquals(ExitCodes.BAD_INPUT, resumed.exitCode());
        assertTrue(resumed.err().contains("nothing was removed"), resumed.err());
        assertTrue(Files.exists(runDir.resolve("goal.yaml")));
        assertEquals(List.of("troupe/" + run, "troupe/tasks/" + run + "/a"), repo.branches("troupe/**"));
    }

    @Test
    void sigtermStopsEveryAgentAndWhatItStarted() throws Exception {
        String seconds = Integer.toString(100_000 + new java.util.Random().nextInt(900_000));
        Path goal = goal(1, "spawn " + seconds + "\n      hang");
        startTroupe(goal);
        List<JsonNode> started = awaitJournal("an agent", events -> count(events, "agent-started") == 1);
        long agent = Journals.ofType(started, "agent-started").get(0).path("pid").asLong();

        troupeProcess.destroy();

        assertTrue(troupeProcess.waitFor(30, TimeUnit.SECONDS), "troupe ended on SIGTERM");
        assertFalse(ProcessHandle.of(agent).map(ProcessHandle::isAlive).orElse(false), "the agent survived");
        assertFalse(ProcessHandle.allProcesses().anyMatch(p -> p.info().commandLine().orElse("").contains("sleep " + seconds)),
                "what the agent started survived");
        assertTrue(Files.readString(tmp.resolve("troupe.out")).contains("interrupted; every agent is stopped"));
    }

    @Test
    void anAgentStoppedBySigtermDoesNotUseUpItsTasksLastAttempt() throws Exception {
        // t1's agent holds the stop for the kill grace, while t2's is gone at once and its worker reports on it.
        Path goal = goal(0, "");
        Files.writeString(goal, Files.readString(goal).replace("limits:\n", "limits:\n  attempts: 1\n")
                + "  - id: t1\n    prompt: |\n      ignore-term\n      hang-once " + tmp.resolve("hung-once-1")
                + "\n      write t1.txt 1\n"
                + "  - id: t2\n    prompt: |\n      hang-once " + tmp.resolve("hung-once-2") + "\n      write t2.txt 2\n");
        startTroupe(goal);
        awaitJournal("two agents", events -> count(events, "agent-started") == 2);

        troupeProcess.destroy();

        assertTrue(troupeProcess.waitFor(30, TimeUnit.SECONDS), "troupe ended on SIGTERM");
        assertEquals(143, troupeProcess.exitValue());
        List<JsonNode> stopped = Journals.readLive(events());
        assertEquals(0, count(stopped, "task-failed"), "the stop failed the task: " + Journals.ofType(stopped, "task-failed"));
        assertTrue(Journals.ofType(stopped, "attempt-failed").stream().noneMatch(e -> e.path("counted").asBoolean()),
                "the attempt troupe's own stop cut short was counted against the task");
        Invocation resumed = troupe("resume", "-C", repo.dir().toString());
        assertEquals(0, resumed.exitCode(), resumed.err());
        String branch = Journals.ofType(stopped, "run-started").get(0).path("integrationBranch").asText();
        assertEquals(List.of("t1", "t2"), repo.mergedTasks(branch).stream().sorted().toList());
    }

    @Test
    void aLiveRunIsRefusedToASecondTroupeAndAStoppedOneIsCleanedUp() throws Exception {
        startTroupe(goal(1, "hang"));
        List<JsonNode> started = awaitJournal("an agent", events -> count(events, "agent-started") == 1);
        String run = Journals.ofType(started, "run-started").get(0).path("run").asText();

        Invocation second = troupe("resume", "-C", repo.dir().toString());
        Invocation live = troupe("status", "-C", repo.dir().toString());

        assertEquals(ExitCodes.BAD_INPUT, second.exitCode());
        assertTrue(second.err().contains("run " + run + " is live (troupe pid " + troupeProcess.pid() + ")"), second.err());
        assertTrue(live.out().contains("live (troupe pid"), live.out());
        assertEquals(ExitCodes.BAD_INPUT, troupe("cleanup", "-C", repo.dir().toString()).exitCode(), "not while live");

        killTroupeHard();
        long agent = Journals.ofType(started, "agent-started").get(0).path("pid").asLong();
        Invocation stopped = troupe("status", "-C", repo.dir().toString());
        Invocation cleaned = troupe("cleanup", "-C", repo.dir().toString());

        assertTrue(stopped.out().contains("stopped before it finished; finish it with: troupe resume " + run), stopped.out());
        assertEquals(ExitCodes.OK, cleaned.exitCode(), cleaned.err());
        assertTrue(cleaned.out().contains("removed 1 worktree"), cleaned.out());
        assertFalse(ProcessHandle.of(agent).map(ProcessHandle::isAlive).orElse(false), "the orphaned agent is stopped");
        assertEquals(List.of(), repo.branches("troupe/tasks/**"));
        assertEquals(List.of("troupe/" + run), repo.branches("troupe/*"), "the integration branch stays");
    }

    @Test
    void statusAndResultsTellWhatAFinishedRunDid() throws Exception {
        Path goal = goal(2, "sleep 0");
        Invocation run = troupe("run", goal.toString());
        assertEquals(0, run.exitCode(), run.err());

        Invocation status = troupe("status", "-C", repo.dir().toString(), "--json");
        Invocation results = troupe("results", "-C", repo.dir().toString(), "--task", "t2", "--tail", "10");

        JsonNode json = Json.MAPPER.readTree(status.out());
        assertEquals("finished", json.path("state").asText());
        assertEquals(2, json.path("totals").path("merged").asInt());
        assertEquals(0.025, json.path("costUsd").asDouble(), 1e-9);
        assertEquals("merged", json.path("tasks").get(0).path("state").asText());
        assertTrue(results.out().contains("# t2"), results.out());
        assertTrue(results.out().contains("t2.txt"), results.out());
        assertTrue(results.out().contains("tool Write"), results.out());
        assertTrue(results.out().contains("result: success - Did as told."), results.out());
    }
}
