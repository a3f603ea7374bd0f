package dev.troupe.workspace;

import dev.troupe.agent.LiveAgents;
import dev.troupe.git.GitException;
import dev.troupe.git.Worktrees;
import dev.troupe.goal.Goal;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The workspaces of one run: where they live, which is free, and making one ready for a task
 * ({@link Preparation}). A worker claims one when it first needs it and keeps it while it lives; the lowest free
 * number goes first, so worker {@code k} usually works in {@code worker-k}. They live outside the repository
 * ({@link WorkspaceRoot}): with {@code keep: true} in its {@code workspaces/}, outlasting the run, each locked by
 * the run that holds it (a file lock, freed by the system when that troupe dies); otherwise in the run's own
 * {@code worktrees/<run>/}, removed at its end. Building one (a new worktree's checkout, a setup) takes the run's
 * build gate, one at a time by default, so the first worker is ready after its own checkout instead of after
 * everyone's; the check's workspace may take its turn first ({@link #firstTurn}).
 */
public final class Workspaces {

    /** Told what happens while a workspace is prepared, for the journal. */
    public interface Listener {
        void setupStarted(Workspace workspace, String command, Path log);

        /** @param failure null when the setup passed */
        void setupDone(Workspace workspace, long millis, int exitCode, String failure, Path log);

        /** What a killed run left uncommitted in a kept workspace is kept on {@code branch}. */
        void leftoversSaved(Workspace workspace, String branch);
    }

    /** How to prepare workspaces: fixed for the run. */
    public record Settings(Goal.Workspace spec, Duration setupTimeout, Duration killGrace, int parallelBuilds,
            int checkoutWorkers) {}

    private final Path top;
    private Path copySource;
    private final Path root;
    private final Path setupLogs;
    private final String runId;
    private final String runMarker;
    private final Settings settings;
    private final LiveAgents agents;
    private final BuildGate builds;
    /**
     * Where workers prepare their workspaces and start their agents: threads of their own, since one may wait at
     * the build gate for as long as the builds before it take, and waiting on the blocking dispatcher would starve
     * the journal and git of its threads in a large team. Idle threads end after a minute.
     */
    private final java.util.concurrent.ExecutorService preparing = java.util.concurrent.Executors.newCachedThreadPool(
            work -> {
                Thread thread = new Thread(work, "troupe-workspace");
                thread.setDaemon(true);
                return thread;
            });
    /** Guarded by {@code this}. */
    private final Set<Integer> inUse = new HashSet<>();
    /** Numbers not to be used again in this run: their setup failed, or the workspace broke. Guarded by {@code this}. */
    private final Set<Integer> retired = new HashSet<>();
    /**
     * Names of the workspaces prepared by this run: a kept workspace prepared for the first time may hold what a
     * stopped run left; later it holds only what this run's own agents left, and they were stopped before it was
     * released. Guarded by {@code this}.
     */
    private final Set<String> prepared = new HashSet<>();
    /** Every workspace claimed and not yet released, the check's too: their locks go at {@link #releaseAll}. */
    private final Set<Workspace> claimed = new HashSet<>();
    /** Guarded by {@code this}; null until first asked. */
    private List<String> copied;

    /**
     * @param top the user's checkout
     * @param runWorktrees the run's own folder for workspaces that are not kept
     * @param keptWorkspaces the folder of the workspaces that outlast runs ({@code workspace.keep})
     * @param runDir the run's directory: setup logs go to {@code setup/}
     * @param runMarker the environment variable naming the run in everything it starts
     */
    public Workspaces(Path top, Path runWorktrees, Path keptWorkspaces, Path runDir, String runId, String runMarker,
            Settings settings, LiveAgents agents) {
        this.top = top;
        this.root = settings.spec().keep() ? keptWorkspaces : runWorktrees;
        this.setupLogs = runDir.resolve("setup");
        this.runId = runId;
        this.runMarker = runMarker;
        this.settings = settings;
        this.agents = agents;
        this.builds = new BuildGate(settings.parallelBuilds());
    }

    /** The threads to prepare a workspace on (and start its agent): see {@link #prepare}. */
    public java.util.concurrent.Executor preparing() {
        return preparing;
    }

    public Path root() {
        return root;
    }

    public Goal.Workspace spec() {
        return settings.spec();
    }

    /** Where a workspace's setup output goes: {@code setup/<workspace>.log} in the run directory. */
    public Path setupLog(Workspace workspace) {
        return setupLogs.resolve(workspace.name() + ".log");
    }

    /** Where the output of {@code sync.check} on {@code mergeCommit} goes: the run directory's {@code checks/}. */
    public Path checkLog(String mergeCommit) {
        return setupLogs.resolveSibling("checks").resolve(mergeCommit + ".log");
    }

    /** A free workspace for a worker: the lowest number no one holds (nor, for kept ones, another live run). */
    public synchronized Workspace claim() throws IOException {
        return claim(0);
    }

    /**
     * A free workspace for worker {@code preferred} (its {@code k}): {@code worker-k} when free, so that a worker's
     * name, its {@code TROUPE_WORKER} and its folder agree; otherwise the lowest free number.
     */
    public synchronized Workspace claim(int preferred) throws IOException {
        if (preferred > 0 && !inUse.contains(preferred) && !retired.contains(preferred)) {
            java.util.Optional<Workspace> own = take(preferred, "worker-" + preferred);
            if (own.isPresent()) {
                return own.get();
            }
        }
        for (int k = 1; ; k++) {
            if (inUse.contains(k) || retired.contains(k)) {
                continue;
            }
            java.util.Optional<Workspace> workspace = take(k, "worker-" + k);
            if (workspace.isPresent()) {
                return workspace.get();
            }
        }
    }

    /** The workspace {@code sync.check} runs in (number 0): {@code check}, or {@code check-2} if another run holds it. */
    public synchronized Workspace claimCheck() throws IOException {
        for (int n = 1; ; n++) {
            java.util.Optional<Workspace> workspace = take(0, n == 1 ? "check" : "check-" + n);
            if (workspace.isPresent()) {
                return workspace.get();
            }
        }
    }

    private java.util.Optional<Workspace> take(int number, String name) throws IOException {
        FileLock lock = null;
        if (settings.spec().keep()) {
            Files.createDirectories(root);
            FileChannel channel = FileChannel.open(root.resolve(name + ".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            try {
                lock = channel.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException heldInThisJvm) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                return java.util.Optional.empty();
            }
        }
        if (number > 0) {
            inUse.add(number);
        }
        Workspace workspace = new Workspace(number, name, root.resolve(name), lock);
        claimed.add(workspace);
        return java.util.Optional.of(workspace);
    }

    /** The worker is done with its workspace: another may claim it. */
    public synchronized void release(Workspace workspace) {
        if (workspace.number() > 0) {
            inUse.remove(workspace.number());
        }
        claimed.remove(workspace);
        unlock(workspace);
    }

    /** The run is over: every workspace it still holds (the check's, a worker's that did not stop) is free. */
    public synchronized void releaseAll() {
        List.copyOf(claimed).forEach(this::release);
    }

    /** Its setup failed: no worker of this run gets this workspace again. */
    public synchronized void retire(Workspace workspace) {
        retired.add(workspace.number());
        release(workspace);
    }

    /**
     * Blocking: the workspace broke (a checkout that cannot be made, say, over a stale {@code index.lock} of a
     * killed agent): a run's own is removed if it can be, a kept one is left as it is (what a stopped run left in
     * it may not be saved yet: the next run, or {@code troupe cleanup --workspaces}, tries again); retired either way.
     */
    public void discard(Workspace workspace) {
        if (workspace.lock().isEmpty()) {
            try {
                Worktrees.remove(top, workspace.dir());
            } catch (GitException stillBroken) {
                // Left for troupe cleanup; the worker takes another workspace.
            }
        }
        retire(workspace);
    }

    private static void unlock(Workspace workspace) {
        workspace.lock().ifPresent(lock -> {
            try {
                lock.channel().close();
            } catch (IOException e) {
                // Closing frees the lock; a failure to close leaves it to the end of the process.
            }
        });
    }

    /**
     * Blocking: makes {@code workspace} ready for a task on {@code baseCommit}: checked out (made the first time,
     * reset later, without deleting what setup made), the copied files in place, setup run when its inputs
     * changed.
     *
     * @param env what setup runs with (the run's marker, the agent's env, the workspace's number and port)
     * @param listener told when setup runs and when work left in a kept workspace is saved
     * @throws SetupFailed when setup did not pass; the workspace should be retired
     */
    public Prepared prepare(Workspace workspace, String baseCommit, java.util.Map<String, String> env,
            Listener listener) throws IOException, GitException, SetupFailed {
        return new Preparation(this, workspace, listener, null).prepare(baseCommit, env);
    }

    /**
     * The same, building (if it must) in {@code turn} at the build gate, taken earlier with {@link #firstTurn};
     * the caller closes the turn, used or not.
     */
    Prepared prepare(Workspace workspace, String baseCommit, java.util.Map<String, String> env, Listener listener,
            BuildGate.Turn turn) throws IOException, GitException, SetupFailed {
        return new Preparation(this, workspace, listener, turn).prepare(baseCommit, env);
    }

    /** A turn at the build gate ahead of every build not yet asked for: taken now, without waiting. */
    BuildGate.Turn firstTurn() {
        return builds.take();
    }

    // For Preparation.

    Path top() {
        return top;
    }

    String runId() {
        return runId;
    }

    String runMarker() {
        return runMarker;
    }

    /** Whether this run prepared {@code workspace} before. */
    synchronized boolean wasPrepared(Workspace workspace) {
        return prepared.contains(workspace.name());
    }

    synchronized void markPrepared(Workspace workspace) {
        prepared.add(workspace.name());
    }

    Settings settings() {
        return settings;
    }

    LiveAgents agents() {
        return agents;
    }

    /** Runs {@code build} holding the build gate, in {@code turn}, or at the end of the line when null. */
    <T> T gated(BuildGate.Turn turn, Preparation.Step<T> build) throws IOException, GitException, SetupFailed {
        return builds.through(turn != null ? turn : builds.take(), build);
    }

    /**
     * On a worker node: the files copied into every workspace are {@code paths} under {@code source} (as the lead
     * sent them), not what the goal's globs find in a checkout the node does not have.
     */
    public synchronized void copyFrom(Path source, List<String> paths) {
        copySource = source;
        copied = List.copyOf(paths);
    }

    /** Where the copied files come from: the user's checkout, or what {@link #copyFrom} named. */
    synchronized Path copySource() {
        return copySource != null ? copySource : top;
    }

    /** Blocking: the files copied into every workspace (paths relative to the checkout), listed once for the run. */
    public synchronized List<String> copiedFiles() throws GitException {
        if (copied == null) {
            copied = CopiedFiles.list(top, settings.spec().copy());
        }
        return copied;
    }

    /**
     * Blocking: a new worktree at {@code baseCommit}, detached, with the configured parallel checkout. Forced: a kept
     * workspace whose folder someone deleted is still registered with git, which otherwise refuses the path.
     */
    void create(Path dir, String baseCommit) throws GitException {
        Worktrees.add(top, dir, baseCommit, settings.checkoutWorkers());
    }

    /**
     * Blocking: the paths of a workspace that are its own, not the project's (copied files, setup output), as its
     * last preparation recorded them; none for a worktree troupe did not prepare.
     */
    public static List<String> leaveOutOf(Path worktree) {
        try {
            return WorkspaceState.read(Leftovers.adminDir(worktree)).leaveOut();
        } catch (GitException notAWorktree) {
            return List.of();
        }
    }

    /** What a prepared workspace holds that is not the project's: never committed. */
    public record Prepared(List<String> leaveOut) {}
}
