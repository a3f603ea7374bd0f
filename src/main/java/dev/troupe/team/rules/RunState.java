package dev.troupe.team.rules;

import dev.troupe.goal.Goal;
import dev.troupe.goal.GoalLoader;
import dev.troupe.journal.TaskLife;
import dev.troupe.journal.TeamEvent;
import dev.troupe.journal.Usage;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.lib.ObjectId;

/**
 * The state of a run and the rules that move it, as plain Java: the {@code TeamLead} tells it what happened
 * (an attempt ended, a merge was done or refused, a worker was lost, time passed) and carries out the
 * {@link Decision}s it answers with. It reads no clock (every event brings its {@code now}), touches no file and
 * knows workers by name. The run's {@link RunContext} is read for its fixed facts only; its journal is the lead's.
 */
public final class RunState {

    private final RunContext run;
    /** Every event the rules journal moves the task it is about, as it is decided. */
    private final Decisions out = new Decisions(this::moveTasks);
    private final TaskTable tasks;
    private final Roster roster;
    private final Pace pace;
    private final Accounts accounts;
    private final Budget budget;
    private final Retries retries;
    private final SyncPoint syncPoint;
    private final Dispatch dispatch;
    private final Ending ending;
    private final Rounds rounds;
    private final Planning planning;
    private final Steering steering;
    private final Telling telling;
    private final Variants variants;
    private final Membership membership;

    private void moveTasks(TeamEvent event) {
        tasks.apply(event);
    }

    public RunState(RunContext run) {
        this.run = run;
        Goal goal = run.goal();
        tasks = new TaskTable(goal.tasks(), out);
        roster = new Roster(goal.team().size(), out);
        pace = new Pace(goal.team().stagger(), run.tuning());
        accounts = new Accounts(goal, roster, run.tuning(), out);
        budget = new Budget(goal.limits().budgetUsd(), out);
        retries = new Retries(run, tasks, pace, budget, out);
        syncPoint = new SyncPoint(run, tasks, out);
        variants = new Variants(run, tasks, roster, pace, accounts, budget, retries, out, this::handOn);
        dispatch = new Dispatch(run, tasks, roster, pace, accounts, budget, syncPoint, variants, out);
        ending = new Ending(run, tasks, budget, out);
        rounds = new Rounds(run);
        planning = new Planning(run, tasks, roster, budget, ending, dispatch, rounds, out);
        steering = new Steering(run, tasks, roster, dispatch, ending, out, this::settle);
        telling = new Telling(run, tasks, roster, out, () -> java.util.UUID.randomUUID().toString());
        membership = new Membership(tasks, roster, retries, syncPoint, ending, planning, variants, out, this::settle);
    }

    /**
     * Starts the run, or takes over from a stopped one ({@code resumed}); a goal without tasks is planned first.
     *
     * @param pid this process, for the journal of a resumed run
     */
    public List<Decision> start(Optional<ResumeFrom> resumed, int pid, Instant now) {
        if (resumed.isPresent()) {
            Resumption.restore(resumed.get(), pid, now, run, tasks, budget, dispatch, syncPoint, variants, out);
            rounds.restore(resumed.get().history());
            resumed.get().history().goalMet().ifPresent(met -> ending.goalMet(met.summary()));
        } else {
            Goal goal = run.goal();
            out.journal(new TeamEvent.RunStarted(now, run.runId(), goal.file().toAbsolutePath().normalize().toString(),
                    run.repo().toString(), run.base(), run.startCommit().name(), run.integrationBranch(),
                    goal.team().size(), tasks.ids(), tasks.dependencies(), run.planOnly()));
        }
        if (tasks.isEmpty()) {
            // No tasks in the goal (nor in a plan from before a crash): the planner makes them first.
            planning.begin(1, now);
        } else {
            startTasks(now);
        }
        return out.drain();
    }

    private void startTasks(Instant now) {
        // A task with variants may keep as many workers busy as it has variants.
        long open = tasks.all().stream().filter(t -> !t.isSettled())
                .mapToLong(t -> Math.max(1, t.spec().variants().count())).sum();
        roster.fillIdleTo(Math.min(run.goal().team().size(), open));
        tasks.queueReady(now);
        settle(now);
    }

