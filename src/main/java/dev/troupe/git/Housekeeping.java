package dev.troupe.git;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A repository's housekeeping ({@code git gc --auto}) apart from this JVM's commits in it. gc expires every ref's
 * log, worktrees' {@code HEAD} included, holding each one's lock meanwhile, packs refs and deletes the loose ones
 * (at a run's end, as the repository's {@code gc.packRefs} says; in its middle it leaves them loose),
 * and removes the object folders its packing emptied: a commit made in process at that moment failed to move its
 * worktree's {@code HEAD} (LOCK_FAILURE: 3 commits of one 10,000-task run) or to write its object into a folder
 * just removed (1 of another). Commits and branch moves share the repository; housekeeping waits for them and has it alone.
 * Keyed by the repository's common git dir, so that its worktrees and the repository are one.
 */
public final class Housekeeping {

    private static final ConcurrentMap<Path, ReentrantReadWriteLock> LOCKS = new ConcurrentHashMap<>();
    /** The repositories (by key) whose refs a gc in the middle of a run left loose, to be packed at its end. */
    private static final Set<Path> REFS_LEFT_LOOSE = ConcurrentHashMap.newKeySet();
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Housekeeping.class);
    /** A gc that takes this long is logged: meanwhile the run's commits and merges waited. */
    private static final long SLOW_MILLIS = 2000;

    private Housekeeping() {}

    /**
     * Runs {@code work} (a commit, a branch or a worktree's HEAD moved, a fetch) in {@code repo}, or a worktree of it,
     * while no housekeeping runs.
     */
    public static <T> T sharing(Path repo, WorktreeGate.GitWork<T> work) throws GitException {
        ReentrantReadWriteLock lock = lockOf(keyOf(repo));
        lock.readLock().lock();
        try {
            return work.run();
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * The housekeeping troupe's own git commands leave out, done here when the repository needs it ({@code git gc
     * --auto}: a process that returns at once below git's thresholds), once this JVM's commits in it are done: its
     * objects packed, as the commits of a run's tasks would otherwise have had done every few hundred commits. Waits
     * for gc to end ({@code gc.autoDetach=false}): by default {@code gc --auto} goes on in the background, so it would
     * still be removing folders when the commits it waited for start again (at a run's end too: a run or resume
     * started right after would commit under it, and a gc already under way makes a new {@code gc --auto} return at
     * once, holding nothing). Its failure changes nothing. Not
     * through {@link GitCli#run}, whose {@link GitCli#NO_HOUSEKEEPING} would make {@code gc --auto} do nothing.
     */
    public static void run(Path repo) {
        run(repo, true);
    }

    /**
     * The same in the middle of a run, leaving the refs loose ({@code gc.packRefs=false}; {@link #run} packs them at
     * the end of a run that came here, whether or not its gc is due then, unless the repository's {@code gc.packRefs}
     * says not to; a run resumed after a crash does not know, and leaves that to git's own next gc): the run's
     * repositories are kept open ({@link Repositories}),
     * and each reads the whole {@code packed-refs} again when it changes and keeps it, a task branch a task: 1.5 MB
     * a repository at 10,000 tasks.
     */
    public static void runMidway(Path repo) {
        run(repo, false);
    }

    private static void run(Path repo, boolean atTheEnd) {
        Path key = keyOf(repo);
        ReentrantReadWriteLock lock = lockOf(key);
        lock.writeLock().lock();
        long started = System.nanoTime();
        try {
            gc(repo, atTheEnd);
            if (!atTheEnd) {
                REFS_LEFT_LOOSE.add(key);
            } else if (REFS_LEFT_LOOSE.remove(key) && packsRefs(repo)) {
                housekeeping(repo, "pack-refs", "--all", "--prune");
            }
        } finally {
            lock.writeLock().unlock();
        }
        long millis = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        if (millis >= SLOW_MILLIS) {
            LOG.info("git gc --auto in {} took {} ms; troupe's commits and merges in the repository waited for it",
                    repo, millis);
        }
    }

    /**
     * Whether git's gc would pack the repository's refs: unless the user told it not to ({@code gc.packRefs}, a
     * boolean as git reads one). Its other value, {@code notbare}, packs a checkout's; so does a git that cannot tell.
     */
    private static boolean packsRefs(Path repo) {
        try {
            return !GitCli.run(repo, "config", "--type=bool", "--default", "true", "--get", "gc.packRefs").strip()
                    .equals("false");
        } catch (GitException notABoolean) {
            return true;
        }
    }

    /** @param packRefs as the repository says (git's default: yes), or not at all */
    private static void gc(Path repo, boolean packRefs) {
        if (packRefs) {
            housekeeping(repo, "-c", "gc.autoDetach=false", "gc", "--auto", "--quiet");
        } else {
            housekeeping(repo, "-c", "gc.autoDetach=false", "-c", "gc.packRefs=false", "gc", "--auto", "--quiet");
        }
    }

    private static void housekeeping(Path repo, String... args) {
        List<String> command = new ArrayList<>(List.of("git", "-C", repo.toString()));
        command.addAll(List.of(args));
        try {
            new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start().waitFor();
        } catch (IOException e) {
            // Housekeeping only: the user's own next git command does it.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Each path asked about, to its repository's key: worked out once, not at every commit. */
    private static final ConcurrentMap<Path, Path> KEYS = new ConcurrentHashMap<>();

    private static ReentrantReadWriteLock lockOf(Path key) {
        return LOCKS.computeIfAbsent(key, path -> new ReentrantReadWriteLock());
    }

    private static Path keyOf(Path repo) {
        return KEYS.computeIfAbsent(repo.toAbsolutePath().normalize(), Housekeeping::key);
    }

    /** The common git dir of a worktree, of a checkout, or a git dir itself, as a real path. */
    private static Path key(Path repo) {
        try {
            Path dir = Files.exists(repo.resolve(".git")) ? GitDirs.commonDir(repo) : repo;
            return dir.toRealPath();
        } catch (IOException | GitException e) {
            return repo.toAbsolutePath().normalize();
        }
    }
}
