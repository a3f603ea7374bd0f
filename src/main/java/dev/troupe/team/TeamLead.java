package dev.troupe.team;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import dev.troupe.git.CheckRunner;
import dev.troupe.git.IntegrationBranch;
import dev.troupe.goal.Goal;
import dev.troupe.goal.GoalLoader;
import dev.troupe.goal.PlannedGoal;
import dev.troupe.goal.Zones;
import dev.troupe.journal.Money;
import dev.troupe.journal.RunHistory;
import dev.troupe.journal.RunOutcome;
import dev.troupe.journal.TeamEvent;
import dev.troupe.journal.Usage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns a run: keeps the task graph, hands ready tasks (all of whose {@code after} tasks are merged) to idle
 * workers with {@code team.stagger} between launches, sends finished work to the {@link Merger}, and ends the
 * run when every task is merged, failed or skipped. A failed attempt (agent failure, conflict, a dead worker)
 * goes back to the queue with exponential backoff and to a worker that has not tried it yet, until
 * {@code limits.attempts} is spent; then the task fails and its dependents are skipped, never run on a base
 * that lacks it. Rate limits pause all launches instead of burning attempts; once {@code limits.budget-usd}
 * is spent no attempt starts.
 */
public final class TeamLead extends AbstractBehavior<TeamLead.Command> {

    public sealed interface Command {}

    /** {@code role}: whose run it was: the task's writer, its reviewer, or the planner. */
    public record AttemptSucceeded(ActorRef<Worker.Command> worker, String taskId, int attempt, Assignment.Role role,
            AttemptResult result) implements Command {}

    /**
     * {@code costUsd} and {@code usage}: what the failed attempt spent, as far as the agent reported it.
     * {@code rateLimited}: the API refused it (429) or was overloaded (529), which is no fault of the task.
     */
    public record AttemptFailed(ActorRef<Worker.Command> worker, String taskId, int attempt, Assignment.Role role,
            String reason, double costUsd, Usage usage, boolean rateLimited, long retryAfterMs) implements Command {}

    /** An agent's CLI is waiting {@code delayMs} on a rate limit or overload: hold the other launches too. */
    public record ApiPressure(String error, long delayMs) implements Command {}

    public record Merged(String taskId, ObjectId mergeCommit) implements Command {}

    public record MergeConflicted(String taskId, List<String> paths) implements Command {}

    public record MergeFailed(String taskId, String reason) implements Command {}

    /** The merged result did not pass {@code sync.check}: the branch did not move. */
    public record CheckFailed(String taskId, String output) implements Command {}

    private record DispatchTick() implements Command {}

    /** The planner's answer, checked as a goal file: {@code planned} when it passed, else {@code problem}. */
    private record PlanChecked(int attempt, AttemptResult answer, Goal planned, String problem) implements Command {}

    private record WorkerStopped(ActorRef<Worker.Command> worker) implements Command {}

    /** REVIEWING: its change is with a reviewer. HELD: done, waiting for the next sync point ({@code sync.merge: end}). */
    private enum Status { WAITING, QUEUED, RUNNING, REVIEWING, HELD, MERGING, MERGED, FAILED, SKIPPED }

    private static final class TaskState {
        final Goal.TaskSpec spec;
        Status status = Status.WAITING;
        /** Attempts started. */
        int attempts;
        /** Attempts that ended on a rate limit and were not counted against the limit. */
        int freeAttempts;
        final Set<String> triedBy = new HashSet<>();
        Instant notBefore = Instant.MIN;
        /** What the last successful attempt reported, changed and took (restored from the journal on resume). */
        String resultText = "";
        List<String> filesChanged = List.of();
        long durationMs;
        double costUsd;
        Usage usage = Usage.NONE;
        ObjectId mergeCommit;
        String reason = "";
        /** The integration head the current attempt started from. */
        ObjectId attemptBase;
        /** The finished attempt on its way to the integration branch (through review, a sync point, the merger). */
        AttemptResult pending;
        int pendingAttempt;
        /** The worker whose worktree holds the pending change: its reviewer starts there when it is free. */
        ActorRef<Worker.Command> writtenOn;

        TaskState(Goal.TaskSpec spec) {
            this.spec = spec;
        }

        int countedAttempts() {
            return attempts - freeAttempts;
        }

        void spent(double cost, Usage tokens) {
            costUsd += cost;
            usage = usage.plus(tokens);
        }

        boolean isSettled() {
            return status == Status.MERGED || status == Status.FAILED || status == Status.SKIPPED;
        }