    /** @param worker the worker's name */
    public List<Decision> attemptSucceeded(String worker, String taskId, int attempt, Assignment.Role role, AttemptResult result,
            Instant now) {
        roster.release(worker);
        if (role != Assignment.Role.PLANNER && tasks.get(taskId).round() != null) {
            return variantEnded(tasks.get(taskId), attempt, role, result, null, 0, Usage.NONE, now);
        }
        if (role != Assignment.Role.PLANNER && tasks.get(taskId).cancelling()) {
            // Finished before the cancel reached its agent: the work is kept, not merged.
            TaskState task = tasks.get(taskId);
            budget.spend(result.costUsd(), now);
            out.add(new Decision.Keep(result.commit(), run.failedBranch(task.spec(), attempt)));
            return steering.cancelled(task, result.costUsd(), result.usage(), now);
        }
        switch (role) {
            case WRITER -> written(worker, tasks.get(taskId), attempt, result, now);
            case REVIEWER -> reviewed(tasks.get(taskId), attempt, result, now);
            case PLANNER -> {
                planning.answered(attempt, result, now);
                settle(now);
            }
            case JUDGE -> throw new IllegalStateException("a judge's answer for a task without variants under way");
        }
        return out.drain();
    }

    /**
     * A variant's writer or the judge ended ({@code result} on success, else {@code reason}); a cancel waits until no
     * agent of the round runs.
     */
    private List<Decision> variantEnded(TaskState task, int attempt, Assignment.Role role, AttemptResult result,
            String reason, double cost, Usage usage, Instant now) {
        if (task.isSettled()) {
            // The run gave up on the task meanwhile (sync.check cannot run): what the agent spent still counts.
            budget.spend(result == null ? cost : result.costUsd(), now);
        } else if (task.cancelling()) {
            variants.cancelledPart(task, attempt, role, result == null ? cost : result.costUsd(),
                    result == null ? usage : result.usage(), now);
        } else if (role == Assignment.Role.JUDGE && result != null) {
            variants.judged(task, result, now);
        } else if (role == Assignment.Role.JUDGE) {
            variants.judgeFailed(task, reason, cost, usage, now);
        } else if (result != null) {
            variants.written(task, attempt, result, now);
        } else {
            variants.failed(task, attempt, reason, cost, usage, now);
        }
        if (task.cancelling() && !task.isSettled() && !variants.anyRunning(task)) {
            // What its variants spent is journaled with each of them; a judge it stopped, with the cancel.
            return steering.cancelled(task, task.round().judgeCostUsd, task.round().judgeUsage, now);
        }
        settle(now);
        return out.drain();
    }

    /** The merger tried a variant's change on the integration head: see {@link Variants#tried}. */
    public List<Decision> tried(String taskId, int attempt, String outcome, Optional<String> problem, Instant now) {
        variants.tried(tasks.get(taskId), attempt, outcome, problem, now);
        settle(now);
        return out.drain();
    }

    private void written(String worker, TaskState task, int attempt, AttemptResult result, Instant now) {
        task.session(result.session().orElse(null), attempt, worker);
        budget.spend(result.costUsd(), now);
        List<String> outside = result.outsideZone();
        if (!outside.isEmpty()) {
            boolean reject = run.goal().sync().zonePolicy() == Goal.ZonePolicy.REJECT;
            out.journal(new TeamEvent.ZoneViolation(now, task.id(), attempt, outside, reject));
            if (reject) {
                out.add(new Decision.Keep(result.commit(), run.failedBranch(task.spec(), attempt)));
                continueSession(task);
                retries.retryOrFail(task, "it changed files outside its zone (" + String.join(", ", task.spec().zone())
                        + "), which are off-limits: " + String.join(", ", outside), result.costUsd(), result.usage(), true,
                        now);
                settle(now);
                return;
            }
        }
        out.journal(new TeamEvent.TaskSucceeded(now, task.id(), attempt, result.branch(), result.commit().name(),
                result.costUsd(), result.usage(), result.turns(), result.durationMs(), result.filesChanged(),
                result.text(), result.permissionDenials()));
        task.pending(result, attempt, worker);
        handOn(task, now);
        settle(now);
    }

    /** A finished attempt (its {@code pending} work) goes to its review, or on its way to the integration branch. */
    private void handOn(TaskState task, Instant now) {
        if (task.spec().review() && budget.isSpent()) {
            dispatch.failUnreviewed(task, now);
        } else if (task.spec().review()) {
            dispatch.awaitReview(task, task.writtenOn(), now);
        } else {
            syncPoint.readyToMerge(task, now);
        }
    }

