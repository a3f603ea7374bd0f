package dev.troupe.git;

import java.nio.file.Path;

/** Linked worktrees, through the git command line (JGit cannot make them): where a branch is out, removing one. */
public final class Worktrees {

    private Worktrees() {}

    /** Where {@code branch} is checked out, if it is, in any worktree of the repository. */
    public static java.util.Optional<Path> checkedOutAt(Path repo, String branch) throws GitException {
        Path worktree = null;
        for (String line : GitCli.run(repo, "worktree", "list", "--porcelain").lines().toList()) {
            if (line.startsWith("worktree ")) {
                worktree = Path.of(line.substring("worktree ".length()));
            } else if (line.equals("branch refs/heads/" + branch)) {
                return java.util.Optional.ofNullable(worktree);
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * A new worktree of {@code repo} at {@code dir}, detached at {@code commit}, checked out with {@code
     * checkoutWorkers} in parallel. Forced: a worktree whose folder someone deleted is still registered with git,
     * which otherwise refuses the path. Only the registration passes the {@link WorktreeGate}; the checkout (what
     * {@code worktree add} would do next, its {@code post-checkout} hook included) runs after it, beside other work
     * on the repository.
     */
    public static void add(Path repo, Path dir, String commit, int checkoutWorkers) throws GitException {
        WorktreeGate.through(repo, () -> GitCli.run(repo, "worktree", "add", "--quiet", "--force", "--no-checkout",
                "--detach", dir.toString(), commit));
        // As worktree add's own checkout would: no submodules, and the post-checkout hook runs (git-lfs's, say).
        GitCli.run(dir, "-c", "checkout.workers=" + checkoutWorkers, "checkout", "--quiet", "--force",
                "--no-recurse-submodules", "--detach", commit);
    }

    /**
     * Removes the worktree (even with changes or a lock in it); its branch stays. Only this worktree: a
     * {@code git worktree prune} would also drop the user's own worktrees whose folders are out of reach.
     */
    public static void remove(Path repo, Path worktree) throws GitException {
        WorktreeGate.through(repo, () -> GitCli.run(repo, "worktree", "remove", "--force", "--force",
                worktree.toString()));
    }
}
