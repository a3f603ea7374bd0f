package dev.troupe.remote;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.stream.SourceRef;
import akka.util.ByteString;
import dev.troupe.cluster.FileTransfer;
import dev.troupe.journal.TeamEvent;
import dev.troupe.team.rules.Assignment;
import dev.troupe.team.rules.AttemptResult;
import dev.troupe.team.Blocking;
import dev.troupe.team.rules.RunContext;
import dev.troupe.team.TeamLead;
import dev.troupe.team.Worker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.lib.ObjectId;

/**
 * The lead's worker for one slot of a node: to the team lead it is a worker like any other; it sends each
 * assignment to the node with a thin bundle of its base, and brings the node's commit back into the task's branch
 * here before it reports success, so the Merger merges it as a local worker's. When the node is lost (downed by
 * the Split Brain Resolver, or gone) this worker stops, and the lead tries its task again elsewhere; whatever the
 * lost node says after that reaches nobody.
 */
public final class RemoteWorker extends AbstractBehavior<Object> {

    /** The attempt's messages for the node are made (goal, bundle), or could not be. */
    private record Sending(Current attempt, NodeProtocol.RunAttempt request, Throwable failure) {}

    /** The node's answer is taken in (its bundle fetched, its result file written), or could not be. */
    private record Taken(Current attempt, TeamLead.Command report, Throwable failure) {}

    private record NodeGone() {}

    /** The node has had the attempt for longer than any attempt may take. */
    private record Deadline(Current attempt) {}

    /** How long past the task timeout a node may take to answer (taking bundles in and out, setup). */
    private static final java.time.Duration ANSWER_MARGIN = java.time.Duration.ofMinutes(5);

    private static final class Current {
        final Assignment assignment;
        final ActorRef<TeamLead.Command> replyTo;
        boolean cancelled;

        Current(Assignment assignment, ActorRef<TeamLead.Command> replyTo) {
            this.assignment = assignment;
            this.replyTo = replyTo;
        }
    }

    /** What the copied files of one attempt may come to: configuration, not data. */
    private static final long MAX_COPIED_BYTES = 1024L * 1024;

    private final RunContext run;
    private final ActorRef<NodeProtocol.ToNode> node;
    private final int slot;
    /** What the node said it has, for thin bundles; shared by the node's slots. */
    private final NodeHaves haves;
    private Current current;
    /** Set once this worker stopped (its node lost): blocking work under way then changes nothing more here. */
    private volatile boolean stopped;
    // Taken once, on the actor: the blocking calls below must not touch the actor's context.
    private final ActorRef<Object> self;
    private final akka.actor.typed.ActorSystem<?> system;

    private RemoteWorker(ActorContext<Object> context, RunContext run, ActorRef<NodeProtocol.ToNode> node, int slot,
            NodeHaves haves) {
        super(context);
        this.run = run;
        this.node = node;
        this.slot = slot;
        this.haves = haves;
        this.self = context.getSelf();
        this.system = context.getSystem();
        context.watchWith(node, new NodeGone());
    }

    /** @param slot the node's slot, numbered from 0 */
    public static Behavior<Worker.Command> create(RunContext run, ActorRef<NodeProtocol.ToNode> node, int slot,
            NodeHaves haves) {
        return Behaviors.<Object>setup(context -> new RemoteWorker(context, run, node, slot, haves)).narrow();
    }

    @Override
    public Receive<Object> createReceive() {
        return newReceiveBuilder()
                .onMessage(Worker.Assign.class, this::onAssign)
                .onMessage(Worker.Cancel.class, this::onCancel)
                .onMessage(Sending.class, this::onSending)
                .onMessage(NodeProtocol.Report.class, this::onReport)
                .onMessage(Taken.class, this::onTaken)
                .onMessage(NodeGone.class, gone -> Behaviors.stopped())
                .onMessage(Deadline.class, this::onDeadline)
                .onSignal(akka.actor.typed.PostStop.class, stop -> {
                    stopped = true;
                    return Behaviors.same();
                })
                .build();
    }

