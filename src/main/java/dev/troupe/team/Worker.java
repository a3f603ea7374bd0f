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
import akka.stream.javadsl.FileIO;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.StreamConverters;
import dev.troupe.agent.AgentCommand;
import dev.troupe.agent.AgentMessage;
import dev.troupe.agent.AgentProcess;
import dev.troupe.agent.StreamJson;
import dev.troupe.git.Commits;
import dev.troupe.git.Worktrees;
import dev.troupe.goal.Durations;
import dev.troupe.goal.Goal;
import dev.troupe.journal.TeamEvent;
import dev.troupe.journal.Usage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;

/**
 * One team slot: owns one git worktree for its whole life and runs one agent at a time in it. For each
 * assignment it checks out a fresh task branch at the given base, runs the agent with stdin closed, journals
 * every stdout line, and ends the attempt at the agent's first {@code result} (stopping the process itself,
 * since the CLI may linger for minutes), on exit without a result, or on the task or idle timeout. A successful
 * attempt commits what the agent left and is reported with its commit; any other ending is reported as failed.
 */
public final class Worker extends AbstractBehavior<Worker.Command> {

    public sealed interface Command {}

    public record Assign(Assignment assignment, ActorRef<TeamLead.Command> replyTo) implements Command {}

    private record Launched(AgentProcess process, Throwable failure) implements Command {}

    private record AgentSaid(AgentMessage message) implements Command {}

    private record OutputEnded(Throwable failure) implements Command {}

    private record AgentExited(int code) implements Command {}

    private record TaskTimedOut() implements Command {}

    private record IdleCheck() implements Command {}

    private record ProcessGone() implements Command {}

    private record Committed(AttemptResult result, Throwable failure) implements Command {}

    /** Which messages from the stream a worker acts on; the rest are only journaled. */
    private static final Set<Class<? extends AgentMessage>> STEERING =
            Set.of(AgentMessage.Init.class, AgentMessage.Result.class, AgentMessage.ApiRetry.class);

    /** The attempt in progress: confined to this actor. */
    private static final class Attempt {
        final Assignment assignment;
        final ActorRef<TeamLead.Command> replyTo;
        final String sessionId = UUID.randomUUID().toString();
        final Instant started = Instant.now();
        final AtomicLong lastOutputNanos = new AtomicLong(System.nanoTime());
        AgentProcess process;
        AgentMessage.Result result;
        boolean outputEnded;
        boolean exited;
        boolean processGone;
        String failure;

        Attempt(Assignment assignment, ActorRef<TeamLead.Command> replyTo) {
            this.assignment = assignment;
            this.replyTo = replyTo;
        }

        Goal.TaskSpec task() {
            return assignment.task();
        }
    }

    private final RunContext run;
    private final String name;
    private final Path worktree;
    private final TimerScheduler<Command> timers;
    private Attempt current;

    private Worker(ActorContext<Command> context, TimerScheduler<Command> timers, RunContext run, String name) {
        super(context);
        this.timers = timers;
        this.run = run;
        this.name = name;
        this.worktree = run.worktrees().resolve(name);
    }

