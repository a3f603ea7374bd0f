package dev.troupe.team.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.troupe.goal.AgentSettings;
import dev.troupe.goal.Goal;
import dev.troupe.journal.RunHistory;
import dev.troupe.journal.RunOutcome;
import dev.troupe.journal.TeamEvent;
import dev.troupe.journal.Usage;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.Test;

/**
 * The lead's rules without an actor, a process or a repository: events go into a {@link RunState} with the
 * time they happened, and the decisions that come out are checked exactly.
 */
class RunStateTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final ObjectId BASE = commit("base");
    private static final Tuning TUNING = new Tuning(Duration.ofSeconds(1), Duration.ofSeconds(1), 1 << 20,
            Duration.ofSeconds(1), Duration.ofSeconds(8), Duration.ofSeconds(30), 2, new Tuning.MergeRetries(0, Duration.ZERO), 1, 1,
            Duration.ofSeconds(30));
    private static final Goal.Limits ONE_ATTEMPT = limits(1, Optional.empty());
    private static final Goal.Sync EACH = new Goal.Sync(Goal.ZonePolicy.WARN, Optional.empty());

    // ---- readiness, zones, pace ----

    @Test
    void aTaskIsQueuedAndAssignedOnlyOnceWhatItComesAfterIsMerged() {
        RunState state = state(goal(team(2), ONE_ATTEMPT, EACH, spec("a"), spec("b", "a")));

        List<Decision> started = state.start(Optional.empty(), 1, T0);
        assertEquals(List.of("worker-1", "worker-2"), of(started, Decision.SpawnWorker.class).stream()
                .map(Decision.SpawnWorker::name).toList(), "a worker for each open task, up to the team size");
        assertEquals(List.of("a"), assigned(started));

        List<Decision> done = state.attemptSucceeded("worker-1", "a", 1, Assignment.Role.WRITER, written("a"), T0);
        assertEquals(List.of("a"), of(done, Decision.Merge.class).stream().map(Decision.Merge::taskId).toList());
        assertEquals(List.of(), assigned(done), "b waits until a is merged, not merely done");

        ObjectId merge = commit("merge-a");
        List<Decision> merged = state.merged("a", merge, T0.plusSeconds(1));
        assertEquals(List.of("b"), assigned(merged));
        Decision.AssignOnceJournaled b = of(merged, Decision.AssignOnceJournaled.class).get(0);
        assertEquals(merge, b.assignment().base(), "b starts on the integration head that holds a");
        assertTrue(b.assignment().prompt().contains("done a"), "b is told what a reported");
    }

    @Test
    void aTaskWhoseZoneOverlapsWorkInFlightWaitsUntilThatWorkIsMerged() {
        RunState state = state(goal(team(2), ONE_ATTEMPT, EACH, zoned("x", "src/**"), zoned("y", "src/a.txt"),
                zoned("z", "docs/**")));

        List<Decision> started = state.start(Optional.empty(), 1, T0);
        assertEquals(List.of("x", "z"), assigned(started), "y shares files with x; z does not");

        state.attemptSucceeded("worker-1", "x", 1, Assignment.Role.WRITER, written("x"), T0);
        assertEquals(List.of("y"), assigned(state.merged("x", commit("mx"), T0)));
    }

    @Test
    void launchesAreStaggeredAndTheLeadAsksToBeWokenAtTheExactInstant() {
        RunState state = state(goal(new Goal.Team(2, Duration.ofSeconds(10)), ONE_ATTEMPT, EACH, spec("a"), spec("b")));

        List<Decision> started = state.start(Optional.empty(), 1, T0);
        assertEquals(List.of("a"), assigned(started));
        assertEquals(List.of(new Decision.WakeAt(T0.plusSeconds(10))), of(started, Decision.WakeAt.class));

        assertEquals(List.of(), assigned(state.tick(T0.plusSeconds(9))), "not a moment early");
        assertEquals(List.of("b"), assigned(state.tick(T0.plusSeconds(10))));
    }

    @Test
    void aFailedAttemptWaitsABackoffThatDoublesAndGoesToAWorkerThatHasNotTriedIt() {
        RunState state = state(goal(team(2), limits(3, Optional.empty()), EACH, spec("a")));
        state.start(Optional.empty(), 1, T0);

        List<Decision> first = state.attemptFailed("worker-1", "a", 1, Assignment.Role.WRITER, "exit 2", 0.01, Usage.NONE,
                false, -1, T0);
        assertEquals(1000, event(first, TeamEvent.AttemptFailed.class).retryInMs());
        assertEquals(List.of(new Decision.WakeAt(T0.plusSeconds(1))), of(first, Decision.WakeAt.class));
        List<Decision> again = state.tick(T0.plusSeconds(1));
        assertEquals(List.of("worker-2"), of(again, Decision.SpawnWorker.class).stream()
                .map(Decision.SpawnWorker::name).toList(), "a fresh worker while the team has room");
        assertEquals("worker-2", of(again, Decision.AssignOnceJournaled.class).get(0).worker());
        assertTrue(of(again, Decision.AssignOnceJournaled.class).get(0).assignment().prompt().contains("exit 2"),
                "the next attempt is told why the last one failed");

        Instant t1 = T0.plusSeconds(5);
        List<Decision> second = state.attemptFailed("worker-2", "a", 2, Assignment.Role.WRITER, "exit 2", 0.01,
                Usage.NONE, false, -1, t1);
        assertEquals(List.of(new Decision.WakeAt(t1.plusSeconds(2))), of(second, Decision.WakeAt.class));
    }

    // ---- workspace setup ----

    @Test
    void aFailedSetupRetiresItsWorkerForGoodAndCostsTheTaskNoAttempt() {
        RunState state = state(goal(team(2), ONE_ATTEMPT, EACH, spec("a"), spec("b")));
        assertEquals(List.of("a", "b"), assigned(state.start(Optional.empty(), 1, T0)));

        List<Decision> failed = state.setupFailed("worker-1", "a", 1, Assignment.Role.WRITER, "setup `npm ci` exited with 1",
                T0.plusSeconds(1));

        assertEquals(List.of(new Decision.RetireWorker("worker-1")), of(failed, Decision.RetireWorker.class));
        assertFalse(event(failed, TeamEvent.AttemptFailed.class).counted(), "with one attempt, a is still not failed");
        assertEquals(List.of(), of(failed, Decision.SpawnWorker.class), "no replacement: the team is one smaller");
        assertEquals(List.of(), of(failed, Decision.Finish.class), "worker-2 can still set up and work");
        List<Decision> next = new java.util.ArrayList<>(
                state.attemptSucceeded("worker-2", "b", 1, Assignment.Role.WRITER, written("b"), T0.plusSeconds(2)));
        next.addAll(state.tick(T0.plusSeconds(3)));
        assertEquals(List.of("a"), assigned(next), "a goes to the worker left");
        assertEquals("worker-2", of(next, Decision.AssignOnceJournaled.class).get(0).worker());
    }

    @Test
    void whenSetupFailedOnEveryWorkerTheRunStopsWithExitOne() {
        RunState state = state(goal(team(2), limits(3, Optional.empty()), EACH, spec("a"), spec("b"), spec("c")));
        state.start(Optional.empty(), 1, T0);

        state.setupFailed("worker-1", "a", 1, Assignment.Role.WRITER, "setup failed in worker-1", T0);
        List<Decision> last = state.setupFailed("worker-2", "b", 1, Assignment.Role.WRITER, "setup failed in worker-2", T0);

        Decision.Finish finish = of(last, Decision.Finish.class).get(0);
        assertEquals(1, finish.outcome().exitCode());
        assertTrue(finish.outcome().setupFailure().orElseThrow().contains("setup failed in worker-2"));
        assertEquals(3, finish.outcome().count(RunOutcome.Fate.FAILED), "no task ran, none merged");
    }

    @Test
    void whenTheCheckCannotRunNothingMoreIsLaunchedAndTheRunEndsOnceWhatRunsHasSettled() {
        RunState state = state(goal(team(2), limits(3, Optional.empty()), EACH, spec("a"), spec("b"), spec("c"), spec("d")));
        assertEquals(List.of("a", "b"), assigned(state.start(Optional.empty(), 1, T0)));
        List<Decision> aDone = state.attemptSucceeded("worker-1", "a", 1, Assignment.Role.WRITER, written("a"), T0.plusSeconds(1));
        assertEquals(List.of("c"), assigned(aDone));
        String setup = "setup `npm ci` exited with 1 in workspace check";

        List<Decision> halted = state.checkCannotRun("a", setup, T0.plusSeconds(2));
        List<Decision> bDone = state.attemptSucceeded("worker-2", "b", 1, Assignment.Role.WRITER, written("b"), T0.plusSeconds(3));

        assertEquals(List.of("d"), of(halted, Decision.Journal.class).stream().map(Decision.Journal::event)
                .filter(TeamEvent.TaskSkipped.class::isInstance).map(e -> ((TeamEvent.TaskSkipped) e).task()).toList(),
                "what waits in the queue is skipped at once");
        assertEquals(List.of(), assigned(bDone), "nothing is launched on the worker b freed");
        assertEquals(List.of("b"), of(bDone, Decision.Merge.class).stream().map(Decision.Merge::taskId).toList(),
                "b's work still goes to the merger, which keeps it on its branch");
        assertEquals(List.of(), of(state.checkCannotRun("b", setup, T0.plusSeconds(4)), Decision.Finish.class),
                "c is still running");
        state.attemptSucceeded("worker-1", "c", 1, Assignment.Role.WRITER, written("c"), T0.plusSeconds(5));
        List<Decision> last = state.checkCannotRun("c", setup, T0.plusSeconds(6));

        Decision.Finish finish = of(last, Decision.Finish.class).get(0);
        assertEquals(1, finish.outcome().exitCode());
        assertTrue(finish.outcome().setupFailure().orElseThrow().startsWith("sync.check cannot run"),
                finish.outcome().setupFailure().toString());
        assertEquals(0, finish.outcome().count(RunOutcome.Fate.MERGED));
    }

    // ---- troupe stop ----

    @Test
    void aStoppedRunLaunchesNothingMoreAndEndsResumableOnceWhatRunsHasMerged() {
        RunState state = state(goal(team(1), ONE_ATTEMPT, EACH, spec("a"), spec("b"), spec("c")));
        assertEquals(List.of("a"), assigned(state.start(Optional.empty(), 1, T0)));

        List<Decision> stop = state.stop(T0.plusSeconds(1));
        assertEquals(1, ((TeamEvent.StopRequested) of(stop, Decision.JournalDurably.class).get(0).event()).running());
        List<Decision> done = state.attemptSucceeded("worker-1", "a", 1, Assignment.Role.WRITER, written("a"),
                T0.plusSeconds(2));
        assertEquals(List.of(), assigned(done), "b waits for troupe resume");
        assertEquals(List.of(), of(done, Decision.Finish.class), "a is on its way in");
        List<Decision> merged = state.merged("a", ObjectId.zeroId(), T0.plusSeconds(3));

        Decision.Finish finish = of(merged, Decision.Finish.class).get(0);
        assertEquals(new TeamEvent.RunStopped(T0.plusSeconds(3), "run-1", 1, 2, 0.01), finish.last(), "a cost 0.01");
        assertEquals(130, finish.outcome().exitCode());
        assertEquals(2, finish.outcome().count(RunOutcome.Fate.LEFT));
        assertTrue(finish.outcome().stopped());
    }

    // ---- troupe cancel ----

    @Test
    void cancellingAQueuedTaskSkipsWhatComesAfterItAndIsNoFailureOfTheRun() {
        RunState state = state(goal(team(1), ONE_ATTEMPT, EACH, spec("a"), spec("b"), spec("c", "b")));
        state.start(Optional.empty(), 1, T0);

        Steering.Answer answer = state.cancel("b", T0.plusSeconds(1));

        assertTrue(answer.accepted());
        assertEquals("task 'b' is cancelled; skipped after it: c", answer.message());
        state.attemptSucceeded("worker-1", "a", 1, Assignment.Role.WRITER, written("a"), T0.plusSeconds(2));
        Decision.Finish finish = of(state.merged("a", ObjectId.zeroId(), T0.plusSeconds(3)), Decision.Finish.class).get(0);
        assertEquals(List.of(RunOutcome.Fate.MERGED, RunOutcome.Fate.CANCELLED, RunOutcome.Fate.SKIPPED),
                finish.outcome().tasks().stream().map(RunOutcome.TaskOutcome::fate).toList());
        assertEquals(1, finish.outcome().exitCode(), "c was skipped");
        assertFalse(state.cancel("b", T0.plusSeconds(4)).accepted(), "cancelled already");
        assertEquals("no task 'x' in run run-1", state.cancel("x", T0.plusSeconds(4)).message());
    }

    @Test
    void cancellingARunningTaskStopsItsAgentAndTheAttemptsEndCancelsItWithoutARetry() {
        RunState state = state(goal(team(1), limits(3, Optional.empty()), EACH, spec("a")));
        state.start(Optional.empty(), 1, T0);

        Steering.Answer answer = state.cancel("a", T0.plusSeconds(1));

        assertEquals(List.of(new Decision.CancelAttempt("worker-1")), of(answer.decisions(), Decision.CancelAttempt.class));
        List<Decision> ended = state.attemptFailed("worker-1", "a", 1, Assignment.Role.WRITER,
                "cancelled with troupe cancel", 0.02, Usage.NONE, false, -1, T0.plusSeconds(2));
        assertEquals(List.of(), assigned(ended), "no retry");
        Decision.Finish finish = of(ended, Decision.Finish.class).get(0);
        assertEquals(RunOutcome.Fate.CANCELLED, finish.outcome().tasks().get(0).fate());
        assertEquals(0, finish.outcome().exitCode(), "a cancel is no failure");
    }

    // ---- attempts, rate limits, budget ----

    @Test
    void aRateLimitedFailurePausesTheTeamAndIsFreeUpToTheLimit() {
        RunState state = state(goal(team(1), ONE_ATTEMPT, EACH, spec("a")));
        state.start(Optional.empty(), 1, T0);

        List<Decision> limited = state.attemptFailed("worker-1", "a", 1, Assignment.Role.WRITER, "429", 0, Usage.NONE,
                true, 5000, T0);
        assertEquals(T0.plusSeconds(5), event(limited, TeamEvent.TeamPaused.class).until());
        assertFalse(event(limited, TeamEvent.AttemptFailed.class).counted());
        assertEquals(List.of(new Decision.WakeAt(T0.plusSeconds(5))), of(limited, Decision.WakeAt.class));
        assertEquals(List.of("a"), assigned(state.tick(T0.plusSeconds(5))));

        state.attemptFailed("worker-1", "a", 2, Assignment.Role.WRITER, "429", 0, Usage.NONE, true, 5000, T0.plusSeconds(6));
        assertEquals(List.of("a"), assigned(state.tick(T0.plusSeconds(11))), "the second is free too");
        List<Decision> third = state.attemptFailed("worker-1", "a", 3, Assignment.Role.WRITER, "429", 0, Usage.NONE,
                true, 5000, T0.plusSeconds(12));
        assertTrue(event(third, TeamEvent.AttemptFailed.class).counted(), "two free ones are spent: this one counts");
        assertEquals("a", event(third, TeamEvent.TaskFailed.class).task());
    }

    @Test
    void whenAttemptsAreSpentTheTaskFailsAndItsDependentsAreSkippedSayingWhy() {
        Goal.TaskSpec gated = new Goal.TaskSpec("rest", "rest", "do rest", List.of(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), List.of(), List.of("canary"), false);
        RunState state = state(goal(team(1), ONE_ATTEMPT, EACH, spec("canary"), gated, spec("last", "rest")));
        state.start(Optional.empty(), 1, T0);

        List<Decision> failed = state.attemptFailed("worker-1", "canary", 1, Assignment.Role.WRITER, "exit 2", 0.01,
                Usage.NONE, false, -1, T0);

        assertEquals(-1, event(failed, TeamEvent.AttemptFailed.class).retryInMs());
        assertEquals(List.of("canary 'canary' did not merge, so the fan-out stopped before the rest",
                "comes after 'rest', which did not merge"), events(failed, TeamEvent.TaskSkipped.class).stream()
                .map(TeamEvent.TaskSkipped::reason).toList());
        RunOutcome outcome = of(failed, Decision.Finish.class).get(0).outcome();
        assertEquals(1, outcome.exitCode());
        assertEquals(List.of(RunOutcome.Fate.FAILED, RunOutcome.Fate.SKIPPED, RunOutcome.Fate.SKIPPED),
                outcome.tasks().stream().map(RunOutcome.TaskOutcome::fate).toList());
        assertTrue(failed.get(failed.size() - 1) instanceof Decision.Finish, "the run's end is its last decision");
    }

    @Test
    void onceTheBudgetIsSpentWhatIsQueuedIsSkippedAndTheRunEnds() {
        RunState state = state(goal(team(1), limits(1, Optional.of(0.01)), EACH, spec("a"), spec("b")));
        state.start(Optional.empty(), 1, T0);

        List<Decision> done = state.attemptSucceeded("worker-1", "a", 1, Assignment.Role.WRITER, written("a", 0.02), T0);
        assertEquals(0.02, event(done, TeamEvent.BudgetSpent.class).spentUsd(), 1e-9);
        assertEquals("the budget of $0.0100 is spent", event(done, TeamEvent.TaskSkipped.class).reason());
        assertEquals(List.of(), assigned(done));

        RunOutcome outcome = of(state.merged("a", commit("ma"), T0), Decision.Finish.class).get(0).outcome();
        assertTrue(outcome.budgetSpent());
        assertEquals(0.02, outcome.costUsd(), 1e-9);
    }

    // ---- review, sync points, lost workers ----

    @Test
    void aReviewedTaskMergesOnlyOnceApprovedAndRunsAgainWithTheReviewersComments() {
        Goal.TaskSpec reviewed = new Goal.TaskSpec("r", "r", "do r", List.of(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), List.of(), List.of(), true);
        RunState state = state(goal(team(1), limits(2, Optional.empty()), EACH, reviewed));
        state.start(Optional.empty(), 1, T0);
        AttemptResult change = written("r");

        List<Decision> written = state.attemptSucceeded("worker-1", "r", 1, Assignment.Role.WRITER, change, T0);
        assertEquals(List.of(), of(written, Decision.Merge.class));
        Decision.Assign review = of(written, Decision.Assign.class).get(0);
        assertEquals("worker-1", review.worker(), "the reviewer starts where the change already is");
        assertEquals(Assignment.Role.REVIEWER, review.assignment().role());
        assertEquals(change.commit(), review.assignment().base());
        assertEquals(Optional.of(BASE), review.assignment().changeFrom());

        List<Decision> refused = state.attemptSucceeded("worker-1", "r", 1, Assignment.Role.REVIEWER,
                verdict("changes", "name it better"), T0);
        assertEquals(List.of(new Decision.Keep(change.commit(), "troupe/failed/run-1/r-1")), of(refused, Decision.Keep.class));
        assertTrue(event(refused, TeamEvent.AttemptFailed.class).reason().contains("name it better"));

        state.tick(T0.plusSeconds(1));
        state.attemptSucceeded("worker-1", "r", 2, Assignment.Role.WRITER, written("r"), T0.plusSeconds(2));
        List<Decision> approved = state.attemptSucceeded("worker-1", "r", 2, Assignment.Role.REVIEWER,
                verdict("approve", ""), T0.plusSeconds(3));
        assertEquals(List.of("r"), of(approved, Decision.Merge.class).stream().map(Decision.Merge::taskId).toList());
    }

    @Test
    void workThatDidNotMakeItInContinuesItsSessionOnItsWorkerAndACrashStartsAfresh() {
        Goal.TaskSpec fresh = new Goal.TaskSpec("f", "f", "do f", List.of(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), List.of(), List.of(), false, Goal.Retry.FRESH);
        RunState state = state(goal(team(2), limits(3, Optional.empty()), EACH, spec("a"), fresh));
        state.start(Optional.empty(), 1, T0);
        AgentSession session = new AgentSession("session-a", Path.of("/worktrees/worker-1"));
        state.attemptSucceeded("worker-1", "a", 1, Assignment.Role.WRITER, written("a", session), T0);
        state.attemptSucceeded("worker-2", "f", 1, Assignment.Role.WRITER,
                written("f", new AgentSession("session-f", Path.of("/worktrees/worker-2"))), T0);
        state.mergeConflicted("a", List.of("x.txt"), T0);
        state.checkFailed("f", "1 test failed", T0);

        List<Decision> again = state.tick(T0.plusSeconds(1));

        Assignment a = of(again, Decision.AssignOnceJournaled.class).stream()
                .filter(d -> d.assignment().task().id().equals("a")).findFirst().orElseThrow().assignment();
        Decision.AssignOnceJournaled f = of(again, Decision.AssignOnceJournaled.class).stream()
                .filter(d -> d.assignment().task().id().equals("f")).findFirst().orElseThrow();
        assertEquals("worker-1", of(again, Decision.AssignOnceJournaled.class).stream()
                .filter(d -> d.assignment() == a).findFirst().orElseThrow().worker(), "where its session is");
        assertEquals(session, a.resume().orElseThrow().session());
        assertTrue(a.resume().get().message().contains("merge conflict in x.txt"), a.resume().get().message());
        assertTrue(a.resume().get().message().contains("troupe/failed/run-1/a-1"), "where its earlier change is kept");
        assertTrue(a.prompt().startsWith("do a"), "a fresh start's prompt is there for another workspace");
        assertEquals(Optional.empty(), f.assignment().resume(), "retry: fresh");

        state.attemptFailed("worker-1", "a", 2, Assignment.Role.WRITER, "agent exited with code 1 without a result", 0,
                Usage.NONE, false, -1, T0.plusSeconds(2));
        List<Decision> afterCrash = state.tick(T0.plusSeconds(4));
        assertEquals(Optional.empty(), of(afterCrash, Decision.AssignOnceJournaled.class).get(0).assignment().resume(),
                "a crashed attempt's next one starts afresh");
    }

    @Test
    void whatATaskIsToldGoesWithEveryFreshAttemptAndOnceToAResumedSession() {
        RunState state = state(goal(team(1), limits(3, Optional.empty()), EACH, spec("a"), spec("b")));
        state.start(Optional.empty(), 1, T0);
        assertTrue(state.tell("b", "mind the tabs", false, T0).accepted());
        Telling.Answer hurry = state.tell("a", "hurry", false, T0);
        assertTrue(hurry.accepted() && hurry.awaiting().isPresent(), "told while it runs: its agent hears it now");
        Decision.TellAgent live = of(hurry.decisions(), Decision.TellAgent.class).get(0);
        assertEquals(List.of("worker-1", "a", "hurry", false),
                List.of(live.worker(), live.taskId(), live.message(), live.redirect()));
        assertEquals(hurry.awaiting().get(), live.id());
        assertFalse(state.tell("nope", "hi", false, T0).accepted());
        List<Decision> aDone = state.attemptSucceeded("worker-1", "a", 1, Assignment.Role.WRITER, written("a"), T0);
        Assignment b = of(aDone, Decision.AssignOnceJournaled.class).get(0).assignment();
        assertTrue(b.prompt().contains("mind the tabs") && !b.prompt().contains("hurry"), b.prompt());
        state.merged("a", commit("m-a"), T0);
        Telling.Answer late = state.tell("a", "too late", false, T0);
        assertFalse(late.accepted());
        assertTrue(late.message().contains("merged already"), late.message());

        state.attemptSucceeded("worker-1", "b", 1, Assignment.Role.WRITER,
                written("b", new AgentSession("session-b", Path.of("/worktrees/worker-1"))), T0);
        state.mergeConflicted("b", List.of("b.txt"), T0);
        state.tell("b", "keep it short; the key is sk-ant-test-0123456789", false, T0);
        Assignment again = of(state.tick(T0.plusSeconds(1)), Decision.AssignOnceJournaled.class).get(0).assignment();

        String resumed = again.resume().orElseThrow().message();
        assertTrue(resumed.contains("keep it short") && !resumed.contains("mind the tabs"), "once: " + resumed);
        assertTrue(again.prompt().contains("keep it short") && again.prompt().contains("mind the tabs"),
                "a fresh start hears it all: " + again.prompt());
        assertTrue(!again.prompt().contains("sk-ant-test-0123456789") && again.prompt().contains("[redacted]"),
                "a credential told is masked, in the journal and the prompts made of it: " + again.prompt());
    }

    @Test
    void whenATaskMergesTheRunningTasksThatHearFromItAreToldAndOnesThatStartLaterFindItInTheirPrompt() {
        RunState state = state(goal(team(2), ONE_ATTEMPT, EACH, zoned("api", "src/**"), hearing(spec("ui"), "api"),
                hearing(zoned("docs", "src/**"), "api")));
        assertEquals(List.of("api", "ui"), assigned(state.start(Optional.empty(), 1, T0)),
                "ui starts at once: hearing orders nothing; docs waits for api's zone");
        state.attemptSucceeded("worker-1", "api", 1, Assignment.Role.WRITER, written("api"), T0);

        List<Decision> merged = state.merged("api", commit("m-api"), T0.plusSeconds(1));

        Decision.TellAgent told = of(merged, Decision.TellAgent.class).get(0);
        assertEquals(List.of("worker-2", "ui", false), List.of(told.worker(), told.taskId(), told.redirect()));
        assertTrue(told.message().contains("task api, which this task hears from, has just merged")
                && told.message().contains("done api") && told.message().contains("api.txt"), told.message());
        TeamEvent.TaskTold journaled = event(merged, TeamEvent.TaskTold.class);
        assertEquals(List.of("ui", "api", told.id()), List.of(journaled.task(), journaled.from(), journaled.id()));
        assertEquals(List.of("docs"), assigned(merged));
        String docs = of(merged, Decision.AssignOnceJournaled.class).get(0).assignment().prompt();
        assertTrue(docs.contains("This task hears from api, merged already; their work is in your starting point.")
                && docs.contains("done api"), docs);
        assertEquals(1, of(merged, Decision.TellAgent.class).size(), "only a task at work is told live");
    }

    @Test
    void aRetryWaitsAWhileForItsSessionsWorkerThenStartsFreshElsewhere() {
        RunState state = conflictWhileTheSessionsWorkerIsBusy();

        List<Decision> waiting = state.tick(T0.plusSeconds(1));
        assertEquals(List.of(), assigned(waiting), "worker-2 is idle, but a waits for worker-1");
        assertEquals(List.of(new Decision.WakeAt(T0.plusSeconds(31))), of(waiting, Decision.WakeAt.class));
        List<Decision> later = state.tick(T0.plusSeconds(31));

        Decision.AssignOnceJournaled a = of(later, Decision.AssignOnceJournaled.class).get(0);
        assertEquals("worker-2", a.worker());
        assertEquals(Optional.empty(), a.assignment().resume(), "fresh where the session is not");
    }

    @Test
    void aRetryThatWaitedResumesOnItsSessionsWorkerOnceThatIsIdle() {
        RunState state = conflictWhileTheSessionsWorkerIsBusy();
        state.tick(T0.plusSeconds(1));

        List<Decision> freed = state.attemptSucceeded("worker-1", "c", 1, Assignment.Role.WRITER, written("c"),
                T0.plusSeconds(10));

        Decision.AssignOnceJournaled a = of(freed, Decision.AssignOnceJournaled.class).get(0);
        assertEquals("worker-1", a.worker());
        assertEquals("session-a", a.assignment().resume().orElseThrow().session().id());
    }

    /** a's work conflicted (its session on worker-1), while worker-1 took c; worker-2 is idle. */
    private static RunState conflictWhileTheSessionsWorkerIsBusy() {
        RunState state = state(goal(team(2), limits(3, Optional.empty()), EACH, spec("a"), spec("b"), spec("c")));
        state.start(Optional.empty(), 1, T0);
        state.attemptSucceeded("worker-1", "a", 1, Assignment.Role.WRITER,
                written("a", new AgentSession("session-a", Path.of("/worktrees/worker-1"))), T0);
        state.mergeConflicted("a", List.of("x.txt"), T0);
        state.attemptSucceeded("worker-2", "b", 1, Assignment.Role.WRITER, written("b"), T0);
        return state;
    }

    @Test
    void withMergeAtTheEndFinishedWorkIsHeldUntilNothingElseRuns() {
        Goal.Sync atEnd = new Goal.Sync(Goal.ZonePolicy.WARN, Optional.empty(), Goal.MergePolicy.END);
        RunState state = state(goal(team(2), ONE_ATTEMPT, atEnd, spec("a"), spec("b")));
        state.start(Optional.empty(), 1, T0);

        assertEquals(List.of(), of(state.attemptSucceeded("worker-1", "a", 1, Assignment.Role.WRITER, written("a"), T0),
                Decision.Merge.class), "b still runs");
        List<Decision> idle = state.attemptSucceeded("worker-2", "b", 1, Assignment.Role.WRITER, written("b"), T0);
        assertEquals(List.of("a", "b"), of(idle, Decision.Merge.class).stream().map(Decision.Merge::taskId).toList());
    }

    @Test
    void aLostWorkerIsReplacedAndItsTaskTriedAgain() {
        RunState state = state(goal(team(1), limits(2, Optional.empty()), EACH, spec("a")));
        state.start(Optional.empty(), 1, T0);

        List<Decision> lost = state.workerLost("worker-1", T0);
        assertEquals(List.of(new Decision.SpawnWorker("worker-2")), of(lost, Decision.SpawnWorker.class));
        assertEquals("its worker stopped unexpectedly", event(lost, TeamEvent.AttemptFailed.class).reason());
        List<Decision> again = state.tick(T0.plusSeconds(1));
        assertEquals("worker-2", of(again, Decision.AssignOnceJournaled.class).get(0).worker());
    }

    @Test
    void aNodesSlotsJoinTheTeamAndTakeTasksAndWhenTheNodeIsLostItsTaskGoesElsewhereWithoutAReplacement() {
        RunState state = state(goal(team(1), limits(2, Optional.empty()), EACH, spec("a"), spec("b"), spec("c")));
        state.start(Optional.empty(), 1, T0);

        List<Decision> joined = state.nodeJoined("node1", "troupe@10.0.0.7:41234", 2, T0);

        assertEquals(List.of(new Decision.JoinWorker("node1-worker-1", "node1", 0),
                new Decision.JoinWorker("node1-worker-2", "node1", 1)), of(joined, Decision.JoinWorker.class));
        assertEquals(List.of("node1-worker-1", "node1-worker-2"), of(joined, Decision.AssignOnceJournaled.class).stream()
                .map(Decision.AssignOnceJournaled::worker).toList(), "the node's slots take the waiting tasks at once");
        assertEquals(2, event(joined, TeamEvent.NodeJoined.class).slots());

        List<Decision> lost = state.workerLost("node1-worker-1", T0.plusSeconds(1));

        assertEquals(List.of(), of(lost, Decision.SpawnWorker.class), "a node's worker is not replaced here");
        assertEquals("the node its worker ran on was lost", event(lost, TeamEvent.AttemptFailed.class).reason());
    }

    @Test
    void anAttemptANodeFailedForItsOwnReasonIsFreeAndPausesNobody() {
        RunState state = state(goal(team(1), ONE_ATTEMPT, EACH, spec("a"), spec("b"), spec("c")));
        state.start(Optional.empty(), 1, T0);
        state.nodeJoined("node1", "troupe@10.0.0.7:41234", 2, T0);

        List<Decision> failed = state.attemptFailed("node1-worker-1", "b", 1, Assignment.Role.WRITER,
                "the node could not take the attempt: bundle is corrupt", 0, Usage.NONE, false, true, -1, T0);

        assertFalse(event(failed, TeamEvent.AttemptFailed.class).counted(), "no fault of the task's");
        assertEquals(List.of(), events(failed, TeamEvent.TaskFailed.class), "its one attempt is not spent");
        assertEquals(List.of(), events(failed, TeamEvent.TeamPaused.class), "the team goes on");
        assertEquals(List.of("b"), assigned(failed), "tried again at once, with no backoff");
    }

    @Test
    void aRateLimitOnANodePausesThatNodesWorkersOnlyAndOneHerePausesOnlyThisMachines() {
        RunState state = state(goal(team(1), limits(3, Optional.empty()), EACH, spec("a"), spec("b"), spec("c"),
                spec("d")));
        state.start(Optional.empty(), 1, T0);
        state.nodeJoined("node1", "troupe@10.0.0.7:41234", 1, T0);

        List<Decision> limited = state.attemptFailed("node1-worker-1", "b", 1, Assignment.Role.WRITER, "429", 0,
                Usage.NONE, true, 60_000, T0.plusSeconds(1));

        TeamEvent.TeamPaused paused = event(limited, TeamEvent.TeamPaused.class);
        assertEquals("an attempt ended on a rate limit or overload on node1 (its workers wait; the others go on)",
                paused.reason());
        assertEquals("node1", paused.node());
        assertEquals(List.of(), of(limited, Decision.AssignOnceJournaled.class), "node1 is idle, but paused");
        List<Decision> done = state.attemptSucceeded("worker-1", "a", 1, Assignment.Role.WRITER, written("a"),
                T0.plusSeconds(2));
        assertEquals(List.of("worker-1"), of(done, Decision.AssignOnceJournaled.class).stream()
                .map(Decision.AssignOnceJournaled::worker).toList(), "this machine's worker goes on");

        List<Decision> here = state.attemptFailed("worker-1", of(done, Decision.AssignOnceJournaled.class).get(0)
                .assignment().task().id(), 1, Assignment.Role.WRITER, "429", 0, Usage.NONE, true, 120_000,
                T0.plusSeconds(3));
        assertEquals("an attempt ended on a rate limit or overload", event(here, TeamEvent.TeamPaused.class).reason());
        assertEquals(null, event(here, TeamEvent.TeamPaused.class).node(), "this machine's");
        List<Decision> nodeBack = state.tick(T0.plusSeconds(62));
        assertEquals(List.of("node1-worker-1"), of(nodeBack, Decision.AssignOnceJournaled.class).stream()
                .map(Decision.AssignOnceJournaled::worker).toList(), "node1's pause ends first, and it takes a task");
    }

    @Test
    void aNodeWhoseSetupFailsEverywhereLeavesTheTeamWithoutEndingTheRunOrCostingALocalWorkerItsPlace() {
        RunState state = state(goal(team(1), limits(2, Optional.empty()), EACH, spec("a"), spec("b"), spec("c")));
        state.start(Optional.empty(), 1, T0);
        state.nodeJoined("node1", "troupe@10.0.0.7:41234", 2, T0);

        state.setupFailed("node1-worker-1", "b", 1, Assignment.Role.WRITER, "npm: not found", T0);
        List<Decision> second = state.setupFailed("node1-worker-2", "c", 1, Assignment.Role.WRITER, "npm: not found", T0);

        assertEquals(List.of(), of(second, Decision.Finish.class), "this machine's worker is still in the team");
        List<Decision> done = state.attemptSucceeded("worker-1", "a", 1, Assignment.Role.WRITER, written("a"), T0);
        assertEquals("worker-1", of(done, Decision.AssignOnceJournaled.class).get(0).worker(),
                "the local worker takes what the node could not");
    }

    // ---- resume and planning ----

    @Test
    void aResumedRunKeepsWhatMergedAndDoesNotCountTheAttemptTheStopCutShort() {
        Goal goal = goal(team(1), limits(2, Optional.empty()), EACH, spec("a"), spec("b", "a"), spec("c"));
        RunHistory history = RunHistory.of(List.of(
                new TeamEvent.RunStarted(T0, "run-1", "/repo/goal.yaml", "/repo", "main", BASE.name(), "troupe/run-1", 1,
                        List.of("a", "b", "c"), Map.of("b", List.of("a")), false),
                new TeamEvent.TaskQueued(T0, "a"), new TeamEvent.TaskQueued(T0, "c"),
                new TeamEvent.TaskAssigned(T0, "a", 1, "worker-1", "troupe/tasks/run-1/a", BASE.name()),
                new TeamEvent.TaskAssigned(T0, "c", 1, "worker-2", "troupe/tasks/run-1/c", BASE.name()))).orElseThrow();
        ObjectId mergedA = commit("ma");
        RunState state = state(goal);

        List<Decision> resumed = state.start(Optional.of(new ResumeFrom(history, Map.of("a", mergedA), 0, Set.of())), 42,
                T0.plusSeconds(60));

        assertEquals(42, event(resumed, TeamEvent.RunResumed.class).pid());
        assertEquals("a", event(resumed, TeamEvent.MergeDone.class).task(), "merged before the journal heard of it");
        TeamEvent.AttemptFailed cut = event(resumed, TeamEvent.AttemptFailed.class);
        assertEquals("c", cut.task());
        assertFalse(cut.counted());
        List<Decision.AssignOnceJournaled> assigned = of(resumed, Decision.AssignOnceJournaled.class);
        assertEquals("b", assigned.get(0).assignment().task().id());
        List<Decision> next = state.attemptSucceeded("worker-1", "b", 1, Assignment.Role.WRITER, written("b"),
                T0.plusSeconds(61));
        assertEquals(List.of("c"), assigned(next), "c runs again: the stop cut its attempt short");
        assertEquals(2, of(next, Decision.AssignOnceJournaled.class).get(0).assignment().attempt());
        List<Decision> failed = state.attemptFailed("worker-1", "c", 2, Assignment.Role.WRITER, "exit 2", 0, Usage.NONE,
                false, -1, T0.plusSeconds(70));
        assertEquals(List.of(), events(failed, TeamEvent.TaskFailed.class), "one counted attempt of two: c goes on");
    }

    @Test
    void aGoalWithoutTasksIsPlannedAndTwoFailedPlansEndTheRunWithExitTwo() {
        RunState state = state(goal(team(2), ONE_ATTEMPT, EACH));

        List<Decision> started = state.start(Optional.empty(), 1, T0);
        Decision.Assign planner = of(started, Decision.Assign.class).get(0);
        assertEquals(Assignment.Role.PLANNER, planner.assignment().role());

        List<Decision> first = state.attemptFailed(planner.worker(), "(planner)", 1, Assignment.Role.PLANNER, "exit 1",
                0, Usage.NONE, false, -1, T0);
        assertTrue(event(first, TeamEvent.PlanRejected.class).retrying());
        List<Decision> second = state.attemptFailed(planner.worker(), "(planner)", 2, Assignment.Role.PLANNER, "exit 1",
                0, Usage.NONE, false, -1, T0);
        assertFalse(event(second, TeamEvent.PlanRejected.class).retrying());
        assertEquals(2, of(second, Decision.Finish.class).get(0).outcome().exitCode());
    }

    // ---- helpers ----

    // ---- variants ----

    @Test
    void threeVariantsRunOnWorkersOfTheirOwnAndTheJudgeComparesOnlyThoseThatPassedTheirTrial() {
        RunState state = state(goal(team(3), ONE_ATTEMPT, EACH, variants("a", 3, Goal.Judge.AGENT)));

        List<Decision> started = state.start(Optional.empty(), 1, T0);
        List<Decision.AssignOnceJournaled> launched = of(started, Decision.AssignOnceJournaled.class);
        assertEquals(List.of("worker-1", "worker-2", "worker-3"), launched.stream().map(Decision.AssignOnceJournaled::worker).toList());
        assertEquals(List.of("troupe/variants/run-1/a/1", "troupe/variants/run-1/a/2", "troupe/variants/run-1/a/3"),
                launched.stream().map(l -> l.assignment().branch()).toList());
        assertTrue(launched.stream().allMatch(l -> l.assignment().base().equals(BASE)), "one base for all");

        for (int n = 1; n <= 3; n++) {
            List<Decision> done = state.attemptSucceeded("worker-" + n, "a", n, Assignment.Role.WRITER, variant("a", n), T0);
            assertEquals(List.of(new Decision.TryMerge("a", n, commit("a-" + n), "troupe: try variant " + n
                    + " of a\n\nTroupe-Run: run-1\n")), of(done, Decision.TryMerge.class));
            assertEquals(List.of(), of(done, Decision.Merge.class), "nothing merges before the judge");
        }
        state.tried("a", 1, "passed", Optional.empty(), T0);
        List<Decision> out = state.tried("a", 2, "check-failed", Optional.of("the check failed: boom"), T0);
        assertFalse(event(out, TeamEvent.VariantDone.class).passed());
        List<Decision> judged = state.tried("a", 3, "passed", Optional.empty(), T0);

        Decision.Assign judge = of(judged, Decision.Assign.class).get(0);
        assertEquals(Assignment.Role.JUDGE, judge.assignment().role());
        assertEquals(Set.of(1, 3), judge.assignment().candidates().keySet(), "variant 2 is out");
        assertEquals(Optional.of("plan"), judge.assignment().task().permissionMode(), "the judge only reads");
        assertEquals(List.of(1, 3), event(judged, TeamEvent.JudgeStarted.class).candidates());

        List<Decision> chosen = state.attemptSucceeded(judge.worker(), "a", judge.assignment().attempt(),
                Assignment.Role.JUDGE, choice(3, "smaller"), T0);
        assertEquals(3, event(chosen, TeamEvent.VariantChosen.class).winner());
        assertEquals(List.of(new Decision.Keep(commit("a-3"), "troupe/tasks/run-1/a")), of(chosen, Decision.Keep.class),
                "the task branch points at the winner");
        assertEquals(List.of(commit("a-3")), of(chosen, Decision.Merge.class).stream().map(Decision.Merge::commit).toList());
        List<Decision> merged = state.merged("a", commit("m"), T0);
        assertEquals(1, of(merged, Decision.Finish.class).get(0).outcome().count(RunOutcome.Fate.MERGED));
        assertEquals(0.04, of(merged, Decision.Finish.class).get(0).outcome().costUsd(), 1e-9,
                "three variants and the judge are paid for");
    }

    @Test
    void withJudgeCheckTheFirstVariantInTheListThatPassedWinsWithoutAJudge() {
        RunState state = state(goal(team(2), ONE_ATTEMPT, EACH, variants("a", 2, Goal.Judge.CHECK)));
        state.start(Optional.empty(), 1, T0);
        state.attemptSucceeded("worker-2", "a", 2, Assignment.Role.WRITER, variant("a", 2), T0);
        state.attemptSucceeded("worker-1", "a", 1, Assignment.Role.WRITER, variant("a", 1), T0);
        state.tried("a", 2, "passed", Optional.empty(), T0);

        List<Decision> decided = state.tried("a", 1, "passed", Optional.empty(), T0);

        assertEquals(List.of(), of(decided, Decision.Assign.class), "no judge agent");
        assertEquals("check", event(decided, TeamEvent.VariantChosen.class).by());
        assertEquals(List.of(commit("a-1")), of(decided, Decision.Merge.class).stream().map(Decision.Merge::commit).toList());
    }

    @Test
    void aRoundWithoutAVariantThatPassedIsOneFailedAttemptAndTheNextRoundRunsThemAllAgain() {
        RunState state = state(goal(team(2), limits(2, Optional.empty()), EACH, variants("a", 2, Goal.Judge.AGENT)));
        state.start(Optional.empty(), 1, T0);
        state.attemptFailed("worker-1", "a", 1, Assignment.Role.WRITER, "exit 1", 0.01, Usage.NONE, false, -1, T0);
        state.attemptSucceeded("worker-2", "a", 2, Assignment.Role.WRITER, variant("a", 2), T0);

        List<Decision> failed = state.tried("a", 2, "conflict", Optional.of("merge conflict in a.txt"), T0);
        TeamEvent.AttemptFailed attempt = event(failed, TeamEvent.AttemptFailed.class);
        assertTrue(attempt.counted() && attempt.retryInMs() > 0, "one attempt of two: " + attempt);
        assertTrue(attempt.reason().contains("exit 1") && attempt.reason().contains("merge conflict"), attempt.reason());

        List<Decision> again = state.tick(T0.plusSeconds(1));
        assertEquals(List.of("troupe/variants/run-1/a/3", "troupe/variants/run-1/a/4"), of(again,
                Decision.AssignOnceJournaled.class).stream().map(l -> l.assignment().branch()).toList());
        state.attemptFailed("worker-1", "a", 3, Assignment.Role.WRITER, "exit 1", 0, Usage.NONE, false, -1, T0);
        List<Decision> last = state.attemptFailed("worker-2", "a", 4, Assignment.Role.WRITER, "exit 1", 0, Usage.NONE,
                false, -1, T0);
        assertEquals(2, event(last, TeamEvent.TaskFailed.class).attempts() / 2, "two rounds of two variants");
        assertEquals(1, of(last, Decision.Finish.class).get(0).outcome().count(RunOutcome.Fate.FAILED));
    }

    @Test
    void aCancelStopsEveryVariantAndTheJudgeAndNothingIsChosenOrMerged() {
        RunState state = state(goal(team(2), ONE_ATTEMPT, EACH, variants("a", 2, Goal.Judge.AGENT)));
        state.start(Optional.empty(), 1, T0);
        Steering.Answer running = state.cancel("a", T0);
        assertEquals(Set.of(new Decision.CancelAttempt("worker-1"), new Decision.CancelAttempt("worker-2")),
                Set.copyOf(of(running.decisions(), Decision.CancelAttempt.class)), "both variants are stopped");
        List<Decision> first = state.attemptFailed("worker-1", "a", 1, Assignment.Role.WRITER, "stopped", 0, Usage.NONE,
                false, -1, T0);
        assertEquals(List.of(), events(first, TeamEvent.TaskCancelled.class), "the other variant still runs");
        List<Decision> last = state.attemptSucceeded("worker-2", "a", 2, Assignment.Role.WRITER, variant("a", 2), T0);
        event(last, TeamEvent.TaskCancelled.class);
        assertEquals(List.of(), of(last, Decision.TryMerge.class));

        RunState judging = state(goal(team(2), ONE_ATTEMPT, EACH, variants("b", 2, Goal.Judge.AGENT)));
        judging.start(Optional.empty(), 1, T0);
        judging.attemptSucceeded("worker-1", "b", 1, Assignment.Role.WRITER, variant("b", 1), T0);
        judging.attemptSucceeded("worker-2", "b", 2, Assignment.Role.WRITER, variant("b", 2), T0);
        judging.tried("b", 1, "passed", Optional.empty(), T0);
        Decision.Assign judge = of(judging.tried("b", 2, "passed", Optional.empty(), T0), Decision.Assign.class).get(0);
        judging.cancel("b", T0);
        List<Decision> ended = judging.attemptFailed(judge.worker(), "b", judge.assignment().attempt(),
                Assignment.Role.JUDGE, "stopped", 0, Usage.NONE, false, -1, T0);
        event(ended, TeamEvent.TaskCancelled.class);
        assertEquals(List.of(), of(ended, Decision.Merge.class), "a cancelled task's variants do not merge");
        assertEquals(List.of(), events(ended, TeamEvent.VariantChosen.class));
    }

    @Test
    void aVariantEndedByARateLimitRunsAgainAfterThePauseInTheSameRoundUncounted() {
        RunState state = state(goal(team(2), ONE_ATTEMPT, EACH, variants("a", 2, Goal.Judge.CHECK)));
        state.start(Optional.empty(), 1, T0);

        List<Decision> limited = state.attemptFailed("worker-2", "a", 2, Assignment.Role.WRITER, "429", 0, Usage.NONE,
                true, 5000, T0);
        assertEquals(List.of(), events(limited, TeamEvent.VariantDone.class), "not out");
        assertEquals(List.of(new Decision.WakeAt(T0.plusSeconds(5))), of(limited, Decision.WakeAt.class));
        List<Decision> again = state.tick(T0.plusSeconds(5));
        assertEquals(List.of("troupe/variants/run-1/a/3"), of(again, Decision.AssignOnceJournaled.class).stream()
                .map(l -> l.assignment().branch()).toList());
        state.attemptFailed("worker-1", "a", 1, Assignment.Role.WRITER, "exit 1", 0, Usage.NONE, false, -1, T0);
        List<Decision> last = state.attemptFailed("worker-2", "a", 3, Assignment.Role.WRITER, "exit 1", 0, Usage.NONE,
                false, -1, T0.plusSeconds(6));
        assertEquals(1, of(last, Decision.Finish.class).get(0).outcome().count(RunOutcome.Fate.FAILED),
                "one attempt allowed, one round used");
        assertTrue(event(last, TeamEvent.AttemptFailed.class).counted());
    }

    private static RunState state(Goal goal) {
        return new RunState(new RunContext("run-1", goal, Path.of("/repo"), "main", Path.of("/repo/.troupe/runs/run-1"),
                Path.of("/worktrees"), "troupe/run-1", BASE, null, null,
                dev.troupe.agent.Secrets.of(Map.of("ANTHROPIC_API_KEY", "sk-ant-test-0123456789")), null, TUNING, false,
                null));
    }

    private static Goal goal(Goal.Team team, Goal.Limits limits, Goal.Sync sync, Goal.TaskSpec... tasks) {
        return new Goal(Path.of("/repo/goal.yaml"), "the goal", Path.of("/repo"), Optional.of("main"), team,
                new AgentSettings(List.of("agent"), Optional.empty(), "acceptEdits", List.of("Write"),
                        Optional.empty(), true, Map.of()),
                limits, sync, Optional.empty(), List.of(tasks), Goal.Notify.NONE);
    }

    private static Goal.Team team(int size) {
        return new Goal.Team(size, Duration.ZERO);
    }

    private static Goal.Limits limits(int attempts, Optional<Double> budget) {
        return new Goal.Limits(Duration.ofMinutes(1), Duration.ofMinutes(1), 0, Duration.ofMinutes(1), attempts, budget);
    }

    private static Goal.TaskSpec spec(String id, String... after) {
        return new Goal.TaskSpec(id, id, "do " + id, List.of(after), Optional.empty());
    }

    private static Goal.TaskSpec zoned(String id, String zone) {
        return new Goal.TaskSpec(id, id, "do " + id, List.of(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), List.of(zone), List.of(), false);
    }

    /** {@code spec}, hearing from {@code heard} while it runs. */
    private static Goal.TaskSpec hearing(Goal.TaskSpec spec, String... heard) {
        return new Goal.TaskSpec(spec.id(), spec.slug(), spec.prompt(), spec.after(), spec.model(), spec.allowedTools(),
                spec.permissionMode(), spec.maxTurns(), spec.appendSystemPrompt(), spec.zone(), spec.gate(),
                spec.review(), spec.retry(), spec.variants(), List.of(heard));
    }

    private static Goal.TaskSpec variants(String id, int count, Goal.Judge judge) {
        return spec(id).withVariants(Goal.Variants.alike(count, judge));
    }

    private static AttemptResult variant(String id, int attempt) {
        return new AttemptResult("troupe/variants/run-1/" + id + "/" + attempt, commit(id + "-" + attempt), 0.01,
                Usage.NONE, 1, 100, List.of(id + ".txt"), List.of(), "done " + id + " #" + attempt, 0, Optional.empty());
    }

    private static AttemptResult choice(int winner, String reasons) {
        return new AttemptResult("", commit("none"), 0.01, Usage.NONE, 1, 100, List.of(), List.of(), "", 0,
                Optional.of(new ObjectMapper().createObjectNode().put("winner", winner).put("reasons", reasons)));
    }

    private static ObjectId commit(String name) {
        return ObjectId.fromString(String.format("%040x", name.hashCode() & 0xffffffffL));
    }

    private static AttemptResult written(String id) {
        return written(id, 0.01);
    }

    private static AttemptResult written(String id, double cost) {
        return new AttemptResult("troupe/tasks/run-1/" + id, commit("c-" + id), cost, Usage.NONE, 1, 100,
                List.of(id + ".txt"), List.of(), "done " + id, 0, Optional.empty());
    }

    private static AttemptResult written(String id, AgentSession session) {
        return new AttemptResult("troupe/tasks/run-1/" + id, commit("c-" + id), 0.01, Usage.NONE, 1, 100,
                List.of(id + ".txt"), List.of(), "done " + id, 0, Optional.empty(), Optional.of(session));
    }

    private static AttemptResult verdict(String verdict, String comments) {
        return new AttemptResult("", commit("none"), 0.01, Usage.NONE, 1, 100, List.of(), List.of(), "", 0,
                Optional.of(new ObjectMapper().createObjectNode().put("verdict", verdict).put("comments", comments)));
    }

    private static <T extends Decision> List<T> of(List<Decision> decisions, Class<T> type) {
        return decisions.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** The tasks handed to writers, in order. */
    private static List<String> assigned(List<Decision> decisions) {
        return of(decisions, Decision.AssignOnceJournaled.class).stream().map(a -> a.assignment().task().id()).toList();
    }

    private static <E extends TeamEvent> List<E> events(List<Decision> decisions, Class<E> type) {
        return of(decisions, Decision.Journal.class).stream().map(Decision.Journal::event)
                .filter(type::isInstance).map(type::cast).toList();
    }

    private static <E extends TeamEvent> E event(List<Decision> decisions, Class<E> type) {
        List<E> found = events(decisions, type);
        assertEquals(1, found.size(), "one " + type.getSimpleName() + " in " + decisions);
        return found.get(0);
    }
}