    private Behavior<Object> onAssign(Worker.Assign assign) {
        Current attempt = new Current(assign.assignment(), assign.replyTo());
        current = attempt;
        ActorRef<NodeProtocol.Report> replyTo = self.narrow();
        getContext().pipeToSelf(Blocking.call(run.blocking(), () -> request(attempt.assignment, replyTo)),
                (request, failure) -> new Sending(attempt, request, failure));
        return Behaviors.same();
    }

    /** Blocking: the goal as the run has it now, and a bundle of the base unless the node has it. */
    private NodeProtocol.RunAttempt request(Assignment assignment, ActorRef<NodeProtocol.Report> replyTo)
            throws Exception {
        Path goalFile = run.tasksGoalFile();
        Path bundleFile = run.runDir().resolve("bundles").resolve(self.path().name() + "-out.bundle");
        Files.createDirectories(bundleFile.getParent());
        String base = assignment.base().name();
        SourceRef<ByteString> bundle = null;
        long bytes = 0;
        long started = System.nanoTime();
        if (Bundles.toNode(run.repo(), base, haves.get(), bundleFile) instanceof Bundles.Written written) {
            bundle = FileTransfer.offer(written.file(), system);
            bytes = written.bytes();
        }
        journalBundle(assignment, "to-node", bytes, started);
        return new NodeProtocol.RunAttempt(run.runId(), slot, goalFile.getFileName().toString(),
                Files.readString(goalFile, StandardCharsets.UTF_8),
                run.goal().file().toAbsolutePath().getParent().toString(), copiedFiles(), assignment.task(),
                assignment.attempt(),
                assignment.branch(), base, assignment.prompt(), assignment.role().name(),
                assignment.changeFrom().map(ObjectId::name).orElse(null), bundle, bytes, replyTo);
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

    private Behavior<Object> onSending(Sending sending) {
        Current attempt = sending.attempt();
        if (attempt != current) {
            return Behaviors.same();
        }
        if (sending.failure() != null) {
            return report(failed(attempt, "could not send the attempt to its node: "
                    + Blocking.describe(sending.failure()), false));
        }
        node.tell(sending.request());
        // A message Artery could not carry, or a node that lost the attempt, would otherwise keep it waiting forever.
        getContext().scheduleOnce(run.goal().limits().taskTimeout()
                .plus(run.tuning().workspaces(run.goal()).setupTimeout()).plus(ANSWER_MARGIN), self, new Deadline(attempt));
        if (attempt.cancelled) {
            node.tell(new NodeProtocol.CancelAttempt(run.runId(), slot));
        }
        return Behaviors.same();
    }

    private Behavior<Object> onCancel(Worker.Cancel cancel) {
        if (current != null) {
            current.cancelled = true;
            node.tell(new NodeProtocol.CancelAttempt(run.runId(), slot));
        }
        return Behaviors.same();
    }

    private Behavior<Object> onReport(NodeProtocol.Report report) {
        Current attempt = current;
        if (attempt == null || !report.taskId().equals(attempt.assignment.task().id())
                || report.attempt() != attempt.assignment.attempt()) {
            return Behaviors.same();
        }
        if (report instanceof NodeProtocol.Pressure pressure) {
            attempt.replyTo.tell(new TeamLead.ApiPressure(pressure.error(), pressure.delayMs()));
            return Behaviors.same();
        }
        getContext().pipeToSelf(Blocking.call(run.blocking(), () -> take(attempt, report)),
                (taken, failure) -> new Taken(attempt, taken, failure));
        return Behaviors.same();
    }

    /** Blocking: the node's answer as the lead's worker says it, its commit fetched into the task's branch. */
    private TeamLead.Command take(Current attempt, NodeProtocol.Report report) throws Exception {
        ActorRef<Worker.Command> worker = self.narrow();
        Assignment assignment = attempt.assignment;
        if (report instanceof NodeProtocol.Failed failed) {
            haves.update(failed.haves());
            return new TeamLead.AttemptFailed(worker, failed.taskId(), failed.attempt(), assignment.role(),
                    failed.reason(), failed.costUsd(), failed.usage(), failed.rateLimited(), failed.nodesFault(),
                    failed.retryAfterMs());
        }
        if (report instanceof NodeProtocol.NoWorkspace none) {
            return new TeamLead.SetupFailed(worker, none.taskId(), none.attempt(), assignment.role(), none.reason());
        }
        NodeProtocol.Succeeded done = (NodeProtocol.Succeeded) report;
        if (stopped) {
            throw new IllegalStateException("its node was lost");
        }
        if (done.bundle() != null) {
            long started = System.nanoTime();
            Path file = run.runDir().resolve("bundles").resolve(self.path().name() + "-in.bundle");
            FileTransfer.spool(done.bundle(), done.bundleBytes(), file, system).toCompletableFuture()
                    .get();
            try {
                if (stopped) {
                    throw new IllegalStateException("its node was lost");
                }
                Bundles.fetchFromNode(run.repo(), file, done.commit(), assignment.branch());
            } finally {
                Files.deleteIfExists(file);
            }
            journalBundle(assignment, "from-node", done.bundleBytes(), started);
        } else if (done.commit() != null) {
            Bundles.pointAtNodeCommit(run.repo(), done.commit(), assignment.branch());
        }
        if (done.resultText() != null && assignment.role() == Assignment.Role.WRITER && !stopped) {
            Path resultFile = run.resultFile(assignment);
            Files.createDirectories(resultFile.getParent());
            Files.writeString(resultFile, done.resultText(), StandardCharsets.UTF_8);
        }
        haves.update(done.haves());
        AttemptResult result = new AttemptResult(done.branch(), done.commit() == null ? null
                : ObjectId.fromString(done.commit()), done.costUsd(), done.usage(), done.turns(), done.durationMs(),
                List.copyOf(done.filesChanged()), List.copyOf(done.outsideZone()), done.text(),
                done.permissionDenials(), Optional.ofNullable(done.answer()).filter(answer -> !answer.isNull()));
        return new TeamLead.AttemptSucceeded(worker, done.taskId(), done.attempt(), assignment.role(), result);
    }

    private void journalBundle(Assignment assignment, String direction, long bytes, long startedNanos) {
        run.journal().append(new TeamEvent.BundleMoved(Instant.now(), assignment.task().id(), assignment.attempt(),
                self.path().name(), direction, bytes,
                java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos)));
    }

    private Behavior<Object> onDeadline(Deadline deadline) {
        if (deadline.attempt() != current) {
            return Behaviors.same();
        }
        return report(failed(deadline.attempt(), "its node did not answer within the task timeout and "
                + ANSWER_MARGIN.toMinutes() + " minutes more", true));
    }

    private Behavior<Object> onTaken(Taken taken) {
        if (taken.attempt() != current) {
            return Behaviors.same();
        }
        return report(taken.failure() == null ? taken.report() : failed(taken.attempt(),
                "could not take the node's work: " + Blocking.describe(taken.failure()), true));
    }

    /** @param nodesFault the node's doing (it never answered, its work could not be taken in), not the task's */
    private TeamLead.Command failed(Current attempt, String reason, boolean nodesFault) {
        return new TeamLead.AttemptFailed(self.narrow(), attempt.assignment.task().id(),
                attempt.assignment.attempt(), attempt.assignment.role(), reason, 0, dev.troupe.journal.Usage.NONE,
                false, nodesFault, 0);
    }

    private Behavior<Object> report(TeamLead.Command outcome) {
        Current attempt = current;
        current = null;
        attempt.replyTo.tell(outcome);
        return Behaviors.same();
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
