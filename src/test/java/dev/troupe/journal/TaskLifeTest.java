package dev.troupe.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fold of a task's events: every move of a task's state, as the rules, resume and every view see it. */
class TaskLifeTest {

    private static final Instant T = Instant.parse("2026-12-07T10:00:00Z");
    private static final String COMMIT = "0123456789012345678901234567890123456789";

    private static TaskLife lifeOf(TeamEvent... events) {
        TaskLife life = new TaskLife("a");
        for (TeamEvent event : events) {
            life.apply(event);
        }
        return life;
    }

    private static TeamEvent.TaskAssigned assigned(int attempt) {
        return new TeamEvent.TaskAssigned(T, "a", attempt, "worker-1", "troupe/tasks/r/a", COMMIT);
    }

    private static TeamEvent.TaskAssigned variant(int attempt) {
        return new TeamEvent.TaskAssigned(T, "a", attempt, "worker-" + attempt, "troupe/variants/r/a/" + attempt, COMMIT);
    }

    private static TeamEvent.TaskSucceeded succeeded(int attempt) {
        return new TeamEvent.TaskSucceeded(T, "a", attempt, "troupe/tasks/r/a", COMMIT, 0.5, Usage.NONE, 3, 1000,
                List.of("a.txt"), "did it", 0);
    }

    private static TeamEvent.AttemptFailed failed(int attempt, boolean counted) {
        return new TeamEvent.AttemptFailed(T, "a", attempt, "it broke", 0.25, Usage.NONE, 0, counted);
    }

    @Test
    void aFinishedTaskHeldForTheSyncPointIsHeldThenMergingThenMerged() {
        TaskLife life = lifeOf(new TeamEvent.TaskQueued(T, "a"), assigned(1), succeeded(1),
                new TeamEvent.TaskHeld(T, "a", 1));
        assertEquals(TaskLife.State.HELD, life.state());

        life.apply(new TeamEvent.MergeStarted(T, "a", 1));
        assertEquals(TaskLife.State.MERGING, life.state());

        life.apply(new TeamEvent.MergeDone(T, "a", COMMIT, "troupe/r"));
        assertEquals(TaskLife.State.MERGED, life.state());
        assertEquals(COMMIT, life.mergeCommit());
        assertEquals(0.5, life.costUsd(), 1e-9);
    }

    @Test
    void aReviewedTaskIsReviewingFromTheMomentItWaitsForItsReviewer() {
        TaskLife life = lifeOf(assigned(1), succeeded(1), new TeamEvent.ReviewQueued(T, "a", 1));
        assertEquals(TaskLife.State.REVIEWING, life.state());

        life.apply(new TeamEvent.ReviewDone(T, "a", 1, true, "fine", 0.1, Usage.NONE));
        assertEquals(TaskLife.State.MERGING, life.state());
        assertEquals(true, life.approved().orElseThrow());
    }

    @Test
    void eventsOfAnotherTaskDoNotMoveIt() {
        TaskLife life = lifeOf(new TeamEvent.TaskQueued(T, "b"), new TeamEvent.TaskSkipped(T, "b", "no"));
        assertEquals(TaskLife.State.WAITING, life.state());
    }

    @Test
    void aRoundOfVariantsIsOneTryHoweverManyAgentsItRan() {
        TaskLife life = lifeOf(variant(1), variant(2), variant(3));
        assertEquals(3, life.attempts(), "three agent runs");
        assertEquals(1, life.tries(), "one try");

        life.apply(failed(3, true));
        life.apply(variant(4));
        life.apply(variant(5));
        assertEquals(2, life.tries(), "a failed round is a try; the next round another");
        assertEquals(2, life.countedTries());
    }

    @Test
    void anAttemptNotCountedIsATryButNotAgainstTheLimit() {
        TaskLife life = lifeOf(assigned(1), failed(1, false), assigned(2), failed(2, true));
        assertEquals(2, life.tries());
        assertEquals(1, life.countedTries());
        assertEquals(1, life.uncountedAttempts());
        assertEquals(TaskLife.State.QUEUED, life.state());
        assertEquals(0.5, life.costUsd(), 1e-9);
    }

