package dev.troupe.remote;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import dev.troupe.cluster.FileTransfer;
import dev.troupe.journal.TeamEvent;
import dev.troupe.team.rules.Assignment;
import dev.troupe.team.rules.AttemptResult;
import dev.troupe.team.Blocking;
import dev.troupe.team.rules.RunContext;
import dev.troupe.team.WorkerProtocol.Message;
import dev.troupe.team.WorkerProtocol;
import dev.troupe.team.rules.RunContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The lead's worker for one slot of a node: to the team lead it is a worker like any other; it sends each
 * assignment to the node with a thin bundle of its base, and brings the node's commit back into the task's branch
 * here before it reports success, so the Merger merges it as a local worker's. When the node is lost (downed by
 * the Split Brain Resolver, or gone) this worker stops, and the lead tries its task again elsewhere; whatever the
 * lost node says after that reaches nobody.
 */
public final class RemoteWorker extends AbstractBehavior<Message> {

    // It takes the WorkerProtocol's commands, and these of its own.

    /** The attempt's messages for the node are made (goal, bundle), or could not be. */
    private record Sending(Current attempt, NodeProtocol.RunAttempt request, Throwable failure) implements Message {}

    /** What the node said of the attempt under way, through this worker's message adapter. */
    private record NodeAnswered(NodeProtocol.Answer answer) implements Message {}

    /** The node's answer is taken in (its bundle fetched, its result file written), or could not be. */
    private record Taken(Current attempt, WorkerProtocol.Report report, Throwable failure) implements Message {}

    private record NodeGone() implements Message {}

    /** The node has had the attempt for longer than any attempt may take. */
    private record Deadline(Current attempt) implements Message {}

    /** How long past the task timeout a node may take to answer (taking bundles in and out, setup). */
    private static final java.time.Duration ANSWER_MARGIN = java.time.Duration.ofMinutes(5);

    private static final class Current {
        final Assignment assignment;
        final ActorRef<WorkerProtocol.Report> replyTo;
        boolean cancelled;
        /** The attempt has gone to the node; before, what it is told waits in {@code toldEarly}. */
        boolean sent;
        final List<WorkerProtocol.Tell> toldEarly = new ArrayList<>();

        Current(Assignment assignment, ActorRef<WorkerProtocol.Report> replyTo) {
            this.assignment = assignment;
            this.replyTo = replyTo;
        }

        WorkerProtocol.AttemptId id() {
            return WorkerProtocol.AttemptId.of(assignment);
        }
    }

    /** The most a message told to a node's agent may be: one cluster message carries 256 KiB at most. */
    private static final int MAX_TOLD_BYTES = 200 * 1024;

    /** What the copied files of one attempt may come to: configuration, not data. */
    private static final long MAX_COPIED_BYTES = 1024L * 1024;

    private final RunContext run;
    private final ActorRef<NodeProtocol.ToNode> node;
    private final int slot;
    /** What the node said it has, for thin bundles; shared by the node's slots. */
    private final NodeHaves haves;
    /** Whether the node keeps failing for its own reasons; shared by its slots. */
    private final NodeHealth health;
    private Current current;
    /** Set once this worker stopped (its node lost): blocking work under way then changes nothing more here. */
    private volatile boolean stopped;
    // Taken once, on the actor: the blocking calls below must not touch the actor's context.
    /** How the lead knows this worker: the reports it passes on are its own. */
    private final ActorRef<WorkerProtocol.Command> self;
    /** Where the node answers. */
    private final ActorRef<NodeProtocol.Answer> answers;
    private final akka.actor.typed.ActorSystem<?> system;

    private RemoteWorker(ActorContext<Message> context, RunContext run, ActorRef<NodeProtocol.ToNode> node, int slot,
            NodeHaves haves, NodeHealth health) {
        super(context);
        this.run = run;
        this.node = node;
        this.slot = slot;
        this.haves = haves;
        this.health = health;
        this.self = context.getSelf().narrow();
        this.answers = context.messageAdapter(NodeProtocol.Answer.class, NodeAnswered::new);
        this.system = context.getSystem();
        context.watchWith(node, new NodeGone());
    }

