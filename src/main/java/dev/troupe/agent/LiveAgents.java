package dev.troupe.agent;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every agent process of a run that may still be alive, whichever actor started it, so that the end of a run
 * and a JVM shutdown (SIGTERM, Ctrl-C) can stop them all even where no actor is left to do it. Agents start only
 * through it, and starting and {@link #stopAll} exclude each other: once the stop has begun no agent starts
 * (the launch fails with {@link Stopped}), so none can slip past it.
 */
public final class LiveAgents {

    /** An agent was to start after the run's agents were stopped: the run is ending, and so is the launch. */
    public static final class Stopped extends IOException {
        Stopped() {
            super("troupe is stopping: no agent starts any more");
        }
    }

    /** Guarded by {@code this}, as is {@link #stopped}. */
    private final Set<AgentProcess> processes = new HashSet<>();
    private boolean stopped;

    /** Starts a process with its stdin closed (a check, a setup command, an agent that takes no live input). */
    public AgentProcess start(List<String> argv, Path cwd, Map<String, String> extraEnv, Path stderrFile)
            throws IOException {
        return start(argv, cwd, extraEnv, stderrFile, false);
    }

    /**
     * Starts an agent (see {@link AgentProcess#start}) and registers it, unless the agents are being or have been
     * stopped. The start happens under the lock {@link #stopAll} takes, so a launch racing a shutdown either
     * starts before the stop (and is stopped with the others) or not at all.
     */
    public AgentProcess start(List<String> argv, Path cwd, Map<String, String> extraEnv, Path stderrFile,
            boolean liveInput) throws IOException {
        return start(argv, cwd, extraEnv, stderrFile, liveInput, java.util.Optional.empty());
    }

    /** @param stdinFile what an agent that takes no live input reads on its stdin (its prompt, for some CLIs) */
    public AgentProcess start(List<String> argv, Path cwd, Map<String, String> extraEnv, Path stderrFile,
            boolean liveInput, java.util.Optional<Path> stdinFile) throws IOException {
        AgentProcess process;
        synchronized (this) {
            if (stopped) {
                throw new Stopped();
            }
            process = AgentProcess.start(argv, cwd, extraEnv, stderrFile, liveInput, stdinFile);
            processes.add(process);
        }
        process.exit().whenComplete((code, failure) -> forget(process));
        return process;
    }

    private synchronized void forget(AgentProcess process) {
        processes.remove(process);
    }

    /** The agents are being or have been stopped: troupe is ending, and an agent that ends now was stopped by it. */
    public synchronized boolean stopped() {
        return stopped;
    }

    /**
     * Stops every live agent's process tree, all at once, and lets no other agent start from now on; returns once
     * they are gone.
     */
    public void stopAll(Duration grace) {
        List<AgentProcess> stopping;
        synchronized (this) {
            stopped = true;
            stopping = List.copyOf(processes);
        }
        // A thread each: a stop blocks for up to the grace, and the common pool may have a single thread.
        List<Thread> stoppers = stopping.stream()
                .map(process -> new Thread(() -> process.stopNow(grace), "troupe-stop-agent-" + process.pid()))
                .toList();
        stoppers.forEach(Thread::start);
        stoppers.forEach(LiveAgents::joinUninterruptibly);
    }

    /** An interrupt must not cut the wait short: the caller says every agent is stopped once this returns. */
    private static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
