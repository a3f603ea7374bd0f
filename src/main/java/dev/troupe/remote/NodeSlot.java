package dev.troupe.remote;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import dev.troupe.agent.Sandbox;
import dev.troupe.cluster.FileTransfer;
import dev.troupe.git.GitCli;
import dev.troupe.goal.Goal;
import dev.troupe.journal.Usage;
import dev.troupe.team.rules.Assignment;
import dev.troupe.team.rules.AttemptResult;
import dev.troupe.team.Blocking;
import dev.troupe.team.rules.RunContext;
import dev.troupe.team.TeamLead;
import dev.troupe.team.rules.Assignment;
import dev.troupe.team.rules.AttemptResult;
import dev.troupe.team.rules.RunContext;
import dev.troupe.team.Worker;
import dev.troupe.team.WorkerProtocol;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jgit.lib.ObjectId;

/**
 * One slot of a worker node in one run: a {@link Worker} of its own, as the lead's workers are, that takes the
 * attempts the lead's {@link RemoteWorker} for the slot sends, one at a time. For each it takes the base from the
 * lead's bundle, hands the assignment to the worker, and answers with the worker's own reports
 * ({@link NodeProtocol.Answer}) and, for a writer's success, its commit as a thin bundle.
 */
final class NodeSlot extends AbstractBehavior<NodeSlot.Command> {

    sealed interface Command {}

    record Attempt(NodeProtocol.RunAttempt request) implements Command {}

    record Cancel() implements Command {}

    /** {@code troupe tell} for the agent at work in this slot. */
    record Tell(NodeProtocol.TellAgent tell) implements Command {}

    /** The base arrived (or could not): {@code run} is the context to run the attempt in. */
    private record Ready(NodeProtocol.RunAttempt request, RunContext run, Assignment assignment, Throwable failure)
            implements Command {}

    /** What the slot's worker said, through the slot's message adapter. */
    private record FromWorker(WorkerProtocol.Report report) implements Command {}

    private record Answered(NodeProtocol.Answer answer, Throwable failure) implements Command {}

    private record WorkerStopped() implements Command {}

    /** A task's slug as troupe makes them: it names files here. */
    private static final java.util.regex.Pattern SAFE_SLUG = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    /** The most of an agent's text or report one message carries: Artery's frames are bounded (ClusterConfig). */
    static final int MAX_TEXT_CHARS = 128 * 1024;

    private final NodeRun nodeRun;
    private final NodeContext node;
    private final String name;
    private final ActorRef<WorkerProtocol.Report> replies;
    private ActorRef<WorkerProtocol.Command> worker;
    private NodeProtocol.RunAttempt current;
    /** Told while the attempt's base is taken in: passed to the worker with its assignment. */
    private final java.util.List<NodeProtocol.TellAgent> toldEarly = new java.util.ArrayList<>();
    /** The current attempt as it runs here, once its base arrived. */
    private Ready ready;
    /** {@code troupe cancel} came for the current attempt (maybe before it could start). */
    private boolean cancelled;

    private NodeSlot(ActorContext<Command> context, NodeRun nodeRun, NodeContext node, int slot) {
        super(context);
        this.nodeRun = nodeRun;
        this.node = node;
        this.name = "worker-" + (slot + 1);
        this.replies = context.messageAdapter(WorkerProtocol.Report.class, FromWorker::new);
    }

