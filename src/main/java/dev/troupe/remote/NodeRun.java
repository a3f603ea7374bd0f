package dev.troupe.remote;

import akka.actor.typed.ActorSystem;
import akka.stream.OverflowStrategy;
import akka.stream.SinkRef;
import akka.stream.javadsl.Source;
import akka.stream.javadsl.SourceQueueWithComplete;
import dev.troupe.agent.LiveAgents;
import dev.troupe.agent.Secrets;
import dev.troupe.goal.Goal;
import dev.troupe.goal.GoalException;
import dev.troupe.goal.GoalLoader;
import dev.troupe.journal.Journal;
import dev.troupe.journal.Json;
import dev.troupe.journal.TeamEvent;
import dev.troupe.team.rules.RunContext;
import dev.troupe.team.rules.Tuning;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;
import org.eclipse.jgit.lib.ObjectId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker node's side of one run: its folder under {@code <work-dir>/runs/<run>}, a journal there whose every
 * line also goes to the lead's journal (backpressured: an agent that prints faster than the lead takes its lines
 * is slowed down), and the goal as the lead last sent it.
 */
final class NodeRun {

    private static final Logger LOG = LoggerFactory.getLogger(NodeRun.class);

    /** Run ids as troupe makes them; anything else from the wire is refused before it names a folder. */
    private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    private final String runId;
    private final Path runDir;
    private final Journal journal;
    private final SourceQueueWithComplete<String> toLead;
    private final NodeContext node;
    private RunContext context;

    private NodeRun(String runId, Path runDir, Journal journal, SourceQueueWithComplete<String> toLead,
            NodeContext node) {
        this.runId = runId;
        this.runDir = runDir;
        this.journal = journal;
        this.toLead = toLead;
        this.node = node;
    }

    /** Blocking: opens the run's folder and journal on this node, its lines streaming to {@code events}. */
    static NodeRun open(String runId, SinkRef<String> events, NodeContext node) throws IOException {
        if (!RUN_ID.matcher(runId).matches()) {
            throw new IOException("the lead named a run '" + runId + "', which is no troupe run id");
        }
        Path runDir = node.workDir().resolve("runs").resolve(runId);
        Files.createDirectories(runDir.resolve("agents"));
        SourceQueueWithComplete<String> toLead = Source.<String>queue(256, OverflowStrategy.backpressure())
                .to(events.getSink()).run(node.system());
        java.util.concurrent.atomic.AtomicBoolean warned = new java.util.concurrent.atomic.AtomicBoolean();
        Journal journal = Journal.open(runDir.resolve("events.jsonl"),
                (event, json) -> forward(toLead, fitted(event, json, runDir), warned), node.system());
        return new NodeRun(runId, runDir, journal, toLead, node);
    }

    /** The most of a journal line one message to the lead carries (Artery's frames are bounded: ClusterConfig). */
    static final int MAX_FORWARDED_CHARS = 256 * 1024;

    /** {@code json}, or for an agent's line too long to travel, a line saying where it is kept whole. */
    static String fitted(TeamEvent event, String json, Path runDir) {
        if (json.length() <= MAX_FORWARDED_CHARS || !(event instanceof TeamEvent.AgentOutput line)) {
            return json;
        }
        TeamEvent.AgentOutput stub = new TeamEvent.AgentOutput(line.time(), line.task(), line.attempt(), null,
                "[a line of " + json.length() + " characters, too long to send: it is on the worker node, in "
                        + runDir.resolve("events.jsonl") + "]", true);
        try {
            return Json.MAPPER.writeValueAsString(stub);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * On the journal's writer thread: waits while the lead is behind, so the node's journal waits too. Once the
     * stream to the lead broke, says so once ({@code warned}) for the run.
     */
    private static void forward(SourceQueueWithComplete<String> toLead, String json,
            java.util.concurrent.atomic.AtomicBoolean warned) {
        try {
            toLead.offer(json).toCompletableFuture().join();
        } catch (CompletionException | IllegalStateException e) {
            if (warned.compareAndSet(false, true)) {
                LOG.warn("this node's journal lines no longer reach the lead ({}); they stay in the node's journal",
                        e.getMessage());
            }
        }
    }

    /**
     * Blocking: the run's context, made from the goal the lead sent with the run's first attempt here; its settings
     * (agent, limits, workspaces) hold for the run on this node. Tasks travel with each attempt, so the goal is not
     * read again.
     */
    synchronized RunContext context(String goalFileName, String goalText, String goalDir) throws GoalException,
            IOException {
        if (context != null) {
            return context;
        }
        Path name = Path.of(goalFileName).getFileName();
        Path file = runDir.resolve(name == null ? Path.of("goal.yaml") : name);
        Files.writeString(file, goalText, StandardCharsets.UTF_8);
        Path relativeTo = Files.isDirectory(Path.of(goalDir)) ? Path.of(goalDir) : runDir;
        Goal goal = new GoalLoader(node.system().settings().config()).load(file, relativeTo);
        Tuning tuning = node.tuning();
        Path worktrees = runDir.resolve("workspaces");
        context = new RunContext(runId, goal, node.repository().gitDir(), "", runDir, worktrees, "", ObjectId.zeroId(),
                journal, node.agents(), node.secrets(), node.blocking(), tuning, false,
                RunContext.workspaces(runId, goal, node.repository().gitDir(), runDir, worktrees,
                        node.workDir().resolve("workspaces"), tuning, node.agents()));
        return context;
    }

    /**
     * Blocking: the files the lead copies into workspaces, written under the run's {@code copied/} folder, from
     * where the run's workspaces take them. A path that would leave that folder is refused.
     */
    synchronized void copy(List<NodeProtocol.CopiedFile> files) throws IOException {
        Path root = runDir.resolve("copied");
        List<String> paths = new ArrayList<>();
        for (NodeProtocol.CopiedFile file : files) {
            Path target = root.resolve(file.path()).normalize();
            if (Path.of(file.path()).isAbsolute() || !target.startsWith(root) || target.equals(root)) {
                throw new IOException("the lead sent a copied file outside the workspace: " + file.path());
            }
            Files.createDirectories(target.getParent());
            if (!Files.isRegularFile(target) || !java.util.Arrays.equals(Files.readAllBytes(target), file.content())) {
                // Another slot's workspace may be copying it now: it sees the old file or the new one, never half.
                Path partial = target.resolveSibling(target.getFileName() + ".partial");
                Files.write(partial, file.content());
                partial.toFile().setExecutable(file.executable(), false);
                Files.move(partial, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            paths.add(file.path());
        }
        context.workspaces().copyFrom(root, paths);
    }

    /**
     * Everything the run wrote here goes to disk, and the stream to the lead ends once every line is in; done when
     * the journal is closed.
     */
    java.util.concurrent.CompletionStage<akka.Done> close() {
        java.util.concurrent.CompletionStage<akka.Done> closed = journal.close();
        closed.whenComplete((done, failure) -> toLead.complete());
        if (context != null) {
            context.workspaces().releaseAll();
        }
        return closed;
    }
}
