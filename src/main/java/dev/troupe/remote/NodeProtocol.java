package dev.troupe.remote;

import akka.actor.typed.ActorRef;
import akka.actor.typed.receptionist.ServiceKey;
import akka.stream.SinkRef;
import akka.stream.SourceRef;
import akka.util.ByteString;
import dev.troupe.cluster.ClusterMessage;
import dev.troupe.goal.Goal;
import dev.troupe.team.rules.Assignment;
import dev.troupe.team.WorkerProtocol;
import java.util.List;
import org.eclipse.jgit.lib.ObjectId;

/**
 * What the lead and a worker node say to each other. A node registers its {@link NodeDesk} under {@link #NODES};
 * the lead's {@link NodeScout} enlists it for the run, and each of the lead's {@link RemoteWorker}s sends one
 * attempt at a time to its slot there, which answers with the {@link WorkerProtocol}'s own reports. Commits travel
 * as git bundles (a {@link SourceRef} of the file, with its size), the node's journal lines as one stream into the
 * lead's journal. No message holds a credential.
 */
public final class NodeProtocol {

    private NodeProtocol() {}

    /** Under this key the Receptionist lists the nodes that offer workers. */
    public static final ServiceKey<ToNode> NODES = ServiceKey.create(ToNode.class, "troupe-nodes");

    /** Everything a node's {@link NodeDesk} takes: what the lead tells it, and the desk's own messages. */
    interface AtDesk {}

    /** What the lead tells a node. */
    public sealed interface ToNode extends AtDesk, ClusterMessage permits Enlist, RunAttempt, CancelAttempt,
            TellAgent {}

    /**
     * Work for run {@code runId}: the node sends every line its journal of the run gets to {@code events}, and
     * answers with what it offers.
     */
    public record Enlist(String runId, SinkRef<String> events, ActorRef<Enlisted> replyTo) implements ToNode {}

    /** A node's offer: {@code slots} workers, and the commits its repository has (so bundles can be thin). */
    public record Enlisted(String node, int slots, List<String> haves) implements ClusterMessage {}

    /**
     * One agent run in slot {@code slot}: the run's goal as the lead has it now, the assignment, and a bundle holding
     * its base (none when the node has it already). {@code replyTo} hears the slot's worker's reports.
     */
    public record RunAttempt(String runId, int slot, GoalSent goal, AssignmentSent assignment, Bundle bundle,
            ActorRef<Answer> replyTo) implements ToNode {

        public String taskId() {
            return assignment.task().id();
        }

        public WorkerProtocol.AttemptId id() {
            return new WorkerProtocol.AttemptId(assignment.task().id(), assignment.attempt(), assignment.role());
        }
    }

    /**
     * The run's goal file as the lead has it now ({@code text}, named {@code fileName}, with relative paths against
     * {@code dir}), and the files it copies into workspaces.
     */
    public record GoalSent(String fileName, String text, String dir, List<CopiedFile> copied) {}

    /** A file the goal copies into every workspace ({@code workspace.copy}), from the lead's checkout. */
    public record CopiedFile(String path, byte[] content, boolean executable) {}

    /**
     * An {@link Assignment} as it travels: {@code task} as the lead gives it (read-only for an agent that answers, a
     * variant's model), its commits by name, checked where they arrive. A session to resume does not travel (it is
     * kept where it was made), nor a judge's candidates.
     */
    public record AssignmentSent(Goal.TaskSpec task, int attempt, String branch, String base, String prompt,
            Assignment.Role role, String changeFrom) {

        public static AssignmentSent of(Assignment assignment) {
            return new AssignmentSent(assignment.task(), assignment.attempt(), assignment.branch(),
                    assignment.base().name(), assignment.prompt(), assignment.role(),
                    assignment.changeFrom().map(ObjectId::name).orElse(null));
        }
    }

    /** A git bundle on its way: the stream of its file, and its size. */
    public record Bundle(SourceRef<ByteString> source, long bytes) {}

    /** {@code troupe cancel}: stop the attempt under way in the slot. */
    public record CancelAttempt(String runId, int slot) implements ToNode {}

    /**
     * {@code troupe tell}: say {@code text} to the agent at work in the slot on {@code taskId} (see
     * {@link WorkerProtocol.Tell}); its worker's answer comes back as an {@link Answer}.
     */
    public record TellAgent(String runId, int slot, String taskId, String messageId, String text, boolean redirect)
            implements ToNode {}

    /**
     * What a node says of an attempt: its slot's worker's {@link WorkerProtocol.Report} as that worker made it, and
     * what travels beside it: for a writer's success, its commit as a bundle (none when it is the base itself) and its
     * result file ({@code resultText}); {@code haves}: what the node has now, or null when it did not say.
     */
    public record Answer(WorkerProtocol.Report report, Bundle bundle, String resultText, List<String> haves)
            implements ClusterMessage {

        /** A report that travels alone. */
        public static Answer of(WorkerProtocol.Report report) {
            return new Answer(report, null, null, null);
        }

        /**
         * The node's own failure to run {@code request} or hand its work back: free for the task. {@code worker}: the
         * node's worker, or when there is none, any ref (the lead's worker says the report as its own).
         */
        public static Answer nodesFault(ActorRef<WorkerProtocol.Command> worker, RunAttempt request, String reason,
                List<String> haves) {
            return new Answer(WorkerProtocol.AttemptFailed.nodesFault(worker, request.id(), reason), null, null, haves);
        }
    }
}
