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
     * Makes {@code worktree} a clean checkout of {@code base}, on a detached HEAD: task branches are never checked
     * out (git refuses a branch checked out in another worktree, so a branch left behind in one would block every
     * later attempt of its task); they are set when an attempt settles.
     */
    public static void checkoutFresh(Path repo, Path worktree, String base) throws GitException {
        if (!Files.exists(worktree.resolve(".git"))) {
            GitCli.run(repo, "worktree", "add", "--quiet", "--detach", worktree.toString(), base);
            return;
        }
        GitCli.run(worktree, "checkout", "--quiet", "--force", "--detach", base);
        GitCli.run(worktree, "clean", "--quiet", "-ffdx");
    }

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
     * Removes the worktree (even with changes or a lock in it); its branch stays. Only this worktree: a
     * {@code git worktree prune} would also drop the user's own worktrees whose folders are out of reach.
     */
    public static void remove(Path repo, Path worktree) throws GitException {
        GitCli.run(repo, "worktree", "remove", "--force", "--force", worktree.toString());
    }
}
