package dev.troupe.agent;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * One running agent process, stderr captured to a file and stdout left for the caller; its stdin is closed, or,
 * for an agent that takes live input, its {@link AgentInput}.
 * {@link #stop} ends the whole process tree, including descendants that left the agent's process group
 * (Claude Code runs Bash tool commands in a session of their own).
 */
public final class AgentProcess {

    private static final Duration KILL_WAIT = Duration.ofSeconds(2);
    /**
     * How long a stop lets the agent end by itself first. A stop usually follows the agent's result, which it prints
     * as it exits: without the wait, it was found alive nearly every time and taken through the full stop (signals,
     * two walks of its descendants, two looks through /proc) for a process that was gone a moment later.
     */
    private static final Duration EXITING = Duration.ofMillis(100);

    /** Set in the agent's environment, and so inherited by everything it starts, even what escapes its tree. */
    static final String MARKER = "TROUPE_AGENT_ID";
    /** Set by bin/troupe beside the {@code MALLOC_ARENA_MAX} it chose for troupe's JVM, not the user. */
    static final String ARENAS_SET_BY_TROUPE = "TROUPE_MALLOC_ARENA_MAX_SET";

    private final Process process;
    private final String marker;
    private final Optional<AgentInput> input;
    /** Every descendant seen so far: a child that outlives its parent is no longer found from the root. */
    private final Set<ProcessHandle> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private AgentProcess(Process process, String marker, boolean liveInput) {
        this.process = process;
        this.marker = marker;
        this.input = liveInput ? Optional.of(new AgentInput(process.getOutputStream(), process.pid()))
                : Optional.empty();
    }

    /** Notes the current descendants, so that {@link #stop} also ends those whose parent died meanwhile. */
    public void observeDescendants() {
        process.toHandle().descendants().forEach(seen::add);
    }

    /** A run's agents start through {@link LiveAgents#start}, so that none can start after they were all stopped. */
    static AgentProcess start(List<String> argv, Path cwd, Map<String, String> extraEnv, Path stderrFile,
            boolean liveInput) throws IOException {
        return start(argv, cwd, extraEnv, stderrFile, liveInput, Optional.empty());
    }

    /** @param stdinFile what the agent reads on its stdin, to its end, when it takes no live input (its prompt) */
    static AgentProcess start(List<String> argv, Path cwd, Map<String, String> extraEnv, Path stderrFile,
            boolean liveInput, Optional<Path> stdinFile) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(argv)
                .directory(cwd.toFile())
                // Otherwise closed: an open pipe the CLI is not told to read makes it wait 3 s for input first.
                .redirectInput(liveInput ? ProcessBuilder.Redirect.PIPE
                        : ProcessBuilder.Redirect.from(stdinFile.map(Path::toFile).orElse(new File("/dev/null"))))
                .redirectError(ProcessBuilder.Redirect.appendTo(stderrFile.toFile()));
        // As a shell's cd would: otherwise the agent inherits troupe's own PWD, and OpenCode 1.18.33 takes PWD, not
        // its working directory, as its project, so its relative paths land in the directory troupe was started in.
        builder.environment().put("PWD", cwd.toAbsolutePath().toString());
        usersArenas(builder.environment());
        builder.environment().putAll(extraEnv);
        String id = UUID.randomUUID().toString();
        builder.environment().put(MARKER, id);
        return new AgentProcess(builder.start(), MARKER + "=" + id, liveInput);
    }

    /**
     * bin/troupe gives troupe's own JVM two malloc arenas, and says so: an environment inherited from it gets the
     * user's setting back (none); a {@code MALLOC_ARENA_MAX} the user set stays.
     */
    public static void usersArenas(Map<String, String> environment) {
        if (environment.remove(ARENAS_SET_BY_TROUPE) != null) {
            environment.remove("MALLOC_ARENA_MAX");
        }
    }

    /** The agent's stdin, when it takes live input ({@code --input-format stream-json}). */
    public Optional<AgentInput> input() {
        return input;
    }

    public long pid() {
        return process.pid();
    }

    public InputStream stdout() {
        return process.getInputStream();
    }

    public CompletableFuture<Integer> exit() {
        return process.onExit().thenApply(Process::exitValue);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * SIGTERM to the agent and every descendant, then SIGKILL to whatever is still alive after {@code grace}; an agent
     * that ends by itself within a moment ({@link #EXITING}) and leaves nothing running is not signalled. Blocks for at
     * most about {@code grace} plus five seconds (the moment, the looks through /proc that settle, the wait for the
     * kills); completes with the agent's exit code.
     */
    public CompletableFuture<Integer> stop(Duration grace, Executor blocking) {
        return CompletableFuture.supplyAsync(() -> stopNow(grace), blocking);
    }

    /** The blocking form of {@link #stop}, for places that must not return before the tree is gone. */
    public int stopNow(Duration grace) {
        return stopNow(grace, EXITING);
    }

    /** The same, letting the agent end by itself for up to {@code exiting} first. */
    int stopNow(Duration grace, Duration exiting) {
        if (exitedWithin(exiting) && seen.stream().noneMatch(ProcessHandle::isAlive) && leftNothing()) {
            // The usual end: the agent exited by itself and left nothing running. Every process it could have left
            // carries its marker, so a look through /proc says so (again while unsure); the full stop walks it five
            // times more.
            input.ifPresent(AgentInput::abandon);
            return process.exitValue();
        }
        ProcessHandle root = process.toHandle();
        // Snapshot first: once the agent dies its children are re-parented and no longer its descendants.
        observeDescendants();
        Set<ProcessHandle> tree = new LinkedHashSet<>(seen);
        tree.addAll(marked());
        root.destroy();
        tree.forEach(ProcessHandle::destroy);
        tree.add(root);
        awaitAll(new ArrayList<>(tree), grace);
        tree.addAll(root.descendants().toList());
        // Children of descendants that were seen but are orphans now, and anything else that carries the marker.
        new ArrayList<>(tree).forEach(handle -> handle.descendants().forEach(tree::add));
        tree.addAll(marked());
        List<ProcessHandle> killed = tree.stream().filter(ProcessHandle::isAlive).toList();
        killed.forEach(ProcessHandle::destroyForcibly);
        // SIGKILL cannot be refused, but the kernel and the reaping parent take a moment: return once it is done.
        awaitAll(killed, KILL_WAIT);
        // Only now: a write blocked on a full pipe holds the stream until the reader is gone.
        input.ifPresent(AgentInput::abandon);
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /**
     * Processes whose environment holds this agent's marker: on Linux, this finds what the agent started even
     * after it was orphaned (a background job that kept the agent's stdout open, say). Elsewhere, none.
     */
    private Set<ProcessHandle> marked() {
        return MarkedProcesses.settledLook(marker).found();
    }

    private boolean exitedWithin(Duration wait) {
        try {
            return process.waitFor(wait.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    /**
     * Whether nothing carries the marker, and no process is left that could not be read for it: a process caught
     * inside its exec (another worker's git, most often) is looked at again a few ms later, not taken for the agent's.
     */
    private boolean leftNothing() {
        MarkedProcesses.Look look = MarkedProcesses.settledLook(marker);
        return look.found().isEmpty() && !look.unsure();
    }

    /**
     * Kills every process whose environment holds {@code variable} ({@code NAME=value}), e.g. the agents of a run
     * whose troupe died, and what they started. Returns how many there were.
     */
    public static int killAllWith(String variable) {
        Set<ProcessHandle> found = MarkedProcesses.settledLook(variable).found();
        found.forEach(ProcessHandle::destroyForcibly);
        awaitAll(found, KILL_WAIT);
        return found.size();
    }

    /** Waits, all together at most {@code limit}, for the processes to be gone. */
    private static void awaitAll(java.util.Collection<ProcessHandle> handles, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        for (ProcessHandle handle : handles) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                awaitExit(handle, left);
            }
        }
    }

    private static void awaitExit(ProcessHandle handle, long nanos) {
        try {
            handle.onExit().get(nanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception stillRunning) {
            // Killed forcibly below.
        }
    }
}
