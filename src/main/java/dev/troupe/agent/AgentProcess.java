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
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * One running agent process with stdin closed, stderr captured to a file and stdout left for the caller.
 * {@link #stop} ends the whole process tree, including descendants that left the agent's process group
 * (Claude Code runs Bash tool commands in a session of their own).
 */
public final class AgentProcess {

    private static final Duration KILL_WAIT = Duration.ofSeconds(2);

    private final Process process;

    private AgentProcess(Process process) {
        this.process = process;
    }

    public static AgentProcess start(List<String> argv, Path cwd, Map<String, String> extraEnv, Path stderrFile)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(argv)
                .directory(cwd.toFile())
                // Closed stdin: an open pipe makes the CLI wait 3 s for input before it starts.
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.appendTo(stderrFile.toFile()));
        builder.environment().putAll(extraEnv);
        return new AgentProcess(builder.start());
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
     * SIGTERM to the agent and every descendant, then SIGKILL to whatever is still alive after {@code grace}.
     * Blocks for at most about {@code grace} plus two seconds; completes with the agent's exit code.
     */
    public CompletableFuture<Integer> stop(Duration grace, Executor blocking) {
        return CompletableFuture.supplyAsync(() -> stopNow(grace), blocking);
    }

    /** The blocking form of {@link #stop}, for places that must not return before the tree is gone. */
    public int stopNow(Duration grace) {
        ProcessHandle root = process.toHandle();
        // Snapshot first: once the agent dies its children are re-parented and no longer its descendants.
        Set<ProcessHandle> tree = new LinkedHashSet<>(root.descendants().toList());
        root.destroy();
        tree.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + grace.toNanos();
        tree.add(root);
        for (ProcessHandle handle : new ArrayList<>(tree)) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                awaitExit(handle, left);
            }
        }
        tree.addAll(root.descendants().toList());
        List<ProcessHandle> killed = tree.stream().filter(ProcessHandle::isAlive).toList();
        killed.forEach(ProcessHandle::destroyForcibly);
        // SIGKILL cannot be refused, but the kernel and the reaping parent take a moment: return once it is done.
        long killDeadline = System.nanoTime() + KILL_WAIT.toNanos();
        for (ProcessHandle handle : killed) {
            long left = killDeadline - System.nanoTime();
            if (left > 0) {
                awaitExit(handle, left);
            }
        }
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
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
