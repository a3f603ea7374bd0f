package dev.troupe.git;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One repository's worktree changes and what reads every worktree, one at a time in this JVM. While
 * {@code git worktree add} makes a worktree its {@code HEAD} holds the null id for a moment (git writes it so
 * before the real one), and {@code git worktree remove} deletes it piece by piece; a git command that walks
 * every worktree's {@code HEAD} meanwhile (a fetch's connectivity check, {@code git bundle verify}) dies with
 * "bad object worktrees/NAME/HEAD". A node's slots take bundles in while others make their workspaces, and so
 * does the lead beside its own workers: both go through this gate, keyed by the repository's path.
 */
public final class WorktreeGate {

    /** Work on the repository that may fail with a {@link GitException}. */
    @FunctionalInterface
    public interface GitWork<T> {
        T run() throws GitException;
    }

    private static final ConcurrentMap<Path, ReentrantLock> GATES = new ConcurrentHashMap<>();

    private WorktreeGate() {}

    /** Runs {@code work} alone among this JVM's worktree changes and bundle intakes of {@code repo}. */
    public static <T> T through(Path repo, GitWork<T> work) throws GitException {
        ReentrantLock gate = GATES.computeIfAbsent(key(repo), path -> new ReentrantLock(true));
        gate.lock();
        try {
            return work.run();
        } finally {
            gate.unlock();
        }
    }

    /** The same repository under two spellings of its path is one gate. */
    private static Path key(Path repo) {
        Path absolute = repo.toAbsolutePath().normalize();
        try {
            return absolute.toRealPath();
        } catch (IOException notThereYet) {
            return absolute;
        }
    }
}