    @Test
    void onResumeATaskNotSettledWaitsAgainAndTheIntegrationBranchSaysWhatIsMerged() {
        TaskLife running = lifeOf(assigned(1));
        TaskLife failed = lifeOf(assigned(1), new TeamEvent.TaskFailed(T, "a", 1, "gave up"));
        TaskLife mergedPerJournal = lifeOf(assigned(1), succeeded(1), new TeamEvent.MergeDone(T, "a", COMMIT, "x"));
        TaskLife mergedPerBranch = lifeOf(assigned(1), succeeded(1), new TeamEvent.MergeStarted(T, "a", 1));
        TeamEvent.RunResumed notMerged = new TeamEvent.RunResumed(T, "r", 1, java.util.Set.of(), 0);

        running.apply(notMerged);
        failed.apply(notMerged);
        mergedPerJournal.apply(notMerged);
        mergedPerBranch.apply(new TeamEvent.RunResumed(T, "r", 1, java.util.Set.of("a"), 0));

        assertEquals(TaskLife.State.WAITING, running.state());
        assertEquals(TaskLife.State.FAILED, failed.state(), "settled stays settled");
        assertEquals(TaskLife.State.WAITING, mergedPerJournal.state(), "the branch does not hold it: it runs again");
        assertEquals(TaskLife.State.MERGED, mergedPerBranch.state());
    }

    @Test
    void onResumeFinishedWorkStaysFinishedUntilTheResumeSaysWhereItGoes() {
        // As a journal written before task-held and review-queued existed reads: done, then resumed.
        TaskLife done = lifeOf(assigned(1), succeeded(1));
        TaskLife held = lifeOf(assigned(1), succeeded(1), new TeamEvent.TaskHeld(T, "a", 1));
        TaskLife awaitingReview = lifeOf(assigned(1), succeeded(1), new TeamEvent.ReviewQueued(T, "a", 1));
        TeamEvent.RunResumed resumed = new TeamEvent.RunResumed(T, "r", 1, java.util.Set.of(), 0);

        done.apply(resumed);
        held.apply(resumed);
        awaitingReview.apply(resumed);

        assertEquals(TaskLife.State.MERGING, done.state());
        assertEquals(TaskLife.State.HELD, held.state());
        assertEquals(TaskLife.State.REVIEWING, awaitingReview.state());
    }

    @Test
    void anAttemptCutShortByAStopIsFreeAndLeavesTheLastFailuresReasonForTheNextAttempt() {
        TaskLife life = lifeOf(assigned(1), failed(1, true), assigned(2), new TeamEvent.AttemptFailed(T, "a", 2,
                "interrupted: troupe stopped during the attempt", 0, Usage.NONE, 0, false, true),
                new TeamEvent.RunResumed(T, "r", 1, java.util.Set.of(), 0));

        assertEquals(TaskLife.State.WAITING, life.state());
        assertEquals("it broke", life.reason());
        assertEquals(1, life.countedTries());
    }

    @Test
    void onResumeARoundSomeOfWhoseVariantsSettledGoesOn() {
        TaskLife life = lifeOf(variant(1), variant(2), new TeamEvent.VariantDone(T, "a", 1, 1, "worker-1",
                "troupe/variants/r/a/1", COMMIT, COMMIT, true, "passed", "", 0.2, Usage.NONE, 10, List.of(), "ok"));

        life.apply(new TeamEvent.RunResumed(T, "r", 1, java.util.Set.of(), 0));
        life.apply(variant(3));

        assertEquals(TaskLife.State.RUNNING, life.state());
        assertEquals(1, life.tries(), "the relaunched variant is the same round");
        assertEquals(1, life.roundVariants().size());
    }

    @Test
    void aCancelKeepsWhatTheStoppedAttemptSpent() {
        TaskLife life = lifeOf(assigned(1), new TeamEvent.TaskCancelled(T, "a", 1, 0.75, new Usage(10, 20, 0, 0)));
        assertEquals(TaskLife.State.CANCELLED, life.state());
        assertEquals(0.75, life.costUsd(), 1e-9);
        assertTrue(life.reason().contains("troupe cancel"));
    }
}
