package dev.troupe.agent;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every agent process of a run that may still be alive, whichever actor started it, so that the end of a run
 * and a JVM shutdown (SIGTERM, Ctrl-C) can stop them all even where no actor is left to do it.
 */
public final class LiveAgents {

    private final Set<AgentProcess> processes = ConcurrentHashMap.newKeySet();

    public void add(AgentProcess process) {
        processes.add(process);
        process.exit().whenComplete((code, failure) -> processes.remove(process));
    }

    /** Stops every live agent's process tree, all at once; returns once they are gone. */
    public void stopAll(Duration grace) {
        List<CompletableFuture<Void>> stopping = processes.stream()
                .map(process -> CompletableFuture.runAsync(() -> process.stopNow(grace)))
                .toList();
        stopping.forEach(CompletableFuture::join);
    }

    public int size() {
        return processes.size();
    }
}