    private void reviewed(TaskState task, int attempt, AttemptResult review, Instant now) {
        budget.spend(review.costUsd(), now);
        Answers.Verdict verdict = Answers.verdict(review.answer().orElseThrow());
        out.journal(new TeamEvent.ReviewDone(now, task.id(), attempt, verdict.approved(), verdict.comments(),
                review.costUsd(), review.usage()));
        if (verdict.approved()) {
            syncPoint.readyToMerge(task, now);
        } else {
            String keptOn = syncPoint.keepPending(task);
            continueSession(task);
            retries.retryOrFail(task, "the reviewer asked for changes: " + verdict.comments()
                    + " (the change it reviewed is kept on " + keptOn + ")", 0, Usage.NONE, true, now);
        }
        settle(now);
    }

    /**
     * @param rateLimited the API refused it (429) or was overloaded (529), which is no fault of the task
     * @param retryAfterMs how long the agent was told to wait, or negative
     */
    public List<Decision> attemptFailed(String worker, String taskId, int attempt, Assignment.Role role, String reason,
            double cost, Usage usage, boolean rateLimited, long retryAfterMs, Instant now) {
        return attemptFailed(worker, taskId, attempt, role, reason, cost, usage, rateLimited, false, retryAfterMs, now);
    }

    /**
     * @param nodesFault the attempt ended for its worker node's own reason (a bundle it could not take in or hand
     *     back, a node that never answered), no fault of the task: it is free, as a rate limit's is
     */
    public List<Decision> attemptFailed(String worker, String taskId, int attempt, Assignment.Role role, String reason,
            double cost, Usage usage, boolean rateLimited, boolean nodesFault, long retryAfterMs, Instant now) {
        roster.release(worker);
        if (role == Assignment.Role.PLANNER) {
            planning.failed(attempt, reason, cost, usage, now);
            settle(now);
            return out.drain();
        }
        TaskState task = tasks.get(taskId);
        if (task.round() != null && role == Assignment.Role.WRITER && !task.cancelling() && !task.isSettled()
                && retries.takeFreeAttempt(task, rateLimited || nodesFault)) {
            // No fault of the variant: it runs again (once a rate limit's pause is over), as a free attempt would.
            budget.spend(cost, now);
            if (rateLimited) {
                accounts.pauseForRateLimit(worker, retryAfterMs, now);
            }
            // Free: its relaunch is one more agent run of the same round, the same try of the task.
            task.relaunchedFree();
            variants.notStarted(task, attempt, cost, usage);
            settle(now);
            return out.drain();
        }
        if (task.round() != null) {
            return variantEnded(task, attempt, role, null, reason, cost, usage, now);
        }
        if (role == Assignment.Role.REVIEWER) {
            // Only approved work merges: without a verdict, the task is tried again.
            reason = "its review did not finish (" + reason + "; the change is kept on " + syncPoint.keepPending(task) + ")";
        }
        budget.spend(cost, now);
        if (task.cancelling()) {
            return steering.cancelled(task, cost, usage, now);
        }
        boolean free = retries.takeFreeAttempt(task, rateLimited || nodesFault);
        if (free && rateLimited) {
            accounts.pauseForRateLimit(worker, retryAfterMs, now);
        }
        retries.retryOrFail(task, reason, cost, usage, !free, now);
        settle(now);
        return out.drain();
    }

    /** The worker's workspace could not be set up for the attempt: see {@link Membership#setupFailed}. */
    public List<Decision> setupFailed(String worker, String taskId, int attempt, Assignment.Role role, String reason,
            Instant now) {
        membership.setupFailed(worker, taskId, attempt, role, reason, now);
        return out.drain();
    }

    /**
     * The worker's agent's CLI is waiting {@code delayMs} (negative: it did not say how long) on a rate limit or
     * overload: its account's launches wait too.
     */
    public List<Decision> apiPressure(String worker, String error, long delayMs, Instant now) {
        accounts.apiPressure(worker, error, delayMs, now);
        return out.drain();
    }

    public List<Decision> merged(String taskId, ObjectId mergeCommit, Instant now) {
        dispatch.merged(mergeCommit);
        out.journal(new TeamEvent.MergeDone(now, taskId, mergeCommit.name(), run.integrationBranch()));
        tasks.get(taskId).mergedIn();
        telling.handOff(tasks.get(taskId), now);
        tasks.queueReady(now);
        settle(now);
        return out.drain();
    }

    public List<Decision> mergeConflicted(String taskId, List<String> paths, Instant now) {
        TaskState task = tasks.get(taskId);
        out.journal(new TeamEvent.MergeConflict(now, taskId, paths));
        continueSession(task);
        // The next attempt starts on the new integration head, which holds the work it conflicted with.
        return retry(task, "merge conflict in " + String.join(", ", paths) + tasks.clashingWork(task, paths), now);
    }

