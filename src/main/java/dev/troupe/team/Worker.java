package dev.troupe.team;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.japi.Pair;
import akka.stream.UniqueKillSwitch;
import dev.troupe.agent.AgentMessage;
import dev.troupe.agent.LiveAgents;
import dev.troupe.goal.Durations;
import dev.troupe.journal.TeamEvent;
import dev.troupe.team.WorkerProtocol.Message;
import dev.troupe.team.rules.Assignment;
import dev.troupe.team.rules.AttemptResult;
import dev.troupe.team.rules.RunContext;
import dev.troupe.workspace.SetupFailed;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionStage;

/**
 * One team slot: owns a git worktree and runs one agent at a time in it. For each assignment it checks out a
 * fresh task branch at the given base, runs the agent, journals every stdout line, and ends the attempt at the
 * agent's last {@code result} (see {@link AgentConversation}: with live input, what it is told while it works goes in
 * on its stdin; it stops the process itself, since the CLI may linger for minutes), on exit without a result, or on
 * the task or idle timeout. A successful attempt commits what the
 * agent left and is reported with its commit; a failed one keeps whatever the agent left as a commit on the
 * task branch, so no work is thrown away, and is reported with its reason. It speaks the {@link WorkerProtocol}.
 */
public final class Worker extends AbstractBehavior<Message> {

    // It takes the WorkerProtocol's commands. Every private message names its attempt: one that arrives after its
    // attempt is over matches no handler but the last of each state, which ignores it.

    private interface OfAttempt extends Message {
        WorkerAttempt attempt();
    }

    private record Launched(WorkerAttempt attempt, AgentLaunch.Started launch, Throwable failure) implements OfAttempt {}

    private record AgentSaid(WorkerAttempt attempt, AgentMessage message) implements OfAttempt {}

    private record OutputEnded(WorkerAttempt attempt, Throwable failure) implements OfAttempt {}

    private record AgentExited(WorkerAttempt attempt, int code) implements OfAttempt {}

    private record TaskTimedOut(WorkerAttempt attempt) implements OfAttempt {}

    private record IdleCheck(WorkerAttempt attempt) implements OfAttempt {}

    /** The agent exited, yet something it started still holds its stdout open. */
    private record ExitedButOutputOpen(WorkerAttempt attempt) implements OfAttempt {}

    private record ProcessGone(WorkerAttempt attempt) implements OfAttempt {}

    /** The process is gone but something it left behind still holds its stdout open. */
    private record OutputDeadline(WorkerAttempt attempt) implements OfAttempt {}

    private record Settled(WorkerAttempt attempt, AttemptResult result, String failure) implements OfAttempt {}

    /** Why an attempt that {@code troupe cancel} stopped ended. */
    private static final String CANCELLED = "cancelled with troupe cancel";



    private final RunContext run;
    private final String name;
    private final TimerScheduler<Message> timers;
    private final AgentLaunch launcher;
    private final AttemptSettlement settlement;
    private final WorkerTells tells;
    private WorkerAttempt current;

    private Worker(ActorContext<Message> context, TimerScheduler<Message> timers, RunContext run, String name) {
        super(context);
        this.timers = timers;
        this.run = run;
        this.name = name;
        this.launcher = new AgentLaunch(run, name);
        this.settlement = new AttemptSettlement(run);
        this.tells = new WorkerTells(context.getSelf().narrow(), name);
    }

    public static Behavior<WorkerProtocol.Command> create(RunContext run, String name) {
        return Behaviors.<Message>setup(context -> Behaviors.withTimers(
                timers -> new Worker(context, timers, run, name))).narrow();
    }

    @Override
    public Receive<Message> createReceive() {
        return idle();
    }

    private Receive<Message> idle() {
        return newReceiveBuilder()
                .onMessage(WorkerProtocol.Assign.class, this::onAssign)
                .onMessage(WorkerProtocol.Tell.class, tells::whileIdle)
                .onMessage(OfAttempt.class, stale -> Behaviors.same())
                .onSignal(PostStop.class, signal -> onStop())
                .build();
    }

    private Receive<Message> launching() {
        return newReceiveBuilder()
                .onMessage(Launched.class, this::onLaunched)
                .onMessage(WorkerProtocol.Cancel.class, this::onCancelWhileLaunching)
                .onMessage(WorkerProtocol.Tell.class, tell -> tells.whileLaunching(current, tell))
                .onMessage(OfAttempt.class, stale -> Behaviors.same())
                .onSignal(PostStop.class, signal -> onStop())
                .build();
    }

