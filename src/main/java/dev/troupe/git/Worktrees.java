package dev.troupe.git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/** Linked worktrees, through the git command line (JGit cannot make them): where a branch is out, removing one. */
public final class Worktrees {

    /** What a reftable repository's HEAD files hold: its refs are elsewhere, and only git reads them. */
    private static final String REFTABLE_STUB = "ref: refs/heads/.invalid";

    private Worktrees() {}

    /**
     * Where {@code branch} is checked out, if it is, in any worktree of the repository. Read from the HEAD files of
     * the repository and of each linked worktree (what {@code git worktree list} reads, without a process, once a
     * merge); asked of git for a layout other than a working tree with its {@code .git} folder (bare, a separate git
     * dir).
     */
    public static Optional<Path> checkedOutAt(Path repo, String branch) throws GitException {
        Path common = GitDirs.commonDir(repo);
        String mainHead = read(common.resolve("HEAD"));
        if (!common.getFileName().toString().equals(".git") || mainHead.equals(REFTABLE_STUB)
                || GitDirs.bareOrReftable(common)) {
            return listed(repo, branch);
        }
        String wanted = "ref: refs/heads/" + branch;
        if (wanted.equals(mainHead)) {
            return Optional.of(common.getParent());
        }
        Path linked = common.resolve("worktrees");
        if (!Files.isDirectory(linked)) {
            return Optional.empty();
        }
        try (Stream<Path> admins = Files.list(linked)) {
            for (Path admin : admins.sorted().toList()) {
                String gitdir = read(admin.resolve("gitdir"));
                if (wanted.equals(read(admin.resolve("HEAD"))) && !gitdir.isEmpty()) {
                    return Optional.of(admin.resolve(gitdir).normalize().getParent());
                }
            }
        } catch (IOException e) {
            throw new GitException("cannot read the worktrees of " + repo + ": " + e.getMessage(), e);
        }
        return Optional.empty();
    }

    /** What {@code git worktree list} says of where {@code branch} is checked out. */
    private static Optional<Path> listed(Path repo, String branch) throws GitException {
        Path worktree = null;
        for (String line : GitCli.run(repo, "worktree", "list", "--porcelain").lines().toList()) {
            if (line.startsWith("worktree ")) {
                worktree = Path.of(line.substring("worktree ".length()));
            } else if (line.equals("branch refs/heads/" + branch)) {
                return Optional.ofNullable(worktree);
            }
        }
        return Optional.empty();
    }

    /** A small file of git's, stripped; empty when it is not there. */
    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException missing) {
            return "";
        }
    }

    /**
     * A new worktree of {@code repo} at {@code dir}, detached at {@code commit}, checked out with {@code
     * checkoutWorkers} in parallel. Forced: a worktree whose folder someone deleted is still registered with git,
     * which otherwise refuses the path. Only the registration passes the {@link WorktreeGate}; the checkout (what
     * {@code worktree add} would do next, its {@code post-checkout} hook included) runs after it, beside other work
     * on the repository.
     */
    public static void add(Path repo, Path dir, String commit, int checkoutWorkers) throws GitException {
        // Not while gc runs (Housekeeping): it holds the HEADs' locks and removes object folders.
        Housekeeping.sharing(repo, () -> {
            WorktreeGate.through(repo, () -> GitCli.run(repo, "worktree", "add", "--quiet", "--force", "--no-checkout",
                    "--detach", dir.toString(), commit));
            // As worktree add's own checkout would: no submodules, and the post-checkout hook runs (git-lfs's, say).
            return GitCli.run(dir, "-c", "checkout.workers=" + checkoutWorkers, "checkout", "--quiet", "--force",
                    "--no-recurse-submodules", "--detach", commit);
        });
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
