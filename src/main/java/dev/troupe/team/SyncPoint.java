package dev.troupe.team;

import dev.troupe.goal.Goal;

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
    void readyToMerge(TaskState task) {
        if (atEnd()) {
            task.status = TaskState.Status.HELD;
        } else {
            merge(task);
        }
    }

    /**
     * The sync point of {@code sync.merge: end}: once nothing runs, is reviewed or merges, and nothing queued could
     * start (only tasks whose zone a held one owns are left, or none), every held task goes to the merger in
     * goal order. Held tasks never depend on one another: a dependent starts only after its dependencies merged.
     */
    void mergeHeldIfIdle() {
        if (!atEnd()) {
            return;
        }
        boolean busy = tasks.all().stream().anyMatch(t -> t.hasWorkInFlight() && t.status != TaskState.Status.HELD);
        boolean couldStart = tasks.ready.stream().map(tasks::get).anyMatch(t -> !tasks.zoneTaken(t));
        if (busy || couldStart || tasks.all().stream().noneMatch(t -> t.status == TaskState.Status.HELD)) {
            return;
        }
        tasks.all().stream().filter(t -> t.status == TaskState.Status.HELD).forEach(this::merge);
    }

    private void merge(TaskState task) {
        task.status = TaskState.Status.MERGING;
        out.add(new Decision.Merge(task.id(), task.pendingAttempt, task.pending.commit(), mergeMessage(task),
                run.failedBranch(task.spec, task.pendingAttempt)));
    }

    /** Keeps a finished attempt that will not merge on its failed-work branch; returns the branch. */
    String keepPending(TaskState task) {
        String branch = run.failedBranch(task.spec, task.pendingAttempt);
        out.add(new Decision.Keep(task.pending.commit(), branch));
        return branch;
    }

    private String mergeMessage(TaskState task) {
        String title = task.spec.prompt().strip().lines().findFirst().orElse("");
        if (title.length() > 60) {
            title = title.substring(0, 57) + "...";
        }
        return "troupe: merge task " + task.id() + "\n\n" + title + "\n\nTroupe-Run: " + run.runId()
                + "\nTroupe-Task: " + task.id() + "\n";
    }
}
