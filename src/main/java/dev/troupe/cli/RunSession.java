package dev.troupe.cli;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.Adapter;
import dev.troupe.agent.LiveAgents;
import dev.troupe.journal.Journal;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One actor system of troupe's (a lead's run, or a worker node's stint with a lead) with what lives beside it: the
 * agents it starts and, for a run, its journal. However it ends (the run over, the lead gone, SIGTERM or Ctrl-C),
 * it ends through Akka's {@link CoordinatedShutdown}: every agent's process tree is stopped first, the journal is
 * closed before the actors stop, and only then does the actor system terminate.
 */
final class RunSession<T> {

    /** Starts the session's actor system, alone or as a node of a cluster. */
    @FunctionalInterface
    interface Start<T, E extends Exception> {
        ActorSystem<T> system() throws E;
    }

    private final ActorSystem<T> system;
    private final LiveAgents agents;
    private final Executor blocking;
    /** The run's journal, once opened; closed once, by whoever comes first: the run's end or the shutdown. */
    private final AtomicReference<Journal> journal = new AtomicReference<>();
    private final AtomicReference<CompletionStage<Done>> journalClosed = new AtomicReference<>();
    /** What to say once the agents are stopped, when the JVM is exiting (SIGTERM, Ctrl-C) while this matters. */
    private final AtomicReference<Runnable> onInterrupt = new AtomicReference<>();

    private RunSession(ActorSystem<T> system, LiveAgents agents, Duration killGrace) {
        this.system = system;
        this.agents = agents;
        this.blocking = system.dispatchers().lookup(DispatcherSelector.fromConfig(Journal.BLOCKING_DISPATCHER));
        CoordinatedShutdown shutdown = CoordinatedShutdown.get(Adapter.toClassic(system));
        // First of all: no agent outlives troupe, and none starts once this has begun (LiveAgents). Off the
        // dispatcher the shutdown runs on, since a stop waits for the kill grace.
        shutdown.addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "stop-agents",
                () -> CompletableFuture.supplyAsync(() -> stopAgents(killGrace), blocking));
        // The actors may still journal until they stop; what they appended by now is written before they do.
        shutdown.addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "close-journal", this::closeJournal);
    }

    /**
     * Blocking: the actor system {@code start} makes, with {@code agents} (which its actors start their agents
     * through) stopped at its end, each given {@code killGrace} between SIGTERM and SIGKILL.
     */
    static <T, E extends Exception> RunSession<T> start(LiveAgents agents, Duration killGrace, Start<T, E> start)
            throws E {
        return new RunSession<>(start.system(), agents, killGrace);
    }

    ActorSystem<T> system() {
        return system;
    }

    LiveAgents agents() {
        return agents;
    }

    /** Where processes, git and file I/O run, never on the default dispatcher. */
    Executor blocking() {
        return blocking;
    }

    /** Opens the run's journal, which the session closes at its end if nobody did before. */
    Journal openJournal(Path file, Journal.Listener listener) throws IOException {
        Journal opened = Journal.open(file, listener, system);
        if (!journal.compareAndSet(null, opened)) {
            opened.close();
            throw new IllegalStateException("a session has one journal");
        }
        return opened;
    }

    /** No more events: completes once everything appended before is written (at once if there is no journal). */
    CompletionStage<Done> closeJournal() {
        Journal open = journal.get();
        if (open == null) {
            return CompletableFuture.completedFuture(Done.getInstance());
        }
        journalClosed.compareAndSet(null, open.close().exceptionally(failure -> Done.getInstance()));
        return journalClosed.get();
    }

    /**
     * Until the returned registration is closed, {@code said} runs once every agent is stopped when the JVM is
     * exiting (SIGTERM, Ctrl-C): to tell the person what became of the run.
     */
    Registration onInterrupt(Runnable said) {
        onInterrupt.set(said);
        return () -> onInterrupt.compareAndSet(said, null);
    }

    /** Whether the session ends because the JVM is exiting (SIGTERM, Ctrl-C). */
    boolean interrupted() {
        Optional<CoordinatedShutdown.Reason> reason = CoordinatedShutdown.get(Adapter.toClassic(system))
                .getShutdownReason();
        return reason.isPresent() && reason.get() == CoordinatedShutdown.jvmExitReason();
    }

    /** Blocking: ends the session (if it has not ended by itself) and returns once the actor system is gone. */
    void end() {
        system.terminate();
        awaitEnd();
    }

    /** Blocking: returns once the actor system is gone; an interrupt ends the wait early. */
    void awaitEnd() {
        try {
            system.getWhenTerminated().toCompletableFuture().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            // Terminated all the same.
        }
    }

    private Done stopAgents(Duration killGrace) {
        agents.stopAll(killGrace);
        Runnable said = onInterrupt.get();
        if (said != null && interrupted()) {
            said.run();
        }
        return Done.getInstance();
    }

    /** A registration that is withdrawn without a checked exception. */
    @FunctionalInterface
    interface Registration extends AutoCloseable {
        @Override
        void close();
    }
}