    private Receive<Message> running() {
        return newReceiveBuilder()
                .onMessage(AgentSaid.class, this::isCurrent, this::onAgentSaid)
                .onMessage(AgentExited.class, this::isCurrent, this::onAgentExited)
                .onMessage(OutputEnded.class, this::isCurrent, this::onOutputEnded)
                .onMessage(TaskTimedOut.class, this::isCurrent, this::onTaskTimedOut)
                .onMessage(IdleCheck.class, this::isCurrent, this::onIdleCheck)
                .onMessage(ExitedButOutputOpen.class, this::isCurrent, this::onExitedButOutputOpen)
                .onMessage(WorkerProtocol.Cancel.class, cancel -> end(current, CANCELLED))
                .onMessage(WorkerProtocol.Tell.class, tell -> tells.whileRunning(current, tell))
                .onMessage(OfAttempt.class, stale -> Behaviors.same())
                .onSignal(PostStop.class, signal -> onStop())
                .build();
    }

    /** The attempt is decided; waiting for the process to be gone and its output fully journaled. */
    private Receive<Message> ending() {
        return newReceiveBuilder()
                .onMessage(ProcessGone.class, this::isCurrent, this::onProcessGone)
                .onMessage(OutputEnded.class, this::isCurrent, this::onOutputEndedWhileEnding)
                .onMessage(OutputDeadline.class, this::isCurrent, this::onOutputDeadline)
                .onMessage(AgentSaid.class, this::isCurrent, this::onAgentSaidWhileEnding)
                .onMessage(WorkerProtocol.Tell.class, tell -> tells.afterTheEnd(current, tell))
                .onMessage(OfAttempt.class, stale -> Behaviors.same())
                .onSignal(PostStop.class, signal -> onStop())
                .build();
    }

    /** Committing the work (or keeping what a failed attempt left), then reporting. */
    private Receive<Message> settling() {
        return newReceiveBuilder()
                .onMessage(Settled.class, this::isCurrent, this::onSettled)
                .onMessage(WorkerProtocol.Tell.class, tell -> tells.afterTheEnd(current, tell))
                .onMessage(OfAttempt.class, stale -> Behaviors.same())
                .onSignal(PostStop.class, signal -> onStop())
                .build();
    }

    private Behavior<Message> onCancelWhileLaunching(WorkerProtocol.Cancel cancel) {
        current.cancelled = true;
        return Behaviors.same();
    }

    private boolean isCurrent(OfAttempt message) {
        return message.attempt() == current;
    }

    private Behavior<Message> onAssign(WorkerProtocol.Assign assign) {
        WorkerAttempt attempt = new WorkerAttempt(assign.assignment(), assign.replyTo());
        current = attempt;
        CompletionStage<AgentLaunch.Started> launch = Blocking.call(run.workspaces().preparing(),
                () -> launcher.start(attempt.assignment, attempt.sessionId));
        getContext().pipeToSelf(launch, (started, failure) -> new Launched(attempt, started, failure));
        return launching();
    }

    private Behavior<Message> onLaunched(Launched launched) {
        WorkerAttempt attempt = launched.attempt();
        if (launched.failure() != null) {
            tells.notStarted(attempt);
        }
        if (Blocking.cause(launched.failure()) instanceof LiveAgents.Stopped) {
            // The run's agents were stopped while this one was being launched: the run is ending, nobody waits
            // for the attempt, and it must not count as one the task tried (a resume queues the task again).
            current = null;
            return idle();
        }
        if (Blocking.cause(launched.failure()) instanceof SetupFailed failed) {
            current = null;
            if (!run.agents().stopped()) {
                attempt.replyTo.tell(new WorkerProtocol.SetupFailed(self(), attempt.id(), failed.getMessage()));
            }
            return idle();
        }
        if (launched.failure() != null) {
            // AgentLaunch.Failed says what git or the system said first, and where all of it is: kept whole.
            return report(attempt, null, "could not start the agent: "
                    + dev.troupe.git.LastWords.bounded(Blocking.describe(launched.failure()), 1000));
        }
        attempt.process = launched.launch().process();
        attempt.workspace = launched.launch().workspace().dir();
        attempt.leaveOut = launched.launch().leaveOut();
        Assignment assignment = attempt.assignment;
        run.journal().append(launcher.started(assignment, attempt.sessionId, launched.launch()));
        watch(attempt);
        attempt.conversation = new AgentConversation(attempt.process.input());
        attempt.conversation.start(launched.launch().prompt());
        tells.started(attempt);
        return attempt.cancelled ? end(attempt, CANCELLED) : running();
    }

