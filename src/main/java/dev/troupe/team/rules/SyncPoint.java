package dev.troupe.team.rules;

import dev.troupe.goal.Goal;
import dev.troupe.journal.TaskLife;
import dev.troupe.journal.TeamEvent;
import java.time.Instant;

/**
 * How finished work reaches the integration branch: at once ({@code sync.merge: each}), or held until the sync
 * point of {@code sync.merge: end}; and where work that will not merge is kept.
 */
final class SyncPoint {

    private final RunContext run;
    private final TaskTable tasks;
    private final Decisions out;

    SyncPoint(RunContext run, TaskTable tasks, Decisions out) {
        this.run = run;
        this.tasks = tasks;
        this.out = out;
    }

    private boolean atEnd() {
        return run.goal().sync().merge() == Goal.MergePolicy.END;
    }

    /** Merges now ({@code each}), or holds the task for the next sync point ({@code end}). */
    void readyToMerge(TaskState task, Instant now) {
        if (atEnd()) {
            out.journal(new TeamEvent.TaskHeld(now, task.id(), task.pendingAttempt()));
        } else {
            merge(task, now);
        }
    }

    /**
     * The sync point of {@code sync.merge: end}: once nothing runs, is reviewed or merges, and nothing queued could
     * start (only tasks whose zone a held one owns are left, or none), every held task goes to the merger in
     * goal order. Held tasks never depend on one another: a dependent starts only after its dependencies merged.
     */
    void mergeHeldIfIdle(Instant now) {
        if (!atEnd()) {
            return;
        }
        boolean busy = tasks.all().stream().anyMatch(t -> t.isInFlight() && t.status() != TaskLife.State.HELD);
        boolean couldStart = tasks.ready.stream().map(tasks::get).anyMatch(t -> !tasks.zoneTaken(t));
        if (busy || couldStart || tasks.all().stream().noneMatch(t -> t.status() == TaskLife.State.HELD)) {
            return;
        }
        tasks.all().stream().filter(t -> t.status() == TaskLife.State.HELD).toList().forEach(t -> merge(t, now));
    }

    private void merge(TaskState task, Instant now) {
        out.journal(new TeamEvent.MergeStarted(now, task.id(), task.pendingAttempt()));
        out.add(new Decision.Merge(task.id(), task.pendingAttempt(), task.pending().commit(), mergeMessage(task),
                run.failedBranch(task.spec(), task.pendingAttempt())));
    }

    /** Keeps a finished attempt that will not merge on its failed-work branch; returns the branch. */
    String keepPending(TaskState task) {
        String branch = run.failedBranch(task.spec(), task.pendingAttempt());
        out.add(new Decision.Keep(task.pending().commit(), branch));
        return branch;
    }

    private String mergeMessage(TaskState task) {
        String title = task.spec().prompt().strip().lines().findFirst().orElse("");
        if (title.length() > 60) {
            title = title.substring(0, 57) + "...";
        }
        return "troupe: merge task " + task.id() + "\n\n" + title + "\n\nTroupe-Run: " + run.runId()
                + "\nTroupe-Task: " + task.id() + "\n";
    }
}
