package dev.troupe.git;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A worker's linked worktree: made once with {@code git worktree add} (JGit cannot make one), then switched
 * to each new task branch in place, which rewrites only the files that differ.
 */
public final class Worktrees {

    private Worktrees() {}

    /**
     * Makes {@code worktree} hold a new branch {@code branch} at {@code base}, clean of any earlier task's files.
     * An existing branch of that name is reset to {@code base}: task branches belong to troupe.
     */
    public static void checkoutFresh(Path repo, Path worktree, String branch, String base) throws GitException {
        if (!Files.exists(worktree.resolve(".git"))) {
            GitCli.run(repo, "worktree", "add", "--quiet", "-B", branch, worktree.toString(), base);
            return;
        }
        GitCli.run(worktree, "checkout", "--quiet", "--force", "-B", branch, base);
        GitCli.run(worktree, "clean", "--quiet", "-ffdx");
    }

    /**
     * Lets go of the task branch (HEAD detached at the same commit, no file touched), so that another worker
     * can check it out for the task's next attempt: git refuses a branch that is checked out elsewhere.
     */
    public static void release(Path worktree) throws GitException {
        GitCli.run(worktree, "checkout", "--quiet", "--detach");
    }

    /**
     * Removes the worktree (even with changes or a lock in it); its branch stays. Only this worktree: a
     * {@code git worktree prune} would also drop the user's own worktrees whose folders are out of reach.
     */
    public static void remove(Path repo, Path worktree) throws GitException {
        GitCli.run(repo, "worktree", "remove", "--force", "--force", worktree.toString());
    }
}
