package dev.troupe.team;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import dev.troupe.goal.Goal;
import dev.troupe.journal.TeamEvent;
import dev.troupe.journal.Usage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns a run: keeps the task graph, hands ready tasks (all of whose {@code after} tasks are merged) to idle
 * workers with {@code team.stagger} between launches, sends finished work to the {@link Merger}, and ends the
 * run when every task is merged, failed or skipped. A failed task's dependents are skipped, never run on a
 * base that lacks it. A worker that dies fails its task and is replaced.
 */
public final class TeamLead extends AbstractBehavior<TeamLead.Command> {

    public sealed interface Command {}

    public record AttemptSucceeded(ActorRef<Worker.Command> worker, String taskId, int attempt, AttemptResult result)
            implements Command {}

    /** {@code costUsd} and {@code usage}: what the failed attempt spent, as far as the agent reported it. */
    public record AttemptFailed(ActorRef<Worker.Command> worker, String taskId, int attempt, String reason,
            double costUsd, Usage usage) implements Command {}

    public record Merged(String taskId, ObjectId mergeCommit) implements Command {}

    public record MergeConflicted(String taskId, List<String> paths) implements Command {}

    public record MergeFailed(String taskId, String reason) implements Command {}

    private record LaunchTick() implements Command {}

    private record WorkerStopped(ActorRef<Worker.Command> worker) implements Command {}

    private enum Status { WAITING, QUEUED, RUNNING, MERGING, MERGED, FAILED, SKIPPED }

    private static final class TaskState {
        final Goal.TaskSpec spec;
        Status status = Status.WAITING;
        int attempts;
        AttemptResult result;
        double costUsd;
        Usage usage = Usage.NONE;
        ObjectId mergeCommit;
        String reason = "";

        TaskState(Goal.TaskSpec spec) {
            this.spec = spec;
        }

        void spent(double cost, Usage tokens) {
            costUsd += cost;
            usage = usage.plus(tokens);
        }