    /** Reads the started agent's output, awaits its exit, and starts the task and idle clocks. */
    private void watch(WorkerAttempt attempt) {
        ActorRef<Message> self = getContext().getSelf();
        Pair<UniqueKillSwitch, CompletionStage<Done>> output = new AgentOutputStream(run, attempt.assignment,
                attempt.lastOutputNanos, message -> self.tell(new AgentSaid(attempt, message)))
                .run(attempt.process, getContext().getSystem());
        attempt.output = output.first();
        getContext().pipeToSelf(output.second(), (done, failure) -> new OutputEnded(attempt, failure));
        getContext().pipeToSelf(attempt.process.exit(), (code, failure) -> new AgentExited(attempt, code == null ? -1 : code));
        timers.startSingleTimer(new TaskTimedOut(attempt), run.goal().limits().taskTimeout());
        timers.startTimerWithFixedDelay(new IdleCheck(attempt), run.tuning().idleCheckInterval());
    }

    private Behavior<Message> onAgentSaid(AgentSaid said) {
        WorkerAttempt attempt = said.attempt();
        if (said.message() instanceof AgentMessage.ApiRetry retry) {
            journalRetry(attempt, retry);
            return Behaviors.same();
        }
        if (said.message() instanceof AgentMessage.Heard heard) {
            attempt.conversation.heard(heard.uuid(), self(), attempt.id());
            return Behaviors.same();
        }
        if (said.message() instanceof AgentMessage.ControlResponse answered) {
            attempt.conversation.controlAnswered(answered.requestId());
            return Behaviors.same();
        }
        if (said.message() instanceof AgentMessage.Result result) {
            return onResult(attempt, result);
        }
        return Behaviors.same();
    }

    /**
     * Without live input, the first result ends the task, success or not, even if the process would linger. With it,
     * the result of the turn after which the agent has heard all it was told does (the CLI waits on its stdin after
     * each result: it is closed, and the process stopped all the same).
     */
    private Behavior<Message> onResult(WorkerAttempt attempt, AgentMessage.Result result) {
        AgentConversation conversation = attempt.conversation;
        AgentConversation.Next next = conversation.resulted(result);
        attempt.result = conversation.result().orElse(result);
        if (next == AgentConversation.Next.GO_ON) {
            return Behaviors.same();
        }
        conversation.close();
        return end(attempt, next == AgentConversation.Next.FAILED ? result.failureReason() : null);
    }

    private Behavior<Message> onAgentSaidWhileEnding(AgentSaid said) {
        if (said.message() instanceof AgentMessage.ApiRetry retry) {
            journalRetry(said.attempt(), retry);
        }
        return Behaviors.same();
    }

    private void journalRetry(WorkerAttempt attempt, AgentMessage.ApiRetry retry) {
        attempt.apiRetried(retry, self()).ifPresent(attempt.replyTo::tell);
        run.journal().append(new TeamEvent.AgentRetry(Instant.now(), attempt.task().id(), attempt.assignment.attempt(),
                retry.error(), retry.errorStatus().orElse(null), retry.attempt(), retry.maxRetries(), retry.delayMs()));
    }

    private Behavior<Message> onAgentExited(AgentExited exited) {
        WorkerAttempt attempt = exited.attempt();
        attempt.exitCode = exited.code();
        // A result may still be on its way through the stream: decide only once the output has ended too, or,
        // if a child of the agent keeps it open, a grace period after the exit.
        if (attempt.outputEnded) {
            return endWithoutResult(attempt);
        }
        timers.startSingleTimer(new ExitedButOutputOpen(attempt), run.tuning().killGrace());
        return Behaviors.same();
    }

    private Behavior<Message> onExitedButOutputOpen(ExitedButOutputOpen open) {
        WorkerAttempt attempt = open.attempt();
        if (attempt.outputEnded) {
            return Behaviors.same();
        }
        // Stopping the tree ends what holds the output (found by its marker even though its parent is gone).
        return endWithoutResult(attempt);
    }

