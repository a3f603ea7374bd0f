package dev.troupe.team.rules;

import dev.troupe.journal.TaskLife;
import dev.troupe.journal.TeamEvent;
import dev.troupe.journal.Usage;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jgit.lib.ObjectId;

/**
 * Takes over from a run that stopped, by replaying its journal: each task goes on with the {@link TaskLife} the
 * journal folds to. Merged is what the integration branch holds ({@code run-resumed} says so, and the fold takes its
 * word over the journal's); a finished attempt whose commit is still there goes on to its review, sync point or
 * merge; a round of variants some of which settled goes on; everything else not settled is open again. An attempt
 * the stop cut short does not count against the task.
 */
final class Resumption {

    /** What a task of the stopped run does next. */
    private enum Next { NOTHING, MERGED_UNJOURNALED, FINISHED, ROUND, INTERRUPTED }

    private Resumption() {}

    static void restore(ResumeFrom from, int pid, Instant now, RunContext run, TaskTable tasks, Budget budget,
            Dispatch dispatch, SyncPoint syncPoint, Variants variants, Decisions out) {
        // Everything the stopped run spent, before the lives it replayed move on.
        budget.restore(from.history().costUsd());
        tasks.takeOver(from.history());
        // Read off each task's life before the resume moves it.
        Map<TaskState, Next> next = new LinkedHashMap<>();
        tasks.all().forEach(task -> next.put(task, next(task, from)));
        next.forEach((task, what) -> {
            if (what == Next.INTERRUPTED) {
                // Journaled as not counted, so that no later resume counts it either.
                out.journal(new TeamEvent.AttemptFailed(now, task.id(), task.attempts(),
                        "interrupted: troupe stopped during the attempt", 0, Usage.NONE, 0, false, true));
            }
        });
        Set<String> merged = Collections.unmodifiableSet(new LinkedHashSet<>(from.merged().keySet()));
        out.journal(new TeamEvent.RunResumed(now, run.runId(), pid, merged, from.killed()));
        next.forEach((task, what) -> {
            task.life().chosen().ifPresent(chosen -> task.resultFile(run.runDir().resolve("results")
                    .resolve(task.spec().slug() + ".variant-" + chosen.winner() + ".md")));
            switch (what) {
                // Merged just before the stop, before the journal heard of it: say so now, for status and resume.
                case MERGED_UNJOURNALED -> out.journal(new TeamEvent.MergeDone(now, task.id(),
                        from.merged().get(task.id()).name(), run.integrationBranch()));
                case FINISHED -> goOnWithFinished(task, run, dispatch, syncPoint, now);
                // Its variants that finished before the stop are kept; the others run again.
                case ROUND -> variants.resume(task, VariantRound.fromJournal(task.spec().variants().count(),
                        task.life().roundVariants(), dispatch.writerPrompt(task)).orElseThrow(), now);
                default -> { }
            }
        });
        for (TaskState task : tasks.all()) {
            if (task.status() == TaskLife.State.WAITING && task.spec().waitsFor().stream().map(tasks::get)
                    .anyMatch(dep -> dep.isSettled() && dep.status() != TaskLife.State.MERGED)) {
                tasks.skip(task, "comes after a task that did not merge", now);
            }
        }
    }

    private static Next next(TaskState task, ResumeFrom from) {
        TaskLife life = task.life();
        if (from.merged().containsKey(task.id())) {
            return life.state() == TaskLife.State.MERGED ? Next.NOTHING : Next.MERGED_UNJOURNALED;
        } else if (from.finished().contains(task.id())) {
            return Next.FINISHED;
        } else if (task.spec().variants().any() && life.state() == TaskLife.State.RUNNING
                && !life.roundVariants().isEmpty()) {
            return Next.ROUND;
        } else if (life.state().attemptUnderWay()) {
            return Next.INTERRUPTED;
        }
        return Next.NOTHING;
    }

    /** Its writer finished before the stop and its commit is still on its branch: no need to pay for it again. */
    private static void goOnWithFinished(TaskState task, RunContext run, Dispatch dispatch, SyncPoint syncPoint,
            Instant now) {
        TaskLife life = task.life();
        // Its zone was judged when it finished (before task-succeeded was journaled): no files are outside it now.
        task.pending(new AttemptResult(run.taskBranch(task.spec()), ObjectId.fromString(life.commit()), 0, Usage.NONE, 0,
                life.durationMs(), life.filesChanged(), List.of(), life.resultText(), 0, Optional.empty()),
                life.commitAttempt(), null);
        task.attemptBase(ObjectId.fromString(life.commitBase()));
        if (task.spec().review() && !life.approved().orElse(false)) {
            dispatch.awaitReview(task, null, now);
        } else {
            syncPoint.readyToMerge(task, now);
        }
    }
}
