package dev.troupe.team;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import dev.troupe.goal.AddedTasks;
import dev.troupe.goal.Goal;
import dev.troupe.goal.GoalLoader;
import dev.troupe.journal.RunOutcome;
import dev.troupe.journal.TeamEvent;
import dev.troupe.team.rules.AttemptResult;
import dev.troupe.team.rules.Decision;
import dev.troupe.team.rules.ResumeFrom;
import dev.troupe.team.rules.RunContext;
import dev.troupe.team.rules.RunState;
import dev.troupe.team.rules.Steering;
import dev.troupe.team.rules.Telling;
import dev.troupe.workspace.CheckRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns a run: keeps the task graph, hands ready tasks (all of whose {@code after} tasks are merged) to idle
 * workers with {@code team.stagger} between launches, sends finished work to the {@link Merger}, and ends the
 * run when every task is merged, failed or skipped. The rules (retries, backoff, zones, pauses, budget, review,
 * sync points, planning) are the plain {@link RunState}'s; this actor feeds it what happened and carries out
 * what it decides: telling workers and the merger, journaling, setting the dispatch timer.
 */
public final class TeamLead extends AbstractBehavior<TeamLead.Command> {

    public sealed interface Command {}

    /** What a worker said of its attempt ({@link WorkerProtocol.Report}), through the lead's message adapter. */
    private record WorkerReported(WorkerProtocol.Report report) implements Command {}

    public record Merged(String taskId, ObjectId mergeCommit) implements Command {}

    public record MergeConflicted(String taskId, List<String> paths) implements Command {}

    public record MergeFailed(String taskId, String reason) implements Command {}

    /**
     * The merger tried a variant's change on the integration head without moving it: {@code problem} is empty when
     * it merges and passes {@code sync.check}, else says why not ({@code outcome}: {@code conflict},
     * {@code check-failed}).
     */
    public record Tried(String taskId, int attempt, String outcome, Optional<String> problem) implements Command {}

    /** The merged result did not pass {@code sync.check}: the branch did not move. */
    public record CheckFailed(String taskId, String output) implements Command {}

    /** {@code sync.check} could not run at all (its workspace's setup failed): no merge can be checked. */
    public record CheckCannotRun(String taskId, String reason) implements Command {}

    /** A request from the command line ({@code troupe stop}), through the run's control channel. */
    record Control(ControlChannel.Request request, ActorRef<ControlDesk.Command> desk) implements Command {}

    /** The tasks of a {@code troupe add}, checked off the actor: {@code specs}, or why they were refused. */
    private record AddChecked(Control control, List<Goal.TaskSpec> specs, Path goalFile, Throwable failure)
            implements Command {}

    /**
     * A node of the cluster ({@code address}) offers workers: one behavior a slot, each a worker of the
     * {@link WorkerProtocol} that runs its agents there.
     */
    public record SlotsOffered(String node, String address, List<Behavior<WorkerProtocol.Command>> slots)
            implements Command {}

    private record DispatchTick() implements Command {}

    /** The planner's answer, checked as a goal file: {@code planned} when it passed, else {@code problem}. */
    private record PlanChecked(int attempt, AttemptResult answer, PlanCheck.Checked planned, String problem)
            implements Command {}

    private record WorkerStopped(ActorRef<WorkerProtocol.Command> worker) implements Command {}

    /** No agent told message {@code id} has taken it in or refused it yet: the tell is answered all the same. */
    private record TellUnanswered(String id) implements Command {}

    /** How long a {@code troupe tell} waits for the agent at work to take its message in before it is answered. */
    private static final Duration TELL_ANSWER = Duration.ofSeconds(8);

    private static final Logger LOG = LoggerFactory.getLogger(TeamLead.class);

    private final RunContext run;
    private final ActorRef<RunOutcome> replyTo;
    private final TimerScheduler<Command> timers;
    private final ActorRef<Merger.Command> merger;
    /** Where the workers send their reports: the lead, through a message adapter. */
    private final ActorRef<WorkerProtocol.Report> reports;
    /** The rules; this actor only feeds them what happened and carries out what they decide. */
    private final RunState state;
    private final Map<String, ActorRef<WorkerProtocol.Command>> workers = new HashMap<>();
    /** What the nodes of a cluster offered, by node: the workers to start when the rules take them in. */
    private final Map<String, List<Behavior<WorkerProtocol.Command>>> offered = new HashMap<>();
    /** Reads the goal files the run makes (a plan, tasks added), as goal files are read. */
    private final GoalLoader goals;
    private final AwaitedTells tells = new AwaitedTells();