        boolean isSettled() {
            return status == Status.MERGED || status == Status.FAILED || status == Status.SKIPPED;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(TeamLead.class);

    private final RunContext run;
    private final ActorRef<RunOutcome> replyTo;
    private final TimerScheduler<Command> timers;
    private final ActorRef<Merger.Command> merger;
    private final Map<String, TaskState> tasks = new LinkedHashMap<>();
    private final Deque<String> ready = new ArrayDeque<>();
    private final Deque<ActorRef<Worker.Command>> idleWorkers = new ArrayDeque<>();
    private final Map<ActorRef<Worker.Command>, String> busyWorkers = new HashMap<>();
    private ObjectId integrationHead;
    private Instant lastLaunch = Instant.MIN;
    private int workersSpawned;
    private boolean finished;

    private TeamLead(ActorContext<Command> context, TimerScheduler<Command> timers, RunContext run,
            Repository repo, ActorRef<RunOutcome> replyTo) {
        super(context);
        this.timers = timers;
        this.run = run;
        this.replyTo = replyTo;
        this.integrationHead = run.startCommit();
        this.merger = context.spawn(Merger.create(repo, run.integrationBranch(), run.blocking()), "merger");
        // Without its merger a run could never settle: if it stops, the lead fails too (and the run ends, exit 3).
        context.watch(merger);
        run.goal().tasks().forEach(spec -> tasks.put(spec.id(), new TaskState(spec)));
    }

    /**
     * @param repo the target repository, handed to the merger, which closes it
     * @param replyTo told once, when the run is over and its last event is journaled
     */
    public static Behavior<Command> create(RunContext run, Repository repo, ActorRef<RunOutcome> replyTo) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            TeamLead lead = new TeamLead(context, timers, run, repo, replyTo);
            lead.start();
            return lead;
        }));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(AttemptSucceeded.class, this::onAttemptSucceeded)
                .onMessage(AttemptFailed.class, this::onAttemptFailed)
                .onMessage(Merged.class, this::onMerged)
                .onMessage(MergeConflicted.class, this::onMergeConflicted)
                .onMessage(MergeFailed.class, this::onMergeFailed)
                .onMessage(LaunchTick.class, tick -> dispatch())
                .onMessage(WorkerStopped.class, this::onWorkerStopped)
                .build();
    }

    private void start() {
        Goal goal = run.goal();
        record(new TeamEvent.RunStarted(Instant.now(), run.runId(), goal.file().toString(), run.repo().toString(),
                run.base(), run.startCommit().name(), run.integrationBranch(), goal.team().size(),
                List.copyOf(tasks.keySet())));
        int size = Math.min(goal.team().size(), tasks.size());
        for (int i = 0; i < size; i++) {
            idleWorkers.add(spawnWorker());
        }
        tasks.values().stream().filter(t -> t.spec.after().isEmpty()).forEach(this::enqueue);
        dispatch();
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

    /** Hands queued tasks to idle workers, keeping {@code team.stagger} between two launches. */
    private Behavior<Command> dispatch() {
        Duration stagger = run.goal().team().stagger();
        while (!ready.isEmpty() && !idleWorkers.isEmpty()) {
            Instant next = lastLaunch == Instant.MIN ? Instant.MIN : lastLaunch.plus(stagger);
            Instant now = Instant.now();
            if (now.isBefore(next)) {
                if (!timers.isTimerActive(LaunchTick.class)) {
                    timers.startSingleTimer(LaunchTick.class, new LaunchTick(), Duration.between(now, next));
                }
                break;
            }
            assign(tasks.get(ready.poll()), idleWorkers.poll());
            lastLaunch = now;
        }
        return Behaviors.same();
    }

    private void assign(TaskState task, ActorRef<Worker.Command> worker) {
        task.status = Status.RUNNING;
        task.attempts++;
        String branch = run.taskBranch(task.spec);
        busyWorkers.put(worker, task.spec.id());
        record(new TeamEvent.TaskAssigned(Instant.now(), task.spec.id(), task.attempts, worker.path().name(), branch,
                integrationHead.name()));
        worker.tell(new Worker.Assign(new Assignment(task.spec, task.attempts, branch, integrationHead,
                task.spec.prompt()), getContext().getSelf()));
    }

    private Behavior<Command> onAttemptSucceeded(AttemptSucceeded done) {
        release(done.worker());
        TaskState task = tasks.get(done.taskId());
        AttemptResult result = done.result();
        task.result = result;
        task.spent(result.costUsd(), result.usage());
        task.status = Status.MERGING;
        record(new TeamEvent.TaskSucceeded(Instant.now(), task.spec.id(), done.attempt(), result.branch(),
                result.commit().name(), result.costUsd(), result.usage(), result.turns(), result.durationMs(),
                result.filesChanged(), result.text(), result.permissionDenials()));
        merger.tell(new Merger.Merge(task.spec.id(), result.commit(), mergeMessage(task), getContext().getSelf()));
        return dispatch();
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
        TaskState task = tasks.get(failed.taskId());
        task.spent(failed.costUsd(), failed.usage());
        fail(task, failed.reason(), failed.attempt(), failed.costUsd());
        return dispatch();
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
            if (other.status == Status.WAITING && other.spec.after().stream()
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
        fail(task, "merge conflict in " + String.join(", ", conflict.paths()), task.attempts, 0);
        return dispatch();
    }

    private Behavior<Command> onMergeFailed(MergeFailed failure) {
        TaskState task = tasks.get(failure.taskId());
        fail(task, "merge failed: " + failure.reason(), task.attempts, 0);
        return dispatch();
    }

    private Behavior<Command> onWorkerStopped(WorkerStopped stopped) {
        idleWorkers.remove(stopped.worker());
        String taskId = busyWorkers.remove(stopped.worker());
        if (!finished) {
            idleWorkers.add(spawnWorker());
        }
        if (taskId != null) {
            TaskState task = tasks.get(taskId);
            fail(task, "its worker stopped unexpectedly", task.attempts, 0);
        }
        return dispatch();
    }

    /**
     * The task will not be merged: record why, and skip every task that depends on it, directly or not.
     * {@code attemptCost} is what a failed attempt spent (0 when the failure came after a reported success).
     */
    private void fail(TaskState task, String reason, int attempt, double attemptCost) {
        task.status = Status.FAILED;
        task.reason = reason;
        record(new TeamEvent.TaskFailed(Instant.now(), task.spec.id(), attempt, reason, attemptCost));
        skipDependentsOf(task.spec.id());
        finishIfSettled();
    }

    private void skipDependentsOf(String failedId) {
        for (TaskState other : tasks.values()) {
            if (other.status == Status.WAITING && other.spec.after().contains(failedId)) {
                other.status = Status.SKIPPED;
                other.reason = "comes after '" + failedId + "', which did not merge";
                record(new TeamEvent.TaskSkipped(Instant.now(), other.spec.id(), other.reason));
                skipDependentsOf(other.spec.id());
            }
        }
    }

    private void finishIfSettled() {
        if (finished || !tasks.values().stream().allMatch(TaskState::isSettled)) {
            return;
        }
        finished = true;
        RunOutcome outcome = outcome();
        run.journal()
                .append(new TeamEvent.RunFinished(Instant.now(), run.runId(), (int) outcome.count(RunOutcome.Fate.MERGED),
                        (int) outcome.count(RunOutcome.Fate.FAILED), (int) outcome.count(RunOutcome.Fate.SKIPPED),
                        outcome.costUsd(), outcome.exitCode()))
                .whenComplete((done, failure) -> replyTo.tell(outcome));
    }

    private RunOutcome outcome() {
        List<RunOutcome.TaskOutcome> outcomes = new ArrayList<>();
        double cost = 0;
        Usage usage = Usage.NONE;
        for (TaskState task : tasks.values()) {
            AttemptResult result = task.result;
            RunOutcome.Fate fate = switch (task.status) {
                case MERGED -> RunOutcome.Fate.MERGED;
                case SKIPPED -> RunOutcome.Fate.SKIPPED;
                default -> RunOutcome.Fate.FAILED;
            };
            cost += task.costUsd;
            usage = usage.plus(task.usage);
            outcomes.add(new RunOutcome.TaskOutcome(task.spec.id(), fate, task.attempts, task.costUsd, task.usage,
                    result == null ? 0 : result.durationMs(), task.mergeCommit == null ? "" : task.mergeCommit.name(),
                    result == null ? List.of() : result.filesChanged(), task.reason));
        }
        boolean allMerged = outcomes.stream().allMatch(t -> t.fate() == RunOutcome.Fate.MERGED);
        return new RunOutcome(run.runId(), run.integrationBranch(), List.copyOf(outcomes), cost, usage,
                allMerged ? 0 : 1);
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
