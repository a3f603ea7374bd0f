package dev.troupe.git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;

/**
 * A commit of a worktree's files as they are, for saving what a stopped agent left: built in an index of its own
 * ({@code GIT_INDEX_FILE}) from HEAD and every file git does not ignore, so it is made whatever state the agent left
 * git in (a merge or rebase half done, conflicts, a stale lock). Neither the worktree's index nor a branch moves.
 * Blocking.
 */
public final class Snapshots {

    private Snapshots() {}

    /**
     * The commit, on top of HEAD, of the worktree's files without {@code leaveOut} (paths taken literally, a
     * directory with a trailing '/'); empty when they are HEAD's.
     */
    public static Optional<ObjectId> take(Path worktree, String message, Collection<String> leaveOut)
            throws GitException {
        Path admin = GitDirs.gitDir(worktree);
        Path index = admin.resolve("troupe-snapshot.index");
        Map<String, String> own = Map.of("GIT_INDEX_FILE", index.toString());
        try {
            Files.deleteIfExists(index);
            GitCli.run(worktree, own, null, "read-tree", "HEAD");
            GitCli.run(worktree, own, null, "add", "--all", "--", ".");
            if (!leaveOut.isEmpty()) {
                // Taken out again rather than excluded from the add, which refuses a pathspec naming an ignored path.
                Commits.resetPaths(worktree, own, "HEAD", leaveOut);
            }
            String tree = GitCli.run(worktree, own, null, "write-tree").strip();
            if (tree.equals(GitCli.run(worktree, "rev-parse", "HEAD^{tree}").strip())) {
                return Optional.empty();
            }
            List<String> args;
            try (Repository repo = Repositories.open(worktree)) {
                args = new ArrayList<>(Commits.asCommitter(repo));
            }
            args.addAll(List.of("commit-tree", tree, "-p", "HEAD", "-F", "-"));
            return Optional.of(ObjectId.fromString(GitCli.run(worktree, message.getBytes(StandardCharsets.UTF_8),
                    args.toArray(String[]::new)).strip()));
        } catch (IOException e) {
            throw new GitException("cannot save the files of " + worktree + ": " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(index);
            } catch (IOException leftBehind) {
                // A stale index of its own is replaced by the next snapshot.
            }
        }
    }
}