    public static Behavior<Command> create(RunContext run, String name) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> new Worker(context, timers, run, name)));
    }

    @Override
    public Receive<Command> createReceive() {
        return idle();
    }

    private Receive<Command> idle() {
        return newReceiveBuilder()
                .onMessage(Assign.class, this::onAssign)
                .onSignal(PostStop.class, signal -> onStop())
                .build();
    }

    private Receive<Command> launching() {
        return newReceiveBuilder()
                .onMessage(Launched.class, this::onLaunched)
                .onSignal(PostStop.class, signal -> onStop())
                .build();
    }

    private Receive<Command> running() {
        return newReceiveBuilder()
                .onMessage(AgentSaid.class, this::onAgentSaid)
                .onMessage(AgentExited.class, this::onAgentExited)
                .onMessage(OutputEnded.class, this::onOutputEnded)
                .onMessage(TaskTimedOut.class, this::onTaskTimedOut)
                .onMessage(IdleCheck.class, this::onIdleCheck)
                .onSignal(PostStop.class, signal -> onStop())
                .build();
    }

    /** The attempt's outcome is decided; waiting for the process to be gone and its output fully journaled. */
    private Receive<Command> ending() {
        return newReceiveBuilder()
                .onMessage(ProcessGone.class, this::onProcessGone)
                .onMessage(OutputEnded.class, this::onOutputEndedWhileEnding)
                .onMessage(AgentSaid.class, message -> Behaviors.same())
                .onMessage(AgentExited.class, message -> Behaviors.same())
                .onMessage(TaskTimedOut.class, message -> Behaviors.same())
                .onMessage(IdleCheck.class, message -> Behaviors.same())
                .onSignal(PostStop.class, signal -> onStop())
                .build();
    }

    private Receive<Command> committing() {
        return newReceiveBuilder()
                .onMessage(Committed.class, this::onCommitted)
                .onSignal(PostStop.class, signal -> onStop())
                .build();
    }

    private Behavior<Command> onAssign(Assign assign) {
        current = new Attempt(assign.assignment(), assign.replyTo());
        Assignment assignment = assign.assignment();
        List<String> argv = AgentCommand.argv(run.goal().agent(), assignment.task(), assignment.prompt(),
                current.sessionId);
        getContext().pipeToSelf(Blocking.call(run.blocking(), () -> launch(assignment, argv)),
                (process, failure) -> new Launched(process, failure));
        return launching();
    }

    /** Blocking: the fresh branch in this worker's worktree, then the agent process. */
    private AgentProcess launch(Assignment assignment, List<String> argv) throws Exception {
        Worktrees.checkoutFresh(run.repo(), worktree, assignment.branch(), assignment.base().name());
        Path stderr = run.agentOutput(assignment.task(), assignment.attempt(), ".stderr");
        Files.createDirectories(stderr.getParent());
        return AgentProcess.start(argv, worktree, environment(), stderr);
    }

    /**
     * What the agent gets on top of troupe's own environment (credentials pass through untouched): bounds on the
     * CLI's own API retries and waits, its own temp dir, optionally its own config dir, then the goal's
     * {@code agent.env}, which wins.
     */
    private Map<String, String> environment() throws IOException {
        Map<String, String> env = new HashMap<>();
        Goal.Limits limits = run.goal().limits();
        env.put("CLAUDE_CODE_MAX_RETRIES", Integer.toString(limits.apiRetries()));
        env.put("API_TIMEOUT_MS", Long.toString(limits.apiTimeout().toMillis()));
        env.put("CLAUDE_BYTE_STREAM_IDLE_TIMEOUT_MS", Long.toString(limits.apiTimeout().toMillis()));
        Path tmp = run.runDir().resolve("tmp").resolve(name);
        Files.createDirectories(tmp);
        env.put("CLAUDE_CODE_TMPDIR", tmp.toString());
        if (run.goal().agent().isolateConfig()) {
            Path config = run.runDir().resolve("config").resolve(name);
            Files.createDirectories(config);
            env.put("CLAUDE_CONFIG_DIR", config.toString());
        }
        env.putAll(run.goal().agent().env());
        return env;
    }

    private Behavior<Command> onLaunched(Launched launched) {
        Attempt attempt = current;
        if (launched.failure() != null) {
            return reportFailure(attempt, "could not start the agent: " + Blocking.describe(launched.failure()));
        }
        attempt.process = launched.process();
        Assignment assignment = attempt.assignment;
        run.journal().append(new TeamEvent.AgentStarted(Instant.now(), assignment.task().id(), assignment.attempt(),
                attempt.process.pid(), attempt.sessionId,
                AgentCommand.argv(run.goal().agent(), assignment.task(), "<prompt>", attempt.sessionId)));
        getContext().pipeToSelf(readOutput(attempt), (done, failure) -> new OutputEnded(failure));
        getContext().pipeToSelf(attempt.process.exit(), (code, failure) -> new AgentExited(code == null ? -1 : code));
        Goal.Limits limits = run.goal().limits();
        timers.startSingleTimer(new TaskTimedOut(), limits.taskTimeout());
        timers.startTimerWithFixedDelay(new IdleCheck(), run.idleCheckInterval());
        return running();
    }

    /**
     * The agent's stdout, raw into {@code agents/<task>-<n>.jsonl} and line by line into the journal. The journal
     * backpressures, so an agent printing faster than the disk is simply slowed down.
     */
    private CompletionStage<Done> readOutput(Attempt attempt) {
        Assignment assignment = attempt.assignment;
        String taskId = assignment.task().id();
        int number = assignment.attempt();
        ActorRef<Command> self = getContext().getSelf();
        Path raw = run.agentOutput(assignment.task(), number, ".jsonl");
        return StreamConverters.fromInputStream(attempt.process::stdout)
                .alsoTo(FileIO.toPath(raw))
                .via(StreamJson.lines(run.maxLineBytes()))
                .map(StreamJson::decode)
                .map(line -> {
                    attempt.lastOutputNanos.set(System.nanoTime());
                    if (STEERING.contains(line.message().getClass())) {
                        self.tell(new AgentSaid(line.message()));
                    }
                    return line;
                })
                .mapAsync(1, line -> run.journal().append(new TeamEvent.AgentOutput(
                        Instant.now(), taskId, number, line.json(), line.text(), false)))
                .runWith(Sink.ignore(), getContext().getSystem());
    }

    private Behavior<Command> onAgentSaid(AgentSaid said) {
        if (said.message() instanceof AgentMessage.ApiRetry retry) {
            Assignment assignment = current.assignment;
            run.journal().append(new TeamEvent.AgentRetry(Instant.now(), assignment.task().id(),
                    assignment.attempt(), retry.error(), retry.errorStatus().orElse(null), retry.attempt(),
                    retry.maxRetries(), retry.delayMs()));
            return Behaviors.same();
        }
        if (said.message() instanceof AgentMessage.Result result) {
            current.result = result;
            if (result.isError()) {
                return end(result.failureReason());
            }
            // Success: the first result ends the task even if the process would linger.
            return end(null);
        }
        return Behaviors.same();
    }

    private Behavior<Command> onAgentExited(AgentExited exited) {
        current.exited = true;
        if (current.outputEnded) {
            return end("agent exited with code " + exited.code() + " without a result");
        }
        current.failure = "agent exited with code " + exited.code() + " without a result";
        return Behaviors.same();
    }

    private Behavior<Command> onOutputEnded(OutputEnded ended) {
        current.outputEnded = true;
        if (ended.failure() != null) {
            return end("could not read the agent's output: " + Blocking.describe(ended.failure()));
        }
        if (current.exited) {
            return end(current.failure);
        }
        return Behaviors.same();
    }

    private Behavior<Command> onTaskTimedOut(TaskTimedOut timeout) {
        return end("timeout: still running after " + Durations.format(run.goal().limits().taskTimeout()));
    }

    private Behavior<Command> onIdleCheck(IdleCheck check) {
        Duration idle = run.goal().limits().idleTimeout();
        long silentNanos = System.nanoTime() - current.lastOutputNanos.get();
        if (silentNanos >= idle.toNanos()) {
            return end("idle: no output for " + Durations.format(idle));
        }
        return Behaviors.same();
    }

    /** Decides the attempt: {@code failure == null} means success. Stops the process tree either way. */
    private Behavior<Command> end(String failure) {
        Attempt attempt = current;
        attempt.failure = failure;
        timers.cancelAll();
        getContext().pipeToSelf(attempt.process.stop(run.killGrace(), run.blocking()), (code, error) -> new ProcessGone());
        return ending();
    }

    private Behavior<Command> onProcessGone(ProcessGone gone) {
        current.processGone = true;
        return current.outputEnded ? finish() : Behaviors.same();
    }

    private Behavior<Command> onOutputEndedWhileEnding(OutputEnded ended) {
        current.outputEnded = true;
        return current.processGone ? finish() : Behaviors.same();
    }

    private Behavior<Command> finish() {
        Attempt attempt = current;
        if (attempt.failure != null) {
            return reportFailure(attempt, attempt.failure);
        }
        getContext().pipeToSelf(Blocking.call(run.blocking(), () -> commit(attempt)),
                (result, failure) -> new Committed(result, failure));
        return committing();
    }

    /** Blocking: commits the agent's work, lists what changed and writes {@code results/<task>.md}. */
    private AttemptResult commit(Attempt attempt) throws Exception {
        Assignment assignment = attempt.assignment;
        AgentMessage.Result result = attempt.result;
        String title = assignment.task().id() + ": " + firstLine(assignment.task().prompt());
        ObjectId head = Commits.commitAll(worktree, "troupe: " + title + "\n\nWork of the agent on attempt "
                + assignment.attempt() + ".\n");
        List<String> files;
        try (Git git = Git.open(worktree.toFile())) {
            files = Commits.changedPaths(git.getRepository(), assignment.base(), head);
        }
        long duration = Duration.between(attempt.started, Instant.now()).toMillis();
        AttemptResult done = new AttemptResult(assignment.branch(), head, result.costUsd(), result.usage(),
                result.turns(), duration, files, result.text());
        writeResultFile(assignment, done);
        return done;
    }

    private void writeResultFile(Assignment assignment, AttemptResult done) throws IOException {
        Path file = run.resultFile(assignment.task());
        Files.createDirectories(file.getParent());
        StringBuilder md = new StringBuilder();
        md.append("# ").append(assignment.task().id()).append("\n\n");
        md.append("Attempt ").append(assignment.attempt()).append(", branch `").append(done.branch())
                .append("`, commit `").append(done.commit().name()).append("`.\n\n");
        md.append("## Prompt\n\n").append(assignment.task().prompt()).append("\n\n");
        md.append("## Result\n\n").append(done.text() == null || done.text().isBlank() ? "(no text)" : done.text())
                .append("\n\n");
        md.append("## Files changed\n\n");
        if (done.filesChanged().isEmpty()) {
            md.append("(none)\n");
        }
        done.filesChanged().forEach(f -> md.append("- ").append(f).append('\n'));
        Files.writeString(file, md, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    }

    private Behavior<Command> onCommitted(Committed committed) {
        Attempt attempt = current;
        if (committed.failure() != null) {
            return reportFailure(attempt, Blocking.describe(committed.failure()));
        }
        current = null;
        attempt.replyTo.tell(new TeamLead.AttemptSucceeded(getContext().getSelf(), attempt.task().id(),
                attempt.assignment.attempt(), committed.result()));
        return idle();
    }

    private Behavior<Command> reportFailure(Attempt attempt, String reason) {
        current = null;
        AgentMessage.Result result = attempt.result;
        attempt.replyTo.tell(new TeamLead.AttemptFailed(getContext().getSelf(), attempt.task().id(),
                attempt.assignment.attempt(), reason, result == null ? 0 : result.costUsd(),
                result == null ? Usage.NONE : result.usage()));
        return idle();
    }

    /** The actor is stopping (run over, or troupe shutting down): no agent may outlive it. */
    private Behavior<Command> onStop() {
        if (current != null && current.process != null && current.process.isAlive()) {
            current.process.stopNow(run.killGrace());
        }
        return Behaviors.same();
    }

    private static String firstLine(String text) {
        String first = text.strip().lines().findFirst().orElse("");
        return first.length() > 72 ? first.substring(0, 69) + "..." : first;
    }
}