    private Behavior<Message> onOutputEnded(OutputEnded ended) {
        WorkerAttempt attempt = ended.attempt();
        attempt.outputEnded = true;
        if (ended.failure() != null) {
            return end(attempt, "could not read the agent's output: " + Blocking.describe(ended.failure()));
        }
        return attempt.exitCode != null ? endWithoutResult(attempt) : Behaviors.same();
    }

    private Behavior<Message> endWithoutResult(WorkerAttempt attempt) {
        return end(attempt, "agent exited with code " + attempt.exitCode + " without a result");
    }

    private Behavior<Message> onTaskTimedOut(TaskTimedOut timeout) {
        return end(timeout.attempt(), "timeout: still running after " + Durations.format(run.goal().limits().taskTimeout()));
    }

    private Behavior<Message> onIdleCheck(IdleCheck check) {
        WorkerAttempt attempt = check.attempt();
        attempt.process.observeDescendants();
        Duration idle = run.goal().limits().idleTimeout();
        if (System.nanoTime() - attempt.lastOutputNanos.get() >= idle.toNanos()) {
            return end(attempt, "idle: no output for " + Durations.format(idle));
        }
        return Behaviors.same();
    }

    /** Decides the attempt ({@code failure == null}: success) and stops the process tree either way. */
    private Behavior<Message> end(WorkerAttempt attempt, String failure) {
        attempt.failure = failure;
        timers.cancelAll();
        tells.ended(attempt);
        getContext().pipeToSelf(attempt.process.stop(run.tuning().killGrace(), run.blocking()),
                (code, error) -> new ProcessGone(attempt));
        return ending();
    }

    private Behavior<Message> onProcessGone(ProcessGone gone) {
        WorkerAttempt attempt = gone.attempt();
        attempt.processGone = true;
        if (attempt.outputEnded) {
            return settle(attempt);
        }
        // Everything the agent started is dead, so its stdout should close at once; if it does not, stop reading.
        timers.startSingleTimer(new OutputDeadline(attempt), run.tuning().killGrace());
        return Behaviors.same();
    }

    private Behavior<Message> onOutputDeadline(OutputDeadline deadline) {
        deadline.attempt().output.shutdown();
        return Behaviors.same();
    }

    private Behavior<Message> onOutputEndedWhileEnding(OutputEnded ended) {
        WorkerAttempt attempt = ended.attempt();
        attempt.outputEnded = true;
        return attempt.processGone ? settle(attempt) : Behaviors.same();
    }

    private Behavior<Message> settle(WorkerAttempt attempt) {
        timers.cancelAll();
        AttemptSettlement.Decided decided = new AttemptSettlement.Decided(attempt.assignment, attempt.started,
                attempt.result, attempt.exitCode, attempt.failure);
        getContext().pipeToSelf(Blocking.call(run.blocking(),
                        () -> settlement.settle(decided, attempt.workspace, attempt.leaveOut)),
                (settled, failure) -> failure == null ? new Settled(attempt, settled.result(), settled.failure())
                        : new Settled(attempt, null, attempt.failure != null ? attempt.failure
                                : "could not commit the agent's work: " + Blocking.describe(failure)));
        return settling();
    }

    private Behavior<Message> onSettled(Settled settled) {
        return report(settled.attempt(), settled.result(), settled.failure());
    }

    private Behavior<Message> report(WorkerAttempt attempt, AttemptResult success, String failure) {
        current = null;
        if (success == null && run.agents().stopped()) {
            // troupe's own stop ended the agent (SIGTERM, Ctrl-C): no fault of the task, and no attempt it should
            // lose. Unreported, the attempt stays under way in the journal, which a resume does not count.
            return idle();
        }
        if (success != null) {
            attempt.replyTo.tell(new WorkerProtocol.AttemptSucceeded(self(), attempt.id(), success));
        } else {
            attempt.replyTo.tell(attempt.failed(self(), failure));
        }
        return idle();
    }

    /** How this worker is known to those it reports to. */
    private ActorRef<WorkerProtocol.Command> self() {
        return getContext().getSelf().narrow();
    }

    /** The actor is stopping (run over, or troupe shutting down): no agent may outlive it. */
    private Behavior<Message> onStop() {
        if (current != null && current.process != null && current.process.isAlive()) {
            current.process.stopNow(run.tuning().killGrace());
        }
        launcher.release();
        return Behaviors.same();
    }
}
