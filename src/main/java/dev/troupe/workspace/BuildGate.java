package dev.troupe.workspace;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The run's build gate: at most {@code width} builds (a new worktree's checkout, a setup) at once, let through in
 * the order their turns were taken. A turn is taken without waiting, so a build can be put first in line before
 * anyone else asks (the check's workspace, at the run's start) and built later on another thread. A fair
 * {@link java.util.concurrent.Semaphore} orders builds only by when they start to wait.
 */
final class BuildGate {

    /** One place in line: entered once, or given up unused with {@link #close}. */
    final class Turn implements AutoCloseable {

        private boolean used;

        /** Given up if it was never entered, so that those behind it go on; nothing after it was. */
        @Override
        public void close() {
            synchronized (BuildGate.this) {
                if (!used) {
                    used = true;
                    line.remove(this);
                    BuildGate.this.notifyAll();
                }
            }
        }
    }

    private final int width;
    /** Guarded by {@code this}. */
    private final Deque<Turn> line = new ArrayDeque<>();
    /** Guarded by {@code this}. */
    private int building;

    BuildGate(int width) {
        this.width = Math.max(1, width);
    }

    /** A place at the end of the line, taken now. */
    synchronized Turn take() {
        Turn turn = new Turn();
        line.add(turn);
        return turn;
    }

    /** Blocking: runs {@code build} once {@code turn} is first in line and the gate has room; the turn is used up. */
    <T> T through(Turn turn, Preparation.Step<T> build) throws java.io.IOException, dev.troupe.git.GitException,
            SetupFailed {
        enter(turn);
        try {
            return build.run();
        } finally {
            leave();
        }
    }

    private synchronized void enter(Turn turn) {
        if (turn.used) {
            throw new IllegalStateException("a build's turn is used once");
        }
        boolean interrupted = false;
        // Uninterruptible as the semaphore was: a build once queued keeps its place.
        while (line.peek() != turn || building >= width) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        line.poll();
        turn.used = true;
        building++;
        notifyAll();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void leave() {
        building--;
        notifyAll();
    }
}
