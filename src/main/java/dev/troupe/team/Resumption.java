package dev.troupe.team;

import dev.troupe.journal.RunHistory;
import dev.troupe.journal.TeamEvent;
import dev.troupe.journal.Usage;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.lib.ObjectId;

/**
 * Takes over from a run that stopped: merged is what the integration branch holds, failed and skipped what
 * the journal says; a finished attempt whose commit is still there goes on to its review, sync point or
 * merge; everything else (queued, or cut off mid-attempt) is open again. An attempt the crash cut short does
 * not count against the task.
 */
final class Resumption {

    private Resumption() {}

    static void restore(ResumeFrom from, int pid, Instant now, RunContext run, TaskTable tasks, Budget budget,
            Dispatch dispatch, SyncPoint syncPoint, Variants variants, Decisions out) {
        for (TaskState task : tasks.all()) {
            RunHistory.Task past = from.history().tasks().get(task.id());
            if (past != null) {
                boolean cutShort = past.state().attemptUnderWay() && !from.finished().contains(task.id())
                        && !keepsRound(task, past);
                task.attempts = past.attempts();
                task.freeAttempts = past.uncountedAttempts() + (cutShort ? 1 : 0);
                task.costUsd = past.costUsd();
                task.usage = past.usage();
                task.reason = past.reason();
                task.resultText = past.resultText();
                task.filesChanged = past.filesChanged();
                task.durationMs = past.durationMs();
                past.told().forEach(told -> task.told.add(new TaskState.Told(told.message(), told.attempts())));
                if (task.spec.variants().any()) {
                    // Every round took at least one number per variant, and counts as one attempt.
                    int rounds = (past.attempts() + task.spec.variants().count() - 1) / task.spec.variants().count();
                    task.variantExtras = past.attempts() - rounds;
                }
                past.chosen().ifPresent(chosen -> task.resultFile = run.runDir().resolve("results")
                        .resolve(task.spec.slug() + ".variant-" + chosen.winner() + ".md"));
            }
            ObjectId merge = from.merged().get(task.id());
            if (merge != null) {
                task.status = TaskState.Status.MERGED;
                task.mergeCommit = merge;
                task.reason = "";
            } else if (past != null && past.state() == RunHistory.State.FAILED) {
                task.status = TaskState.Status.FAILED;
            } else if (past != null && past.state() == RunHistory.State.SKIPPED) {
                task.status = TaskState.Status.SKIPPED;
            } else if (past != null && past.state() == RunHistory.State.CANCELLED) {
                task.status = TaskState.Status.CANCELLED;
            }
        }
        out.journal(new TeamEvent.RunResumed(now, run.runId(), pid, List.copyOf(from.merged().keySet()), from.killed()));
        for (TaskState task : tasks.all()) {
            RunHistory.Task past = from.history().tasks().get(task.id());
            RunHistory.State was = past == null ? RunHistory.State.WAITING : past.state();
            if (task.status == TaskState.Status.MERGED && was != RunHistory.State.MERGED) {
                // Merged just before the crash, before the journal heard of it: say so now, for status and resume.
                out.journal(new TeamEvent.MergeDone(now, task.id(), task.mergeCommit.name(), run.integrationBranch()));
            } else if (task.status != TaskState.Status.MERGED && from.finished().contains(task.id())) {
                goOnWithFinished(task, past, run, dispatch, syncPoint);
            } else if (task.status != TaskState.Status.MERGED && keepsRound(task, past)) {
                // Its variants that finished before the stop are kept; the others run again.
                variants.resume(task, VariantRound.fromJournal(task.spec.variants().count(), past.roundVariants(),
                        dispatch.writerPrompt(task)).orElseThrow(), now);
            } else if (task.status != TaskState.Status.MERGED && was.attemptUnderWay()) {
                // Journaled as uncounted, so that a later resume does not count it either.
                out.journal(new TeamEvent.AttemptFailed(now, task.id(), task.attempts,
                        "interrupted: troupe stopped during the attempt", 0, Usage.NONE, 0, false));
            }
        }
        for (TaskState task : tasks.all()) {
            if (task.status == TaskState.Status.WAITING && task.spec.waitsFor().stream().map(tasks::get)
                    .anyMatch(dep -> dep.status == TaskState.Status.FAILED || dep.status == TaskState.Status.SKIPPED
                            || dep.status == TaskState.Status.CANCELLED)) {
                tasks.skip(task, "comes after a task that did not merge", now);
            }
        }
        budget.restore(from.history().costUsd());
    }

    /** A round of the task's variants was under way, some of them settled: the round goes on. */
    private static boolean keepsRound(TaskState task, RunHistory.Task past) {
        return past != null && task.spec.variants().any() && past.state() == RunHistory.State.RUNNING
                && !past.roundVariants().isEmpty();
    }

    /** Its writer finished before the stop and its commit is still on its branch: no need to pay for it again. */
    private static void goOnWithFinished(TaskState task, RunHistory.Task past, RunContext run, Dispatch dispatch,
            SyncPoint syncPoint) {
        // Its zone was judged when it finished (before task-succeeded was journaled): no files are outside it now.
        task.pending = new AttemptResult(run.taskBranch(task.spec), ObjectId.fromString(past.commit()), 0, Usage.NONE, 0,
                past.durationMs(), past.filesChanged(), List.of(), past.resultText(), 0, Optional.empty());
        task.pendingAttempt = past.commitAttempt();
        task.attemptBase = ObjectId.fromString(past.commitBase());
        if (task.spec.review() && !past.approved().orElse(false)) {
            dispatch.awaitReview(task, null);
        } else {
            syncPoint.readyToMerge(task);
        }
    }
}
