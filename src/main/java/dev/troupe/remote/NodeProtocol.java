package dev.troupe.remote;

import akka.actor.typed.ActorRef;
import akka.actor.typed.receptionist.ServiceKey;
import akka.stream.SinkRef;
import akka.stream.SourceRef;
import akka.util.ByteString;
import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.cluster.ClusterMessage;
import dev.troupe.goal.Goal;
import dev.troupe.journal.Usage;
import java.util.List;

/**
 * What the lead and a worker node say to each other. A node registers its {@link NodeDesk} under {@link #NODES};
 * the lead's {@link NodeScout} enlists it for the run, and each of the lead's {@link RemoteWorker}s sends one
 * attempt at a time to its slot there. Commits travel as git bundles (a {@link SourceRef} of the file, with its
 * size), the node's journal lines as one stream into the lead's journal. No message holds a credential.
 */
public final class NodeProtocol {

    private NodeProtocol() {}

    /** Under this key the Receptionist lists the nodes that offer workers. */
    public static final ServiceKey<ToNode> NODES = ServiceKey.create(ToNode.class, "troupe-nodes");

    /** What the lead tells a node. */
    public sealed interface ToNode extends ClusterMessage permits Enlist, RunAttempt, CancelAttempt {}

    /**
     * Work for run {@code runId}: the node sends every line its journal of the run gets to {@code events}, and
     * answers with what it offers.
     */
    public record Enlist(String runId, SinkRef<String> events, ActorRef<Enlisted> replyTo) implements ToNode {}

    /** A node's offer: {@code slots} workers, and the commits its repository has (so bundles can be thin). */
    public record Enlisted(String node, int slots, List<String> haves) implements ClusterMessage {}

    /**
     * One agent run in slot {@code slot}: the run's goal file as the lead has it now ({@code goalText}, named
     * {@code goalFileName}, with relative paths against {@code goalDir}), the files copied into workspaces, the
     * assignment ({@code task} as the lead gives it: read-only for an agent that answers, a variant's model), and a
     * bundle holding {@code base} (none when the node has it already).
     */
    public record RunAttempt(String runId, int slot, String goalFileName, String goalText, String goalDir,
            List<CopiedFile> copied, Goal.TaskSpec task, int attempt, String branch, String base, String prompt,
            String role, String changeFrom, SourceRef<ByteString> bundle, long bundleBytes, ActorRef<Report> replyTo)
            implements ToNode {

        public String taskId() {
            return task.id();
        }
    }

    /** A file the goal copies into every workspace ({@code workspace.copy}), from the lead's checkout. */
    public record CopiedFile(String path, byte[] content, boolean executable) {}

    /** {@code troupe cancel}: stop the attempt under way in the slot. */
    public record CancelAttempt(String runId, int slot) implements ToNode {}

    /** What a node says of an attempt; each names its task and attempt, so a stale one can be told apart. */
    public sealed interface Report extends ClusterMessage permits Pressure, Succeeded, Failed, NoWorkspace {
        String taskId();

        int attempt();
    }

    /** The agent's CLI waits on a rate limit or overload. */
    public record Pressure(String taskId, int attempt, String error, long delayMs) implements Report {}

    /**
     * The attempt succeeded: for a writer, {@code commit} arrives as a bundle (none when it is the base itself);
     * {@code resultText} is its result file. {@code haves}: what the node has now.
     */
    public record Succeeded(String taskId, int attempt, String branch, String commit, double costUsd, Usage usage,
            int turns, long durationMs, List<String> filesChanged, List<String> outsideZone, String text,
            int permissionDenials, JsonNode answer, String resultText, SourceRef<ByteString> bundle, long bundleBytes,
            List<String> haves) implements Report {}

    /**
     * {@code haves}: what the node has now, or null when it did not say. {@code nodesFault}: the node's own failure
     * (the base not taken in, the work not handed back), no fault of the task.
     */
    public record Failed(String taskId, int attempt, String reason, double costUsd, Usage usage, boolean rateLimited,
            boolean nodesFault, long retryAfterMs, List<String> haves) implements Report {}

    /** The slot's workspace could not be set up. */
    public record NoWorkspace(String taskId, int attempt, String reason) implements Report {}
}