    /** @param slot the node's slot, numbered from 0 */
    public static Behavior<WorkerProtocol.Command> create(RunContext run, ActorRef<NodeProtocol.ToNode> node,
            int slot, NodeHaves haves, NodeHealth health) {
        return Behaviors.<Message>setup(context -> new RemoteWorker(context, run, node, slot, haves, health)).narrow();
    }

    @Override
    public Receive<Message> createReceive() {
        return newReceiveBuilder()
                .onMessage(WorkerProtocol.Assign.class, this::onAssign)
                .onMessage(WorkerProtocol.Cancel.class, this::onCancel)
                .onMessage(WorkerProtocol.Tell.class, this::onTell)
                .onMessage(Sending.class, this::onSending)
                .onMessage(NodeAnswered.class, this::onAnswer)
                .onMessage(Taken.class, this::onTaken)
                .onMessage(NodeGone.class, gone -> Behaviors.stopped())
                .onMessage(Deadline.class, this::onDeadline)
                .onSignal(akka.actor.typed.PostStop.class, stop -> {
                    stopped = true;
                    return Behaviors.same();
                })
                .build();
    }

    private Behavior<Message> onAssign(WorkerProtocol.Assign assign) {
        Current attempt = new Current(assign.assignment(), assign.replyTo());
        current = attempt;
        if (health.dropped()) {
            // Another slot of the node took it out of the team while this one was idle: free, and this slot goes.
            return report(WorkerProtocol.AttemptFailed.nodesFault(self, attempt.id(), "its node "
                    + health.node() + " is out of the team"));
        }
        getContext().pipeToSelf(Blocking.call(run.blocking(), () -> request(attempt.assignment)),
                (request, failure) -> new Sending(attempt, request, failure));
        return Behaviors.same();
    }

    /** Blocking: the goal as the run has it now, and a bundle of the base unless the node has it. */
    private NodeProtocol.RunAttempt request(Assignment assignment) throws Exception {
        Path goalFile = run.tasksGoalFile();
        Path bundleFile = run.runDir().resolve("bundles").resolve(self.path().name() + "-out.bundle");
        Files.createDirectories(bundleFile.getParent());
        String base = assignment.base().name();
        NodeProtocol.Bundle bundle = null;
        long started = System.nanoTime();
        if (Bundles.toNode(run.repo(), base, haves.get(), bundleFile) instanceof Bundles.Written written) {
            bundle = new NodeProtocol.Bundle(FileTransfer.offer(written.file(), system), written.bytes());
        }
        journalBundle(assignment, "to-node", bundle == null ? 0 : bundle.bytes(), started);
        NodeProtocol.GoalSent goal = new NodeProtocol.GoalSent(goalFile.getFileName().toString(),
                Files.readString(goalFile, StandardCharsets.UTF_8),
                run.goal().file().toAbsolutePath().getParent().toString(), copiedFiles());
        return new NodeProtocol.RunAttempt(run.runId(), slot, goal, NodeProtocol.AssignmentSent.of(assignment), bundle,
                answers);
    }

    /** Blocking: the files the goal copies into every workspace, as they are in the user's checkout now. */
    private List<NodeProtocol.CopiedFile> copiedFiles() throws Exception {
        List<NodeProtocol.CopiedFile> files = new ArrayList<>();
        long bytes = 0;
        for (String path : run.workspaces().copiedFiles()) {
            Path file = run.repo().resolve(path);
            byte[] content = Files.readAllBytes(file);
            bytes += content.length;
            if (bytes > MAX_COPIED_BYTES) {
                throw new java.io.IOException("the files workspace.copy names come to more than "
                        + MAX_COPIED_BYTES / (1024 * 1024) + " MB, more than a node is sent: keep them to configuration "
                        + "and let the node's workspace.setup make the rest");
            }
            java.util.Optional<String> credential = dev.troupe.agent.Secrets.apiCredentialIn(content, System.getenv());
            if (credential.isPresent()) {
                throw new java.io.IOException(path + " (workspace.copy) holds this machine's " + credential.get()
                        + ", and troupe never sends API credentials to another node: keep it out of the copied files, "
                        + "and let each node use its own");
            }
            files.add(new NodeProtocol.CopiedFile(path, content, Files.isExecutable(file)));
        }
        return files;
    }