        /** Started and not merged yet: its change may still touch its zone's files. */
        boolean hasWorkInFlight() {
            return status == Status.RUNNING || status == Status.REVIEWING || status == Status.HELD || status == Status.MERGING;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(TeamLead.class);

    private final RunContext run;
    private final ActorRef<RunOutcome> replyTo;
    private final TimerScheduler<Command> timers;
    private final ActorRef<Merger.Command> merger;
    private final Map<String, TaskState> tasks = new LinkedHashMap<>();
    /** Queued tasks in the order they became ready; each may still have to wait for its backoff. */
    private final Set<String> ready = new LinkedHashSet<>();
    /** REVIEWING tasks whose reviewer has not started yet (the team is paused, or no worker is idle). */
    private final Set<String> awaitingReview = new LinkedHashSet<>();
    private final Set<ActorRef<Worker.Command>> idleWorkers = new LinkedHashSet<>();
    private final Map<ActorRef<Worker.Command>, String> busyWorkers = new HashMap<>();
    private ObjectId integrationHead;
    private Instant lastLaunch = Instant.MIN;
    private Instant pausedUntil = Instant.MIN;
    private double spentUsd;
    private boolean budgetSpent;
    private int workersSpawned;
    private boolean finished;
    /** Attempts the planner has had; it gets two. */
    private int planAttempts;

    private final Optional<ResumeFrom> resumed;

    private TeamLead(ActorContext<Command> context, TimerScheduler<Command> timers, RunContext run,
            Repository repo, Optional<ResumeFrom> resumed, ActorRef<RunOutcome> replyTo) {
        super(context);
        this.timers = timers;
        this.run = run;
        this.replyTo = replyTo;
        this.resumed = resumed;
        this.integrationHead = run.startCommit();
        IntegrationBranch.Check check = run.goal().sync().check()
                .<IntegrationBranch.Check>map(command -> new CheckRunner(run.repo(), run.worktrees().resolve("check"),
                        command, run.goal().limits().taskTimeout()))
                .orElse(mergeCommit -> Optional.empty());
        this.merger = context.spawn(Merger.create(repo, run.integrationBranch(), check, run.blocking(),
                run.tuning().mergeRetries()), "merger");
        // Without its merger a run could never settle: if it stops, the lead fails too (and the run ends, exit 3).
        context.watch(merger);
        run.goal().tasks().forEach(spec -> tasks.put(spec.id(), new TaskState(spec)));
    }

    /**
     * @param repo the target repository, handed to the merger, which closes it
     * @param replyTo told once, when the run is over and its last event is journaled
     */
    public static Behavior<Command> create(RunContext run, Repository repo, ActorRef<RunOutcome> replyTo) {
        return create(run, repo, Optional.empty(), replyTo);
    }

    /** @param resumed the state of a run that stopped, for {@code troupe resume} */
    public static Behavior<Command> create(RunContext run, Repository repo, Optional<ResumeFrom> resumed,
            ActorRef<RunOutcome> replyTo) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            TeamLead lead = new TeamLead(context, timers, run, repo, resumed, replyTo);
            lead.start();
            return lead;
        }));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(AttemptSucceeded.class, this::onAttemptSucceeded)
                .onMessage(AttemptFailed.class, this::onAttemptFailed)
                .onMessage(ApiPressure.class, this::onApiPressure)
                .onMessage(Merged.class, this::onMerged)
                .onMessage(MergeConflicted.class, this::onMergeConflicted)
                .onMessage(MergeFailed.class, this::onMergeFailed)
                .onMessage(CheckFailed.class, this::onCheckFailed)
                .onMessage(DispatchTick.class, tick -> dispatch())
                .onMessage(PlanChecked.class, this::onPlanChecked)
                .onMessage(WorkerStopped.class, this::onWorkerStopped)
                .build();
    }

    private void start() {
        Goal goal = run.goal();
        if (resumed.isPresent()) {
            restore(resumed.get());
        } else {
            record(new TeamEvent.RunStarted(Instant.now(), run.runId(), goal.file().toAbsolutePath().toString(), run.repo().toString(),
                    run.base(), run.startCommit().name(), run.integrationBranch(), goal.team().size(),
                    List.copyOf(tasks.keySet()), dependencies(), run.planOnly()));
        }
        if (tasks.isEmpty()) {
            // No tasks in the goal (nor in a plan from before a crash): the planner makes them first. Plans refused
            // before a stop count; an attempt the stop cut short does not.
            planAttempts = resumed.map(from -> from.history().planRefusals()).orElse(0);
            String problem = resumed.flatMap(from -> from.history().lastPlanProblem()).orElse(null);
            if (planAttempts >= 2) {
                finish(new RunOutcome(run.runId(), run.integrationBranch(), List.of(), spentUsd, Usage.NONE, 2, false,
                        run.planOnly(), Optional.ofNullable(problem)));
            } else {
                assignPlanner(problem);
            }
            return;
        }
        startTasks();
    }

    private void startTasks() {
        Goal goal = run.goal();
        long open = tasks.values().stream().filter(t -> !t.isSettled()).count();
        // The planner's worker, when there was one, is part of the team already.
        for (long i = idleWorkers.size(); i < Math.min(goal.team().size(), open); i++) {
            idleWorkers.add(spawnWorker());
        }
        tasks.values().stream()
                .filter(t -> t.status == Status.WAITING)
                .filter(t -> t.spec.waitsFor().stream().allMatch(id -> tasks.get(id).status == Status.MERGED))
                .forEach(this::enqueue);
        finishIfSettled();
        dispatch();
    }

    /**
     * Takes over from a run that stopped: merged is what the integration branch holds, failed and skipped what
     * the journal says; a finished attempt whose commit is still there goes on to its review, sync point or
     * merge; everything else (queued, or cut off mid-attempt) is open again. An attempt the crash cut short does
     * not count against the task.
     */
    private void restore(ResumeFrom from) {
        for (TaskState task : tasks.values()) {
            RunHistory.Task past = from.history().tasks().get(task.spec.id());
            if (past != null) {
                boolean cutShort = past.state().attemptUnderWay() && !from.finished().contains(task.spec.id());
                task.attempts = past.attempts();
                task.freeAttempts = past.uncountedAttempts() + (cutShort ? 1 : 0);
                task.costUsd = past.costUsd();
                task.usage = past.usage();
                task.reason = past.reason();
                task.resultText = past.resultText();
                task.filesChanged = past.filesChanged();
                task.durationMs = past.durationMs();
            }
            ObjectId merge = from.merged().get(task.spec.id());
            if (merge != null) {
                task.status = Status.MERGED;
                task.mergeCommit = merge;
                task.reason = "";
            } else if (past != null && past.state() == RunHistory.State.FAILED) {
                task.status = Status.FAILED;
            } else if (past != null && past.state() == RunHistory.State.SKIPPED) {
                task.status = Status.SKIPPED;
            }
        }
        record(new TeamEvent.RunResumed(Instant.now(), run.runId(), (int) ProcessHandle.current().pid(),
                List.copyOf(from.merged().keySet()), from.killed()));
        for (TaskState task : tasks.values()) {
            RunHistory.Task past = from.history().tasks().get(task.spec.id());
            RunHistory.State was = past == null ? RunHistory.State.WAITING : past.state();
            if (task.status == Status.MERGED && was != RunHistory.State.MERGED) {
                // Merged just before the crash, before the journal heard of it: say so now, for status and resume.
                record(new TeamEvent.MergeDone(Instant.now(), task.spec.id(), task.mergeCommit.name(), run.integrationBranch()));
            } else if (task.status != Status.MERGED && from.finished().contains(task.spec.id())) {
                goOnWithFinished(task, past);
            } else if (task.status != Status.MERGED && was.attemptUnderWay()) {
                // Journaled as uncounted, so that a later resume does not count it either.
                record(new TeamEvent.AttemptFailed(Instant.now(), task.spec.id(), task.attempts,
                        "interrupted: troupe stopped during the attempt", 0, Usage.NONE, 0, false));
            }
        }
        for (TaskState task : tasks.values()) {
            if (task.status == Status.WAITING && task.spec.waitsFor().stream()
                    .anyMatch(id -> tasks.get(id).status == Status.FAILED || tasks.get(id).status == Status.SKIPPED)) {
                skip(task, "comes after a task that did not merge");
            }
        }
        // Everything the run spent before, the planner's share included.
        spentUsd = from.history().costUsd();
        budgetSpent = run.goal().limits().budgetUsd().map(budget -> spentUsd >= budget).orElse(false);
    }

    /** Its writer finished before the stop and its commit is still on its branch: no need to pay for it again. */
    private void goOnWithFinished(TaskState task, RunHistory.Task past) {
        // Its zone was judged when it finished (before task-succeeded was journaled): no files are outside it now.
        task.pending = new AttemptResult(run.taskBranch(task.spec), ObjectId.fromString(past.commit()), 0, Usage.NONE, 0,
                past.durationMs(), past.filesChanged(), List.of(), past.resultText(), 0, Optional.empty());
        task.pendingAttempt = past.commitAttempt();
        task.attemptBase = ObjectId.fromString(past.commitBase());
        if (task.spec.review() && !past.approved().orElse(false)) {
            awaitReview(task, null);
        } else {
            readyToMerge(task);
        }
    }

    private Map<String, List<String>> dependencies() {
        Map<String, List<String>> after = new LinkedHashMap<>();
        tasks.values().stream().filter(t -> !t.spec.after().isEmpty()).forEach(t -> after.put(t.spec.id(), t.spec.after()));
        return after;
    }

    private ActorRef<Worker.Command> spawnWorker() {
        String name = "worker-" + (++workersSpawned);
        ActorRef<Worker.Command> worker = getContext().spawn(Worker.create(run, name), name);
        getContext().watchWith(worker, new WorkerStopped(worker));
        return worker;
    }

    private void enqueue(TaskState task) {
        task.status = Status.QUEUED;
        ready.add(task.spec.id());
        record(new TeamEvent.TaskQueued(Instant.now(), task.spec.id()));
    }

    /**
     * Hands queued tasks to idle workers, in queue order, with {@code team.stagger} between two launches and
     * none while the team is paused or a task's backoff runs. Wakes itself when the next one may go.
     */
    private Behavior<Command> dispatch() {
        if (finished || tasks.isEmpty()) {
            // Over, or still planning.
            return Behaviors.same();
        }
        if (budgetSpent) {
            List.copyOf(awaitingReview).forEach(id -> failUnreviewed(tasks.get(id)));
            skipQueuedForBudget();
        } else {
            launchReady();
        }
        mergeHeldIfIdle();
        return Behaviors.same();
    }

    /** Reviews first (their work is done but for the verdict), then queued tasks; each launch as the pause allows. */
    private void launchReady() {
        Instant wake = launchReviews();
        Iterator<String> queue = wake == null ? ready.iterator() : java.util.Collections.emptyIterator();
        while (queue.hasNext() && !idleWorkers.isEmpty()) {
            Instant now = Instant.now();
            Instant allowed = nextLaunchAllowed();
            if (now.isBefore(allowed)) {
                wake = allowed;
                break;
            }
            TaskState task = tasks.get(queue.next());
            if (now.isBefore(task.notBefore)) {
                wake = wake == null || task.notBefore.isBefore(wake) ? task.notBefore : wake;
                continue;
            }
            if (zoneTaken(task)) {
                // Waits for the task that owns those files; dispatched again when that one settles.
                continue;
            }
            ActorRef<Worker.Command> worker = workerFor(task);
            if (worker != null) {
                queue.remove();
                assign(task, worker, now);
                lastLaunch = now;
            }
        }
        if (wake != null) {
            timers.startSingleTimer(DispatchTick.class, new DispatchTick(), Duration.between(Instant.now(), wake));
        }
    }

    /** @return when to try again, if the pause or the stagger holds a review back */
    private Instant launchReviews() {
        Iterator<String> reviews = awaitingReview.iterator();
        while (reviews.hasNext() && !idleWorkers.isEmpty()) {
            Instant now = Instant.now();
            if (now.isBefore(nextLaunchAllowed())) {
                return nextLaunchAllowed();
            }
            TaskState task = tasks.get(reviews.next());
            reviews.remove();
            review(task, idleWorkers.contains(task.writtenOn) ? task.writtenOn : idleWorkers.iterator().next());
            lastLaunch = now;
        }
        return null;
    }

    /**
     * Another task whose zone may overlap this one's has work in flight: running, in review, or finished but not
     * merged yet (its change would conflict with this one's).
     */
    private boolean zoneTaken(TaskState task) {
        return !task.spec.zone().isEmpty() && tasks.values().stream()
                .filter(other -> other != task && other.hasWorkInFlight())
                .anyMatch(other -> Zones.overlap(task.spec.zone(), other.spec.zone()));
    }

    /**
     * The sync point of {@code sync.merge: end}: once nothing runs, is reviewed or merges, and nothing queued could
     * start (only tasks whose zone a held one owns are left, or none), every held task goes to the merger in
     * goal order. Held tasks never depend on one another: a dependent starts only after its dependencies merged.
     */
    private void mergeHeldIfIdle() {
        if (run.goal().sync().merge() != Goal.MergePolicy.END) {
            return;
        }
        boolean busy = tasks.values().stream().anyMatch(t -> t.hasWorkInFlight() && t.status != Status.HELD);
        boolean couldStart = ready.stream().map(tasks::get).anyMatch(t -> !zoneTaken(t));
        if (busy || couldStart || tasks.values().stream().noneMatch(t -> t.status == Status.HELD)) {
            return;
        }
        tasks.values().stream().filter(t -> t.status == Status.HELD).forEach(this::merge);
    }

    /** Not while the team is paused, nor sooner than {@code team.stagger} after the last launch. */
    private Instant nextLaunchAllowed() {
        return later(pausedUntil, lastLaunch == Instant.MIN ? Instant.MIN : lastLaunch.plus(run.goal().team().stagger()));
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    /**
     * An idle worker that has not tried this task yet (a new one while the team is smaller than
     * {@code team.size}); otherwise any idle worker, rather than keeping the task waiting for a busy one.
     */
    private ActorRef<Worker.Command> workerFor(TaskState task) {
        for (ActorRef<Worker.Command> worker : idleWorkers) {
            if (!task.triedBy.contains(worker.path().name())) {
                return worker;
            }
        }
        if (!task.triedBy.isEmpty() && idleWorkers.size() + busyWorkers.size() < run.goal().team().size()) {
            ActorRef<Worker.Command> fresh = spawnWorker();
            idleWorkers.add(fresh);
            return fresh;
        }
        return idleWorkers.isEmpty() ? null : idleWorkers.iterator().next();
    }

    /** @param now the launch time, the same the stagger is counted from */
    private void assign(TaskState task, ActorRef<Worker.Command> worker, Instant now) {
        task.status = Status.RUNNING;
        task.attempts++;
        task.attemptBase = integrationHead;
        task.triedBy.add(worker.path().name());
        String branch = run.taskBranch(task.spec);
        idleWorkers.remove(worker);
        busyWorkers.put(worker, task.spec.id());
        List<Prompts.Handoff> after = task.spec.after().stream().map(tasks::get)
                .map(dep -> new Prompts.Handoff(dep.spec.id(), dep.resultText, dep.filesChanged, run.resultFile(dep.spec)))
                .toList();
        String prompt = Prompts.prompt(task.spec, after, task.attempts > 1 && !task.reason.isEmpty() ? task.reason : null);
        Worker.Assign assign = new Worker.Assign(new Assignment(task.spec, task.attempts, branch, integrationHead,
                prompt), getContext().getSelf());
        // On disk before the agent starts, so a crash never leaves an attempt the journal does not know of.
        run.journal().appendDurably(new TeamEvent.TaskAssigned(now, task.spec.id(), task.attempts,
                        worker.path().name(), branch, integrationHead.name()))
                .whenComplete((written, failure) -> {
                    if (failure != null) {
                        LOG.error("the journal could not record an assignment; it goes ahead", failure);
                    }
                    worker.tell(assign);
                });
    }

    private Behavior<Command> onAttemptSucceeded(AttemptSucceeded done) {
        release(done.worker());
        return switch (done.role()) {
            case WRITER -> onWritten(done);
            case REVIEWER -> onReviewed(done);
            case PLANNER -> onPlanned(done);
        };
    }

    private Behavior<Command> onWritten(AttemptSucceeded done) {
        TaskState task = tasks.get(done.taskId());
        AttemptResult result = done.result();
        task.resultText = result.text();
        task.filesChanged = result.filesChanged();
        task.durationMs = result.durationMs();
        spend(task, result.costUsd(), result.usage());
        List<String> outside = result.outsideZone();
        if (!outside.isEmpty()) {
            boolean reject = run.goal().sync().zonePolicy() == Goal.ZonePolicy.REJECT;
            record(new TeamEvent.ZoneViolation(Instant.now(), task.spec.id(), done.attempt(), outside, reject));
            if (reject) {
                merger.tell(new Merger.Keep(result.commit(), run.failedBranch(task.spec, done.attempt())));
                retryOrFail(task, "it changed files outside its zone (" + String.join(", ", task.spec.zone())
                        + "), which are off-limits: " + String.join(", ", outside), 0, Usage.NONE, true);
                return dispatch();
            }
        }
        record(new TeamEvent.TaskSucceeded(Instant.now(), task.spec.id(), done.attempt(), result.branch(),
                result.commit().name(), result.costUsd(), result.usage(), result.turns(), result.durationMs(),
                result.filesChanged(), result.text(), result.permissionDenials()));
        task.pending = result;
        task.pendingAttempt = done.attempt();
        if (task.spec.review() && budgetSpent) {
            failUnreviewed(task);
        } else if (task.spec.review()) {
            awaitReview(task, done.worker());
        } else {
            readyToMerge(task);
        }
        return dispatch();
    }

    private void failUnreviewed(TaskState task) {
        String keptOn = keepPending(task);
        record(new TeamEvent.AttemptFailed(Instant.now(), task.spec.id(), task.pendingAttempt, "its review did not start:"
                + " the budget is spent (the change is kept on " + keptOn + ")", 0, Usage.NONE, -1, true));
        fail(task, "done, but the budget was spent before its review; the change is kept on " + keptOn);
    }

    /** Its reviewer is launched like any agent: not while the team is paused. {@code writtenOn}: null if unknown. */
    private void awaitReview(TaskState task, ActorRef<Worker.Command> writtenOn) {
        task.status = Status.REVIEWING;
        task.writtenOn = writtenOn;
        awaitingReview.add(task.spec.id());
    }

    /**
     * A fresh agent reviews the change, read-only, preferably in the worktree of the worker that wrote it (which
     * holds the change already, so the checkout costs nothing).
     */
    private void review(TaskState task, ActorRef<Worker.Command> worker) {
        task.status = Status.REVIEWING;
        idleWorkers.remove(worker);
        busyWorkers.put(worker, task.spec.id());
        Assignment review = new Assignment(task.spec.readOnly(), task.pendingAttempt, "", task.pending.commit(),
                Prompts.review(task.spec, task.pendingAttempt, task.pending.text(), task.pending.filesChanged()),
                Assignment.Role.REVIEWER, Optional.of(task.attemptBase));
        record(new TeamEvent.ReviewStarted(Instant.now(), task.spec.id(), task.pendingAttempt, worker.path().name()));
        worker.tell(new Worker.Assign(review, getContext().getSelf()));
    }

    private Behavior<Command> onReviewed(AttemptSucceeded done) {
        TaskState task = tasks.get(done.taskId());
        AttemptResult review = done.result();
        spend(task, review.costUsd(), review.usage());
        Answers.Verdict verdict = Answers.verdict(review.answer().orElseThrow());
        record(new TeamEvent.ReviewDone(Instant.now(), task.spec.id(), done.attempt(), verdict.approved(),
                verdict.comments(), review.costUsd(), review.usage()));
        if (verdict.approved()) {
            readyToMerge(task);
        } else {
            String keptOn = keepPending(task);
            retryOrFail(task, "the reviewer asked for changes: " + verdict.comments() + " (the change it reviewed is kept on "
                    + keptOn + ")", 0, Usage.NONE, true);
        }
        return dispatch();
    }

    /** Keeps a finished attempt that will not merge on its failed-work branch; returns the branch. */
    private String keepPending(TaskState task) {
        String branch = run.failedBranch(task.spec, task.pendingAttempt);
        merger.tell(new Merger.Keep(task.pending.commit(), branch));
        return branch;
    }

    /** Merges now ({@code sync.merge: each}), or holds the task for the next sync point ({@code end}). */
    private void readyToMerge(TaskState task) {
        if (run.goal().sync().merge() == Goal.MergePolicy.END) {
            task.status = Status.HELD;
        } else {
            merge(task);
        }
    }

    private void merge(TaskState task) {
        task.status = Status.MERGING;
        merger.tell(new Merger.Merge(task.spec.id(), task.pending.commit(), mergeMessage(task),
                run.failedBranch(task.spec, task.pendingAttempt), getContext().getSelf()));
    }

    /** Asks the planner for the tasks; {@code problems}: why its last plan was refused. */
    private void assignPlanner(String problems) {
        planAttempts++;
        ActorRef<Worker.Command> worker = idleWorkers.isEmpty() ? spawnWorker() : idleWorkers.iterator().next();
        idleWorkers.remove(worker);
        busyWorkers.put(worker, GoalLoader.RESERVED_ID);
        Goal.TaskSpec planner = new Goal.TaskSpec(GoalLoader.RESERVED_ID, "planner",
                Prompts.plan(run.goal().text(), run.goal().team().size(), problems), List.of(), Optional.empty()).readOnly();
        record(new TeamEvent.PlanStarted(Instant.now(), planAttempts, worker.path().name()));
        worker.tell(new Worker.Assign(new Assignment(planner, planAttempts, "", integrationHead, planner.prompt(),
                Assignment.Role.PLANNER, Optional.empty()), getContext().getSelf()));
    }

    /** Checks the plan as a goal file, off the actor: it is written to the run directory and read back. */
    private Behavior<Command> onPlanned(AttemptSucceeded done) {
        spend(null, done.result().costUsd(), done.result().usage());
        int attempt = done.attempt();
        Path file = run.runDir().resolve("planner").resolve("plan-" + attempt + ".yaml");
        GoalLoader loader = new GoalLoader(getContext().getSystem().settings().config());
        getContext().pipeToSelf(Blocking.call(run.blocking(), () -> {
            Files.createDirectories(file.getParent());
            Goal planned = PlannedGoal.write(loader, run.goalCopy(), done.result().answer().orElseThrow(), file,
                    run.goal().file().toAbsolutePath().getParent());
            if (!planned.tasks().isEmpty()) {
                Files.copy(file, run.runDir().resolve(RunContext.PLANNED_GOAL), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            return planned;
        }), (planned, failure) -> new PlanChecked(attempt, done.result(), planned,
                failure == null ? null : Blocking.describe(failure)));
        return Behaviors.same();
    }

    private Behavior<Command> onPlanChecked(PlanChecked checked) {
        AttemptResult answer = checked.answer();
        if (checked.problem() != null || checked.planned().tasks().isEmpty()) {
            return planRejected(checked.attempt(), checked.problem() != null ? checked.problem() : "the plan has no tasks",
                    answer.costUsd(), answer.usage());
        }
        Goal planned = checked.planned();
        Path plan = run.runDir().resolve(RunContext.PLANNED_GOAL);
        planned.tasks().forEach(spec -> tasks.put(spec.id(), new TaskState(spec)));
        // On disk before any task starts: a resume reads the plan, never plans again.
        run.journal().appendDurably(new TeamEvent.PlanMade(Instant.now(), checked.attempt(), List.copyOf(tasks.keySet()),
                dependencies(), plan.toString(), answer.costUsd(), answer.usage()));
        if (run.planOnly()) {
            finish(new RunOutcome(run.runId(), run.integrationBranch(), List.of(), spentUsd, answer.usage(), 0, false,
                    true, Optional.empty()));
            return Behaviors.same();
        }
        startTasks();
        return Behaviors.same();
    }

    /** A second try with the problem in the prompt; after that the run stops, exit 2, nothing merged. */
    private Behavior<Command> planRejected(int attempt, String problem, double cost, Usage usage) {
        boolean retrying = attempt < 2 && !budgetSpent;
        if (attempt < 2 && budgetSpent) {
            problem += "; the budget (limits.budget-usd) is spent, so the planner is not asked again";
        }
        record(new TeamEvent.PlanRejected(Instant.now(), attempt, problem, cost, usage, retrying));
        if (retrying) {
            assignPlanner(problem);
        } else {
            finish(new RunOutcome(run.runId(), run.integrationBranch(), List.of(), spentUsd, Usage.NONE, 2, false,
                    run.planOnly(), Optional.of(problem)));
        }
        return Behaviors.same();
    }

    private String mergeMessage(TaskState task) {
        String title = task.spec.prompt().strip().lines().findFirst().orElse("");
        if (title.length() > 60) {
            title = title.substring(0, 57) + "...";
        }
        return "troupe: merge task " + task.spec.id() + "\n\n" + title + "\n\nTroupe-Run: " + run.runId()
                + "\nTroupe-Task: " + task.spec.id() + "\n";
    }

    private Behavior<Command> onAttemptFailed(AttemptFailed failed) {
        release(failed.worker());
        if (failed.role() == Assignment.Role.PLANNER) {
            spend(null, failed.costUsd(), failed.usage());
            return planRejected(failed.attempt(), "the planner failed: " + failed.reason(), failed.costUsd(), failed.usage());
        }
        TaskState task = tasks.get(failed.taskId());
        String reason = failed.reason();
        if (failed.role() == Assignment.Role.REVIEWER) {
            // Only approved work merges: without a verdict, the task is tried again.
            reason = "its review did not finish (" + reason + "; the change is kept on " + keepPending(task) + ")";
        }
        spend(task, failed.costUsd(), failed.usage());
        boolean free = failed.rateLimited() && task.freeAttempts < run.tuning().rateLimitedAttemptsFree();
        if (free) {
            task.freeAttempts++;
            Duration wait = failed.retryAfterMs() >= 0 ? Duration.ofMillis(failed.retryAfterMs()) : run.tuning().rateLimitPause();
            pause(Instant.now().plus(wait), "an attempt ended on a rate limit or overload");
        }
        retryOrFail(task, reason, failed.costUsd(), failed.usage(), !free);
        return dispatch();
    }

    private Behavior<Command> onApiPressure(ApiPressure pressure) {
        pause(Instant.now().plusMillis(pressure.delayMs()), "the API answered " + pressure.error());
        return Behaviors.same();
    }

    private void pause(Instant until, String reason) {
        if (until.isAfter(pausedUntil)) {
            pausedUntil = until;
            record(new TeamEvent.TeamPaused(Instant.now(), until, reason));
        }
    }

    /** @param task null for the planner, whose spend is the run's */
    private void spend(TaskState task, double cost, Usage usage) {
        if (task != null) {
            task.spent(cost, usage);
        }
        spentUsd += cost;
        if (!budgetSpent && run.goal().limits().budgetUsd().map(budget -> spentUsd >= budget).orElse(false)) {
            budgetSpent = true;
            record(new TeamEvent.BudgetSpent(Instant.now(), spentUsd, run.goal().limits().budgetUsd().get()));
        }
    }

    private void release(ActorRef<Worker.Command> worker) {
        busyWorkers.remove(worker);
        idleWorkers.add(worker);
    }

    private Behavior<Command> onMerged(Merged merged) {
        TaskState task = tasks.get(merged.taskId());
        task.status = Status.MERGED;
        task.mergeCommit = merged.mergeCommit();
        integrationHead = merged.mergeCommit();
        record(new TeamEvent.MergeDone(Instant.now(), task.spec.id(), merged.mergeCommit().name(),
                run.integrationBranch()));
        for (TaskState other : tasks.values()) {
            if (other.status == Status.WAITING && other.spec.waitsFor().stream()
                    .allMatch(id -> tasks.get(id).status == Status.MERGED)) {
                enqueue(other);
            }
        }
        finishIfSettled();
        return dispatch();
    }

    private Behavior<Command> onMergeConflicted(MergeConflicted conflict) {
        TaskState task = tasks.get(conflict.taskId());
        record(new TeamEvent.MergeConflict(Instant.now(), task.spec.id(), conflict.paths()));
        // The next attempt starts on the new integration head, which holds the work it conflicted with.
        retryOrFail(task, "merge conflict in " + String.join(", ", conflict.paths()) + clashingWork(task, conflict.paths()),
                0, Usage.NONE, true);
        return dispatch();
    }

    /** The merged tasks that changed the conflicting files, and what they said of their change. */
    private String clashingWork(TaskState task, List<String> paths) {
        List<String> described = new ArrayList<>();
        for (TaskState other : tasks.values()) {
            List<String> touched = other.filesChanged.stream().filter(paths::contains).toList();
            if (other != task && other.status == Status.MERGED && !touched.isEmpty()) {
                String report = other.resultText == null ? "" : other.resultText.strip().replace('\n', ' ');
                described.add("task '" + other.spec.id() + "' changed " + String.join(", ", touched)
                        + (report.isEmpty() ? "" : " and reported: " + (report.length() > 300 ? report.substring(0, 297) + "..." : report)));
            }
        }
        return described.isEmpty() ? "" : ", which work merged meanwhile changed too: " + String.join("; ", described);
    }

    private Behavior<Command> onCheckFailed(CheckFailed failure) {
        TaskState task = tasks.get(failure.taskId());
        // The next attempt is told the check's output through the reason.
        retryOrFail(task, "the check failed on the merged result: " + failure.output(), 0, Usage.NONE, true);
        return dispatch();
    }

    private Behavior<Command> onMergeFailed(MergeFailed failure) {
        TaskState task = tasks.get(failure.taskId());
        retryOrFail(task, "merge failed: " + failure.reason(), 0, Usage.NONE, true);
        return dispatch();
    }

    private Behavior<Command> onWorkerStopped(WorkerStopped stopped) {
        idleWorkers.remove(stopped.worker());
        String taskId = busyWorkers.remove(stopped.worker());
        if (!finished) {
            idleWorkers.add(spawnWorker());
        }
        if (GoalLoader.RESERVED_ID.equals(taskId)) {
            return planRejected(planAttempts, "the planner's worker stopped unexpectedly", 0, Usage.NONE);
        }
        if (taskId != null) {
            TaskState task = tasks.get(taskId);
            String kept = task.status == Status.REVIEWING ? " during its review (the change is kept on " + keepPending(task) + ")" : "";
            retryOrFail(task, "its worker stopped unexpectedly" + kept, 0, Usage.NONE, true);
        }
        return dispatch();
    }

    /** Back to the queue after a backoff while attempts (and budget) remain; otherwise the task fails. */
    private void retryOrFail(TaskState task, String reason, double attemptCost, Usage attemptUsage, boolean counted) {
        task.reason = reason;
        boolean attemptsLeft = !counted || task.countedAttempts() < run.goal().limits().attempts();
        if (!attemptsLeft || budgetSpent) {
            record(new TeamEvent.AttemptFailed(Instant.now(), task.spec.id(), task.attempts, reason, attemptCost,
                    attemptUsage, -1, counted));
            fail(task, budgetSpent && attemptsLeft ? reason + "; no attempt left in the budget" : reason);
            return;
        }
        Duration backoff = counted ? backoff(task.countedAttempts()) : Duration.ZERO;
        task.notBefore = Instant.now().plus(backoff);
        record(new TeamEvent.AttemptFailed(Instant.now(), task.spec.id(), task.attempts, reason, attemptCost,
                attemptUsage, backoff.toMillis(), counted));
        task.status = Status.QUEUED;
        ready.add(task.spec.id());
    }

    /** {@code retry.backoff} doubled for each attempt after the first, at most {@code retry.backoff-max}. */
    private Duration backoff(int attemptsDone) {
        Duration wait = run.tuning().retryBackoff().multipliedBy(1L << Math.min(20, Math.max(0, attemptsDone - 1)));
        return wait.compareTo(run.tuning().retryBackoffMax()) > 0 ? run.tuning().retryBackoffMax() : wait;
    }

    /** The task will not be merged: record why, and skip every task that depends on it, directly or not. */
    private void fail(TaskState task, String reason) {
        task.status = Status.FAILED;
        task.reason = reason;
        ready.remove(task.spec.id());
        awaitingReview.remove(task.spec.id());
        record(new TeamEvent.TaskFailed(Instant.now(), task.spec.id(), task.attempts, reason));
        skipDependentsOf(task.spec.id());
        finishIfSettled();
    }

    private void skipDependentsOf(String failedId) {
        for (TaskState other : tasks.values()) {
            if (other.status == Status.WAITING && other.spec.waitsFor().contains(failedId)) {
                skip(other, other.spec.gate().contains(failedId)
                        ? "canary '" + failedId + "' did not merge, so the fan-out stopped before the rest"
                        : "comes after '" + failedId + "', which did not merge");
            }
        }
    }

    private void skip(TaskState task, String reason) {
        task.status = Status.SKIPPED;
        task.reason = reason;
        ready.remove(task.spec.id());
        record(new TeamEvent.TaskSkipped(Instant.now(), task.spec.id(), reason));
        skipDependentsOf(task.spec.id());
    }

    /** With the budget spent, what waits in the queue will not start. */
    private void skipQueuedForBudget() {
        String reason = "the budget of " + Money.format(run.goal().limits().budgetUsd().orElse(0.0)) + " is spent";
        for (String id : List.copyOf(ready)) {
            TaskState task = tasks.get(id);
            if (task.attempts > 0) {
                fail(task, task.reason + "; no attempt left in the budget");
            } else {
                skip(task, reason);
            }
        }
        finishIfSettled();
    }

    private void finishIfSettled() {
        if (finished || !tasks.values().stream().allMatch(TaskState::isSettled)) {
            return;
        }
        finish(outcome());
    }

    private void finish(RunOutcome outcome) {
        finished = true;
        timers.cancelAll();
        run.journal()
                .appendDurably(new TeamEvent.RunFinished(Instant.now(), run.runId(), (int) outcome.count(RunOutcome.Fate.MERGED),
                        (int) outcome.count(RunOutcome.Fate.FAILED), (int) outcome.count(RunOutcome.Fate.SKIPPED),
                        outcome.costUsd(), outcome.exitCode()))
                .whenComplete((done, failure) -> replyTo.tell(outcome));
    }

    private RunOutcome outcome() {
        List<RunOutcome.TaskOutcome> outcomes = new ArrayList<>();
        Usage usage = Usage.NONE;
        for (TaskState task : tasks.values()) {
            RunOutcome.Fate fate = switch (task.status) {
                case MERGED -> RunOutcome.Fate.MERGED;
                case SKIPPED -> RunOutcome.Fate.SKIPPED;
                default -> RunOutcome.Fate.FAILED;
            };
            usage = usage.plus(task.usage);
            outcomes.add(new RunOutcome.TaskOutcome(task.spec.id(), fate, task.attempts, task.costUsd, task.usage,
                    task.durationMs, task.mergeCommit == null ? "" : task.mergeCommit.name(), task.filesChanged,
                    fate == RunOutcome.Fate.MERGED ? "" : task.reason));
        }
        boolean allMerged = outcomes.stream().allMatch(t -> t.fate() == RunOutcome.Fate.MERGED);
        return new RunOutcome(run.runId(), run.integrationBranch(), List.copyOf(outcomes), spentUsd, usage,
                allMerged ? 0 : 1, budgetSpent, false, Optional.empty());
    }

    private void record(TeamEvent event) {
        run.journal().append(event).whenComplete((done, failure) -> {
            if (failure != null) {
                // Not expected while the run is live (the journal closes after RunFinished); say so loudly if it is.
                LOG.error("the journal lost a decision: {}", event, failure);
            }
        });
    }
}
