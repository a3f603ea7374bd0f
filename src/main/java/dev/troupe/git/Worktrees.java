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
     * Removes the worktree (even with changes or a lock in it); its branch stays. Only this worktree: a
     * {@code git worktree prune} would also drop the user's own worktrees whose folders are out of reach.
     */
    public static void remove(Path repo, Path worktree) throws GitException {
        GitCli.run(repo, "worktree", "remove", "--force", "--force", worktree.toString());
    }
}