    private Behavior<Message> onSending(Sending sending) {
        Current attempt = sending.attempt();
        if (attempt != current) {
            return Behaviors.same();
        }
        if (sending.failure() != null) {
            attempt.toldEarly.forEach(tell -> notHeard(tell, "its attempt could not be sent to its node"));
            return report(WorkerProtocol.AttemptFailed.unspent(self, attempt.id(), "could not send the attempt to its "
                    + "node: " + Blocking.describe(sending.failure())));
        }
        node.tell(sending.request());
        attempt.sent = true;
        attempt.toldEarly.forEach(this::tellNode);
        attempt.toldEarly.clear();
        // A message Artery could not carry, or a node that lost the attempt, would otherwise keep it waiting forever.
        getContext().scheduleOnce(run.goal().limits().taskTimeout()
                .plus(run.tuning().workspaces(run.goal()).setupTimeout()).plus(ANSWER_MARGIN), getContext().getSelf(),
                new Deadline(attempt));
        if (attempt.cancelled) {
            node.tell(new NodeProtocol.CancelAttempt(run.runId(), slot));
        }
        return Behaviors.same();
    }

    private Behavior<Message> onCancel(WorkerProtocol.Cancel cancel) {
        if (current != null) {
            current.cancelled = true;
            node.tell(new NodeProtocol.CancelAttempt(run.runId(), slot));
        }
        return Behaviors.same();
    }

    /**
     * {@code troupe tell}: passed to the node, whose worker answers through it, once the attempt has gone there. A
     * message longer than one cluster message carries waits for the task's next attempt.
     */
    private Behavior<Message> onTell(WorkerProtocol.Tell tell) {
        int bytes = tell.text().getBytes(StandardCharsets.UTF_8).length;
        if (current == null) {
            notHeard(tell, "no agent of task '" + tell.taskId() + "' runs on " + self.path().name() + " now");
        } else if (bytes > MAX_TOLD_BYTES) {
            notHeard(tell, "at " + bytes / 1024 + " KiB it is longer than a message to a worker node may be ("
                    + MAX_TOLD_BYTES / 1024 + " KiB)");
        } else if (!current.sent) {
            current.toldEarly.add(tell);
        } else {
            tellNode(tell);
        }
        return Behaviors.same();
    }

    private void tellNode(WorkerProtocol.Tell tell) {
        node.tell(new NodeProtocol.TellAgent(run.runId(), slot, tell.taskId(), tell.messageId(), tell.text(),
                tell.redirect()));
    }

    private void notHeard(WorkerProtocol.Tell tell, String reason) {
        tell.notHeard(self, current != null ? current.id() : null, reason);
    }

    private Behavior<Message> onAnswer(NodeAnswered answered) {
        NodeProtocol.Answer answer = answered.answer();
        Current attempt = current;
        if (attempt != null && (answer.report() instanceof WorkerProtocol.MessageHeard
                || answer.report() instanceof WorkerProtocol.MessageNotHeard)) {
            // A tell's answer, whatever attempt the node's worker names: the lead knows it by the message's id.
            attempt.replyTo.tell(answer.report().from(self));
            return Behaviors.same();
        }
        if (attempt == null || !answer.report().attempt().taskId().equals(attempt.assignment.task().id())
                || answer.report().attempt().attempt() != attempt.assignment.attempt()) {
            return Behaviors.same();
        }
        if (answer.report() instanceof WorkerProtocol.ApiPressure) {
            // Said while the attempt goes on: passed on as this worker's.
            attempt.replyTo.tell(answer.report().from(self));
            return Behaviors.same();
        }
        getContext().pipeToSelf(Blocking.call(run.blocking(), () -> take(attempt, answer)),
                (taken, failure) -> new Taken(attempt, taken, failure));
        return Behaviors.same();
    }