    /** The merged result did not pass {@code sync.check}; the next attempt is told its output through the reason. */
    public List<Decision> checkFailed(String taskId, String output, Instant now) {
        continueSession(tasks.get(taskId));
        return retry(tasks.get(taskId), "the check failed on the merged result: " + output, now);
    }

    /**
     * The check's workspace could not be set up: no merge can pass, so the run winds down (exit 1) instead of
     * failing every task in turn: the task fails with the reason, its change kept on its branch; nothing new is
     * launched; what is running finishes and meets the same fate.
     */
    public List<Decision> checkCannotRun(String taskId, String reason, Instant now) {
        String why = "sync.check cannot run, so no merge can be checked: " + reason;
        dispatch.halt(why);
        ending.windDown(why);
        TaskState task = tasks.get(taskId);
        if (!task.isSettled()) {
            tasks.fail(task, why, now);
        }
        settle(now);
        return out.drain();
    }

    /** {@code troupe cancel}: see {@link Steering#cancel}. */
    public Steering.Answer cancel(String taskId, Instant now) {
        return steering.cancel(taskId, now);
    }

    /** {@code troupe add}: see {@link Steering#add}. */
    public Steering.Answer add(List<Goal.TaskSpec> specs, Path goalFile, Instant now) {
        return steering.add(specs, goalFile, now);
    }

    /** {@code troupe tell}: see {@link Telling#tell}. */
    public Telling.Answer tell(String taskId, String message, boolean redirect, Instant now) {
        return telling.tell(taskId, message, redirect, now);
    }

    /** A running agent took in a message: see {@link Telling#heard}. */
    public List<Decision> messageHeard(String worker, String taskId, int attempt, String id, boolean ownTurn,
            Instant now) {
        return telling.heard(worker, taskId, attempt, id, ownTurn, now);
    }

    /** {@code troupe stop}: see {@link Steering#stop}. */
    public List<Decision> stop(Instant now) {
        return steering.stop(now);
    }

    /** Tasks whose attempt is under way or whose work is on its way in. */
    public int inFlight() {
        return steering.inFlight();
    }

    public List<Decision> mergeFailed(String taskId, String reason, Instant now) {
        return retry(tasks.get(taskId), "merge failed: " + reason, now);
    }

    private List<Decision> retry(TaskState task, String reason, Instant now) {
        retries.retryOrFail(task, reason, 0, Usage.NONE, true, now);
        settle(now);
        return out.drain();
    }

    /**
     * The task's work did not make it in, but its agent did what it was asked: with {@code retry: resume}, the next
     * attempt continues that agent's session, told why (on the worker whose workspace holds the session).
     */
    private void continueSession(TaskState task) {
        task.continueSession(task.session() != null && task.writtenOn() != null
                && task.spec().retry() == Goal.Retry.RESUME);
    }

    /** A node of the cluster offers {@code slots} workers: see {@link Membership#nodeJoined}. */
    public List<Decision> nodeJoined(String node, String address, int slots, Instant now) {
        membership.nodeJoined(node, address, slots, now);
        return out.drain();
    }

    /** A worker stopped: see {@link Membership#workerLost}. */
    public List<Decision> workerLost(String worker, Instant now) {
        membership.workerLost(worker, now);
        return out.drain();
    }

    /** The time a {@link Decision.WakeAt} asked for has come. */
    public List<Decision> tick(Instant now) {
        settle(now);
        return out.drain();
    }

    /**
     * The planner's answer read as a goal file: {@code planned}, its tasks, when it could be (now in {@code file}),
     * else {@code problem}.
     */
    public List<Decision> planChecked(int attempt, AttemptResult answer, List<Goal.TaskSpec> planned, Path file,
            String problem, Instant now) {
        if (planning.checked(attempt, answer, planned, file, problem, now)) {
            startTasks(now);
        } else {
            settle(now);
        }
        return out.drain();
    }

    /**
     * Launches what may start now, and ends the run once every task is settled, unless another round is planned
     * (planning in rounds).
     */
    private void settle(Instant now) {
        if (!ending.isOver() && planning.betweenRounds(now)) {
            return;
        }
        ending.finishIfSettled(now);
        if (!ending.isOver() && !tasks.isEmpty()) {
            dispatch.run(now);
            ending.finishIfSettled(now);
        }
    }
}