    static Behavior<Command> create(NodeRun nodeRun, NodeContext node, int slot) {
        return Behaviors.setup(context -> new NodeSlot(context, nodeRun, node, slot));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Attempt.class, this::onAttempt)
                .onMessage(Ready.class, this::onReady)
                .onMessage(FromWorker.class, this::onFromWorker)
                .onMessage(Answered.class, this::onAnswered)
                .onMessage(Cancel.class, cancel -> {
                    if (current != null) {
                        cancelled = true;
                        if (worker != null && ready != null) {
                            worker.tell(new WorkerProtocol.Cancel());
                        }
                    }
                    return Behaviors.same();
                })
                .onMessage(Tell.class, this::onTell)
                .onMessage(WorkerStopped.class, this::onWorkerStopped)
                .build();
    }

    private Behavior<Command> onAttempt(Attempt attempt) {
        NodeProtocol.RunAttempt request = attempt.request();
        if (current != null) {
            request.replyTo().tell(nodesFault(request, "the node's " + name + " is busy with " + current.taskId(),
                    null));
            return Behaviors.same();
        }
        current = request;
        ready = null;
        cancelled = false;
        toldEarly.clear();
        getContext().pipeToSelf(Blocking.call(node.blocking(), () -> prepare(request)),
                (ready, failure) -> failure == null ? ready : new Ready(request, null, null, failure));
        return Behaviors.same();
    }

    /** Blocking: the goal as sent, the base in the node's repository, the assignment. */
    private Ready prepare(NodeProtocol.RunAttempt request) throws Exception {
        // What names refs and files here is checked first: it comes from another machine.
        NodeProtocol.AssignmentSent sent = request.assignment();
        BundleFiles.requireCommitId(sent.base(), "the attempt's base");
        if (sent.changeFrom() != null) {
            BundleFiles.requireCommitId(sent.changeFrom(), "the change's start");
        }
        if (!SAFE_SLUG.matcher(sent.task().slug()).matches()
                || (!sent.branch().isEmpty() && !sent.branch().startsWith("troupe/"))) {
            throw new IllegalArgumentException("the lead named task '" + sent.task().id() + "' or branch '"
                    + sent.branch() + "' as troupe never does");
        }
        if (!sent.branch().isEmpty()
                && !org.eclipse.jgit.lib.Repository.isValidRefName("refs/heads/" + sent.branch())) {
            throw new IllegalArgumentException("the lead named a branch '" + sent.branch() + "' git refuses");
        }
        NodeProtocol.GoalSent goal = request.goal();
        RunContext run = nodeRun.context(goal.fileName(), goal.text(), goal.dir());
        if (run.goal().workspace().sandbox()) {
            // This node's own lack, not the task's: the attempt is free, and a node that keeps lacking leaves.
            Optional<String> unavailable = Sandbox.unavailable(run.goal().workspace().confined());
            if (unavailable.isPresent()) {
                throw new IllegalStateException("this node cannot sandbox agents: " + unavailable.get());
            }
        }
        nodeRun.copy(goal.copied());
        if (request.bundle() != null) {
            Path bundle = run.runDir().resolve("bundles").resolve(name + "-in.bundle");
            FileTransfer.spool(request.bundle().source(), request.bundle().bytes(), bundle, node.system())
                    .toCompletableFuture().get();
            try {
                node.repository().receive(bundle, sent.base());
            } finally {
                Files.deleteIfExists(bundle);
            }
            // Taken in, the base is there: receive saw its have ref point at it.
        } else if (GitCli.resolve(node.repository().gitDir(), sent.base() + "^{commit}").isEmpty()) {
            throw new IllegalStateException("the node has no commit " + sent.base() + " and the lead sent none");
        }
        Assignment assignment = new Assignment(sent.task(), sent.attempt(), sent.branch(),
                ObjectId.fromString(sent.base()), sent.prompt(), sent.role(),
                Optional.ofNullable(sent.changeFrom()).map(ObjectId::fromString));
        return new Ready(request, run, assignment, null);
    }

    private Behavior<Command> onReady(Ready ready) {
        NodeProtocol.RunAttempt request = ready.request();
        if (ready.failure() != null) {
            // With what the node has now: the lead's next bundle for it must not build on what it lacks.
            String reason = "the node could not take the attempt: " + Blocking.describe(ready.failure());
            ActorRef<WorkerProtocol.Command> by = reporter();
            getContext().pipeToSelf(Blocking.call(node.blocking(), () -> NodeProtocol.Answer.nodesFault(by, request,
                    reason, node.repository().has())), Answered::new);
            return Behaviors.same();
        }
        if (worker == null) {
            worker = getContext().spawn(Worker.create(ready.run(), name), name);
            getContext().watchWith(worker, new WorkerStopped());
        }
        this.ready = ready;
        worker.tell(new WorkerProtocol.Assign(ready.assignment(), replies));
        toldEarly.forEach(this::tellWorker);
        toldEarly.clear();
        if (cancelled) {
            // A cancel that came while the base was taken in: the worker, launching, ends the attempt at once.
            worker.tell(new WorkerProtocol.Cancel());
        }
        return Behaviors.same();
    }

    /** The worker failed (it never should): the attempt under way ends, and the next gets a new worker. */
    private Behavior<Command> onWorkerStopped(WorkerStopped stopped) {
        worker = null;
        NodeProtocol.RunAttempt request = current;
        if (request != null && ready != null) {
            current = null;
            ready = null;
            request.replyTo().tell(nodesFault(request, "the node's worker stopped unexpectedly", null));
        }
        return Behaviors.same();
    }

    /**
     * The slot's worker is told (it answers as it reports); while the attempt's base is taken in, the tell waits for
     * the worker to have its assignment.
     */
    private Behavior<Command> onTell(Tell tell) {
        if (current != null && worker != null && ready != null) {
            tellWorker(tell.tell());
        } else if (current != null) {
            toldEarly.add(tell.tell());
        }
        return Behaviors.same();
    }

    private void tellWorker(NodeProtocol.TellAgent said) {
        worker.tell(new WorkerProtocol.Tell(said.taskId(), said.messageId(), said.text(), said.redirect(), replies));
    }

    /** The worker's report goes to the lead as it is; with what the node has now, and a success's work. */
    private Behavior<Command> onFromWorker(FromWorker from) {
        NodeProtocol.RunAttempt request = current;
        if (request == null) {
            return Behaviors.same();
        }
        WorkerProtocol.Report report = from.report();
        if (report instanceof WorkerProtocol.AttemptSucceeded done) {
            Ready running = ready;
            getContext().pipeToSelf(Blocking.call(node.blocking(), () -> succeeded(request, running, done)),
                    Answered::new);
        } else if (report instanceof WorkerProtocol.AttemptFailed failed) {
            getContext().pipeToSelf(Blocking.call(node.blocking(), () -> new NodeProtocol.Answer(failed, null, null,
                    node.repository().has())), Answered::new);
        } else if (report instanceof WorkerProtocol.SetupFailed failed) {
            getContext().pipeToSelf(CompletableFuture.completedFuture(NodeProtocol.Answer.of(failed)),
                    Answered::new);
        } else {
            request.replyTo().tell(NodeProtocol.Answer.of(report));
        }
        return Behaviors.same();
    }

    /**
     * Blocking: the success as it travels: a writer's commit handed back as a bundle relative to its base, the texts
     * cut to what a message carries, and no session (it can be resumed only here).
     */
    private NodeProtocol.Answer succeeded(NodeProtocol.RunAttempt request, Ready running,
            WorkerProtocol.AttemptSucceeded done) throws Exception {
        RunContext run = running.run();
        AttemptResult result = done.result();
        String base = request.assignment().base();
        NodeProtocol.Bundle bundle = null;
        if (result.commit() != null && !result.commit().name().equals(base)) {
            Path file = run.runDir().resolve("bundles").resolve(name + "-out.bundle");
            Files.createDirectories(file.getParent());
            node.repository().handBack(result.commit().name(), base, file);
            bundle = new NodeProtocol.Bundle(FileTransfer.offer(file, node.system()), Files.size(file));
        }
        // Only a writer's attempt writes the task's report (or its variant's), and it did so just now.
        Path resultFile = run.resultFile(running.assignment());
        String resultText = running.assignment().role() == Assignment.Role.WRITER && Files.exists(resultFile)
                ? capped(Files.readString(resultFile, StandardCharsets.UTF_8), resultFile) : null;
        AttemptResult sent = result.withText(result.text() == null ? null : capped(result.text(), resultFile))
                .withoutSession();
        return new NodeProtocol.Answer(new WorkerProtocol.AttemptSucceeded(done.worker(), done.attempt(), sent),
                bundle, resultText, node.repository().has());
    }

    /** {@code text}, cut to what one message may carry; the whole stays on the node. */
    static String capped(String text, Path whole) {
        return text.length() <= MAX_TEXT_CHARS ? text
                : text.substring(0, MAX_TEXT_CHARS) + "\n[... cut here: the whole is on the worker node, in " + whole + "]\n";
    }

    private Behavior<Command> onAnswered(Answered answered) {
        NodeProtocol.RunAttempt request = current;
        current = null;
        ready = null;
        if (request == null) {
            return Behaviors.same();
        }
        request.replyTo().tell(answered.failure() == null ? answered.answer()
                : nodesFault(request, "the node could not hand back the work: " + Blocking.describe(answered.failure()),
                        null));
        return Behaviors.same();
    }

    /** The node's own failure, free for the task; {@code haves}: what the node has now, or null. */
    private NodeProtocol.Answer nodesFault(NodeProtocol.RunAttempt request, String reason, List<String> haves) {
        return NodeProtocol.Answer.nodesFault(reporter(), request, reason, haves);
    }

    /** Who says a failure of the node's own: its worker, or before there is one, nobody in particular. */
    private ActorRef<WorkerProtocol.Command> reporter() {
        return worker != null ? worker : getContext().getSystem().ignoreRef();
    }
}