    /** Blocking: the node's report as this worker's own, its commit fetched into the task's branch. */
    private WorkerProtocol.Report take(Current attempt, NodeProtocol.Answer answer) throws Exception {
        if (!(answer.report() instanceof WorkerProtocol.AttemptSucceeded done)) {
            haves.update(answer.haves());
            return answer.report().from(self);
        }
        if (stopped) {
            throw new IllegalStateException("its node was lost");
        }
        Assignment assignment = attempt.assignment;
        AttemptResult result = done.result();
        NodeProtocol.Bundle bundle = answer.bundle();
        if (bundle != null) {
            long started = System.nanoTime();
            Path file = run.runDir().resolve("bundles").resolve(self.path().name() + "-in.bundle");
            FileTransfer.spool(bundle.source(), bundle.bytes(), file, system).toCompletableFuture().get();
            try {
                if (stopped) {
                    throw new IllegalStateException("its node was lost");
                }
                Bundles.fetchFromNode(run.repo(), file, result.commit().name(), assignment.branch());
            } finally {
                Files.deleteIfExists(file);
            }
            journalBundle(assignment, "from-node", bundle.bytes(), started);
        } else if (result.commit() != null) {
            Bundles.pointAtNodeCommit(run.repo(), result.commit().name(), assignment.branch());
        }
        if (result.commit() != null) {
            try {
                result = NodeCommitCheck.verified(run.repo(), assignment.base(), assignment.task().zone(), result);
            } catch (NodeCommitCheck.Refused refused) {
                haves.update(answer.haves());
                return new WorkerProtocol.AttemptFailed(self, done.attempt(), "the lead refused the node's work: "
                        + refused.getMessage(), new WorkerProtocol.Spend(result.costUsd(), result.usage()), false, false, 0);
            }
        }
        if (answer.resultText() != null && assignment.role() == Assignment.Role.WRITER && !stopped) {
            Path resultFile = run.resultFile(assignment);
            Files.createDirectories(resultFile.getParent());
            Files.writeString(resultFile, answer.resultText(), StandardCharsets.UTF_8);
        }
        haves.update(answer.haves());
        // No answer may arrive as a JSON null (Jackson reads an absent one so); a session stays on its node.
        AttemptResult taken = result.withAnswer(result.answer().filter(json -> !json.isNull())).withoutSession();
        return new WorkerProtocol.AttemptSucceeded(self, done.attempt(), taken);
    }

    private void journalBundle(Assignment assignment, String direction, long bytes, long startedNanos) {
        run.journal().append(new TeamEvent.BundleMoved(Instant.now(), assignment.task().id(), assignment.attempt(),
                self.path().name(), direction, bytes,
                java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos)));
    }

    private Behavior<Message> onDeadline(Deadline deadline) {
        if (deadline.attempt() != current) {
            return Behaviors.same();
        }
        return report(WorkerProtocol.AttemptFailed.nodesFault(self, deadline.attempt().id(), "its node did not answer "
                + "within the task timeout and " + ANSWER_MARGIN.toMinutes() + " minutes more"));
    }

    private Behavior<Message> onTaken(Taken taken) {
        if (taken.attempt() != current) {
            return Behaviors.same();
        }
        return report(taken.failure() == null ? taken.report() : WorkerProtocol.AttemptFailed.nodesFault(self,
                taken.attempt().id(), "could not take the node's work: " + Blocking.describe(taken.failure())));
    }

    /**
     * The attempt's outcome to the lead. After the node's own failures in a row ({@link NodeHealth}), the node is out
     * of the team: the one whose report takes it out journals so, and each of its slots stops at its next report (the
     * lead then runs their tasks elsewhere, as for a node lost).
     */
    private Behavior<Message> report(WorkerProtocol.Report outcome) {
        Current attempt = current;
        current = null;
        if (outcome instanceof WorkerProtocol.AttemptFailed failed && failed.nodesFault()) {
            if (health.failed()) {
                run.journal().append(new TeamEvent.NodeLost(Instant.now(), health.node(),
                        node.path().address().toString(), "it failed " + NodeHealth.LIMIT + " attempts in a row for its"
                                + " own reasons, the last: " + failed.reason()));
            }
        } else {
            health.worked();
        }
        attempt.replyTo.tell(outcome);
        return health.dropped() ? Behaviors.stopped() : Behaviors.same();
    }

    /** The commits a node said it has, kept for its slots' next bundles. */
    public static final class NodeHaves {
        private List<String> haves;

        public NodeHaves(List<String> haves) {
            this.haves = List.copyOf(haves);
        }

        synchronized List<String> get() {
            return new ArrayList<>(haves);
        }

        /** {@code now}: null when the node did not say. */
        synchronized void update(List<String> now) {
            if (now != null) {
                haves = List.copyOf(now);
            }
        }
    }
}