    private TeamLead(ActorContext<Command> context, TimerScheduler<Command> timers, RunContext run,
            Repository repo, ActorRef<RunOutcome> replyTo) {
        super(context);
        this.timers = timers;
        this.run = run;
        this.replyTo = replyTo;
        Optional<CheckRunner> checkRunner = run.goal().sync().check().map(command -> new CheckRunner(run.workspaces(),
                command, run.goal().sync().checkTimeout(), checkEnvironment(run),
                new SetupJournal(run.journal(), "merger", null), new CheckJournal(run.journal())));
        // Before any worker exists: the check's workspace is built first, since every merge waits for it.
        // A run that only plans never checks a merge.
        checkRunner.filter(runner -> !run.planOnly()).ifPresent(runner -> runner.warm(run.integrationBranch()));
        Merger.GoalCheck check = checkRunner.<Merger.GoalCheck>map(runner -> runner::run).orElse(Merger.GoalCheck.NONE);
        this.merger = context.spawn(Merger.create(repo, run.integrationBranch(), check, run.blocking(),
                run.tuning().mergeRetries()), "merger");
        // Without its merger a run could never settle: if it stops, the lead fails too (and the run ends, exit 3).
        context.watch(merger);
        this.reports = context.messageAdapter(WorkerProtocol.Report.class, WorkerReported::new);
        this.state = new RunState(run);
        this.goals = new GoalLoader(context.getSystem().settings().config());
        try {
            context.spawn(ControlDesk.create(ControlChannel.open(run.runDir()), context.getSelf(), run.blocking()),
                    "control");
        } catch (java.io.IOException e) {
            LOG.warn("the run takes no commands (troupe stop): cannot make its control folder: {}", e.getMessage());
        }
    }

    /** What the check runs with: the run's marker and the agents' {@code agent.env}. */
    private static Map<String, String> checkEnvironment(RunContext run) {
        Map<String, String> env = new HashMap<>(run.goal().agent().env());
        env.put(RunContext.RUN_MARKER, run.runId());
        return env;
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
            TeamLead lead = new TeamLead(context, timers, run, repo, replyTo);
            lead.carryOut(lead.state.start(resumed, (int) ProcessHandle.current().pid(), Instant.now()));
            return lead;
        }));
    }

    private Behavior<Command> onControl(Control control) {
        ControlChannel.Request request = control.request();
        if (request.command().equals("add") && request.message() != null) {
            Path goalFile = run.tasksGoalFile();
            getContext().pipeToSelf(Blocking.call(run.blocking(), () -> AddedTasks.add(goals, goalFile,
                    Path.of(request.message()), run.goal().file().toAbsolutePath().getParent())),
                    (specs, failure) -> new AddChecked(control, specs, goalFile, failure));
            return Behaviors.same();
        }
        if (request.command().equals("cancel") && request.task() != null) {
            Steering.Answer answer = state.cancel(request.task(), Instant.now());
            control.desk().tell(new ControlDesk.Answer(request.id(), new ControlChannel.Reply(answer.accepted(),
                    answer.message())));
            return carryOut(answer.decisions());
        }
        if ((request.command().equals("tell") || request.command().equals("redirect")) && request.task() != null
                && request.message() != null) {
            Telling.Answer answer = state.tell(request.task(), request.message(), request.command().equals("redirect"),
                    Instant.now());
            if (answer.awaiting().isPresent()) {
                tells.await(answer.awaiting().get(), control, request.task());
                timers.startSingleTimer(answer.awaiting().get(), new TellUnanswered(answer.awaiting().get()),
                        TELL_ANSWER);
            } else {
                control.desk().tell(new ControlDesk.Answer(request.id(), new ControlChannel.Reply(answer.accepted(),
                        answer.message())));
            }
            return carryOut(answer.decisions());
        }
        if (!request.command().equals("stop")) {
            control.desk().tell(new ControlDesk.Answer(request.id(), new ControlChannel.Reply(false,
                    "run " + run.runId() + " knows no command '" + request.command() + "'")));
            return Behaviors.same();
        }
        int underWay = state.inFlight();
        control.desk().tell(new ControlDesk.Answer(request.id(), new ControlChannel.Reply(true, "run " + run.runId()
                + " stops: nothing more is launched" + (underWay == 0 ? "" : "; " + underWay
                + (underWay == 1 ? " task under way finishes" : " tasks under way finish") + " first"))));
        return carryOut(state.stop(Instant.now()));
    }

    private Behavior<Command> onAddChecked(AddChecked checked) {
        String id = checked.control().request().id();
        if (checked.failure() != null) {
            checked.control().desk().tell(new ControlDesk.Answer(id, new ControlChannel.Reply(false,
                    Blocking.describe(checked.failure()))));
            return Behaviors.same();
        }
        Steering.Answer answer = state.add(checked.specs(), checked.goalFile(), Instant.now());
        checked.control().desk().tell(new ControlDesk.Answer(id, new ControlChannel.Reply(answer.accepted(),
                answer.message())));
        return carryOut(answer.decisions());
    }


    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(WorkerReported.class, reported -> carryOut(onReport(reported.report())))
                .onMessage(Merged.class, m -> carryOut(state.merged(m.taskId(), m.mergeCommit(), Instant.now())))
                .onMessage(MergeConflicted.class, m -> carryOut(state.mergeConflicted(m.taskId(), m.paths(), Instant.now())))
                .onMessage(MergeFailed.class, f -> carryOut(state.mergeFailed(f.taskId(), f.reason(), Instant.now())))
                .onMessage(Tried.class, t -> carryOut(state.tried(t.taskId(), t.attempt(), t.outcome(), t.problem(), Instant.now())))
                .onMessage(CheckFailed.class, f -> carryOut(state.checkFailed(f.taskId(), f.output(), Instant.now())))
                .onMessage(CheckCannotRun.class, c -> carryOut(state.checkCannotRun(c.taskId(), c.reason(), Instant.now())))
                .onMessage(DispatchTick.class, tick -> carryOut(state.tick(Instant.now())))
                .onMessage(PlanChecked.class, this::onPlanChecked)
                .onMessage(WorkerStopped.class, this::onWorkerStopped)
                .onMessage(SlotsOffered.class, this::onSlotsOffered)
                .onMessage(Control.class, this::onControl)
                .onMessage(AddChecked.class, this::onAddChecked)
                .onMessage(TellUnanswered.class, unanswered -> {
                    tells.unanswered(unanswered.id());
                    return Behaviors.same();
                })
                .build();
    }

    /** What the rules decide on a worker's report. */
    private List<Decision> onReport(WorkerProtocol.Report report) {
        String worker = report.worker().path().name();
        WorkerProtocol.AttemptId attempt = report.attempt();
        Instant now = Instant.now();
        if (report instanceof WorkerProtocol.AttemptSucceeded done) {
            return state.attemptSucceeded(worker, attempt.taskId(), attempt.attempt(), attempt.role(), done.result(),
                    now);
        }
        if (report instanceof WorkerProtocol.AttemptFailed failed) {
            return state.attemptFailed(worker, attempt.taskId(), attempt.attempt(), attempt.role(), failed.reason(),
                    failed.spend().costUsd(), failed.spend().usage(), failed.rateLimited(), failed.nodesFault(),
                    failed.retryAfterMs(), now);
        }
        if (report instanceof WorkerProtocol.SetupFailed failed) {
            return state.setupFailed(worker, attempt.taskId(), attempt.attempt(), attempt.role(), failed.reason(), now);
        }
        if (report instanceof WorkerProtocol.MessageHeard heard) {
            timers.cancel(heard.messageId());
            tells.heard(heard.messageId(), worker, attempt.attempt(), heard.ownTurn());
            return state.messageHeard(worker, attempt.taskId(), attempt.attempt(), heard.messageId(), heard.ownTurn(),
                    now);
        }
        if (report instanceof WorkerProtocol.MessageNotHeard notHeard) {
            timers.cancel(notHeard.messageId());
            tells.notHeard(notHeard.messageId(), worker, notHeard.reason());
            return List.of();
        }
        WorkerProtocol.ApiPressure pressure = (WorkerProtocol.ApiPressure) report;
        return state.apiPressure(worker, pressure.error(), pressure.delayMs(), now);
    }

    private Behavior<Command> onPlanChecked(PlanChecked checked) {
        PlanCheck.Checked planned = checked.planned();
        return carryOut(state.planChecked(checked.attempt(), checked.answer(), planned == null ? null : planned.tasks(),
                planned == null ? null : planned.file(), checked.problem(), Instant.now()));
    }

    private Behavior<Command> onSlotsOffered(SlotsOffered offer) {
        offered.put(offer.node(), offer.slots());
        return carryOut(state.nodeJoined(offer.node(), offer.address(), offer.slots().size(), Instant.now()));
    }

    private Behavior<Command> onWorkerStopped(WorkerStopped stopped) {
        String name = stopped.worker().path().name();
        workers.remove(name);
        return carryOut(state.workerLost(name, Instant.now()));
    }

    /** The effects of the rules' decisions, in the order they were made. */
    private Behavior<Command> carryOut(List<Decision> decisions) {
        for (Decision decision : decisions) {
            if (decision instanceof Decision.Journal journal) {
                record(journal.event());
            } else if (decision instanceof Decision.JournalDurably durably) {
                run.journal().appendDurably(durably.event());
            } else if (decision instanceof Decision.SpawnWorker spawn) {
                ActorRef<WorkerProtocol.Command> worker = getContext().spawn(Worker.create(run, spawn.name()),
                        spawn.name());
                getContext().watchWith(worker, new WorkerStopped(worker));
                workers.put(spawn.name(), worker);
            } else if (decision instanceof Decision.JoinWorker join) {
                ActorRef<WorkerProtocol.Command> worker = getContext().spawn(offered.get(join.node()).get(join.slot()),
                        join.name());
                getContext().watchWith(worker, new WorkerStopped(worker));
                workers.put(join.name(), worker);
            } else if (decision instanceof Decision.RetireWorker retire) {
                ActorRef<WorkerProtocol.Command> worker = workers.remove(retire.name());
                getContext().unwatch(worker);
                getContext().stop(worker);
            } else if (decision instanceof Decision.Assign assign) {
                workers.get(assign.worker()).tell(new WorkerProtocol.Assign(assign.assignment(), reports));
            } else if (decision instanceof Decision.AssignOnceJournaled assign) {
                assignOnceJournaled(workers.get(assign.worker()), assign);
            } else if (decision instanceof Decision.Merge merge) {
                merger.tell(new Merger.Merge(merge.taskId(), merge.attempt(), merge.commit(), merge.message(),
                        merge.failedBranch(), getContext().getSelf()));
            } else if (decision instanceof Decision.TryMerge trial) {
                merger.tell(new Merger.Try(trial.taskId(), trial.attempt(), trial.commit(), trial.message(),
                        getContext().getSelf()));
            } else if (decision instanceof Decision.Keep keep) {
                merger.tell(new Merger.Keep(keep.commit(), keep.branch()));
            } else if (decision instanceof Decision.CheckPlan plan) {
                checkPlan(plan);
            } else if (decision instanceof Decision.WakeAt wake) {
                timers.startSingleTimer(DispatchTick.class, new DispatchTick(), untilThen(wake.when()));
            } else if (decision instanceof Decision.TellAgent tell) {
                Optional.ofNullable(workers.get(tell.worker())).ifPresent(worker -> worker.tell(new WorkerProtocol.Tell(
                        tell.taskId(), tell.id(), tell.message(), tell.redirect(), reports)));
            } else if (decision instanceof Decision.CancelAttempt cancel) {
                Optional.ofNullable(workers.get(cancel.worker()))
                        .ifPresent(worker -> worker.tell(new WorkerProtocol.Cancel()));
            } else if (decision instanceof Decision.Finish finish) {
                finish(finish);
            }
        }
        return Behaviors.same();
    }

    /** The watcher hears of the end once its last event is on disk. */
    private void finish(Decision.Finish finish) {
        timers.cancelAll();
        run.journal().appendDurably(finish.last()).whenComplete((done, failure) -> replyTo.tell(finish.outcome()));
    }

    private static Duration untilThen(Instant when) {
        return Duration.between(Instant.now(), when);
    }

    /** On disk before the agent starts, so a crash never leaves an attempt the journal does not know of. */
    private void assignOnceJournaled(ActorRef<WorkerProtocol.Command> worker, Decision.AssignOnceJournaled assign) {
        WorkerProtocol.Assign message = new WorkerProtocol.Assign(assign.assignment(), reports);
        run.journal().appendDurably(assign.assigned()).whenComplete((written, failure) -> {
            if (failure != null) {
                LOG.error("the journal could not record an assignment; it goes ahead", failure);
            }
            worker.tell(message);
        });
    }

    /** Checks the plan as a goal file, off the actor: it is written to the run directory and read back. */
    private void checkPlan(Decision.CheckPlan plan) {
        getContext().pipeToSelf(Blocking.call(run.blocking(),
                () -> PlanCheck.check(goals, run, plan.attempt(), plan.round(), plan.answer())),
                (planned, failure) -> new PlanChecked(plan.attempt(), plan.answer(), planned,
                        failure == null ? null : Blocking.describe(failure)));
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
