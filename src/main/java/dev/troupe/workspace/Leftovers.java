package dev.troupe.workspace;

import dev.troupe.agent.AgentProcess;
import dev.troupe.git.GitCli;
import dev.troupe.git.GitDirs;
import dev.troupe.git.GitException;
import dev.troupe.git.Snapshots;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.jgit.lib.ObjectId;

/**
 * What a stopped run left in a kept workspace: uncommitted work of an agent killed mid-task (or its own commit that
 * no branch holds). Kept on {@code troupe/failed/<run>/interrupted-<workspace>} before the workspace is reset or
 * removed, as {@code troupe resume} keeps what a run's own worktrees held.
 */
final class Leftovers {

    private Leftovers() {}

    /**
     * Blocking: whatever still runs in the workspace (a stopped run's agent or setup, found by
     * {@link Workspace#DIR_VARIABLE}) is stopped; then its work is committed (never the workspace's own paths) and
     * kept on a branch. The commit is built in an index of its own, from the files as they are, so it is made
     * whatever state the agent left git in (a merge or rebase half done, conflicts, a stale lock). Returns the
     * branch, when there was work.
     */
    static Optional<String> save(Path dir, String name, WorkspaceState state) throws IOException, GitException {
        AgentProcess.killAllWith(Workspace.DIR_VARIABLE + "=" + dir);
        String previous = state.run() == null ? "unknown" : state.run();
        Path admin = adminDir(dir);
        // The killed agent (or troupe) may have been mid-commit: its index lock is stale now.
        Files.deleteIfExists(admin.resolve("index.lock"));
        Optional<String> saved = Snapshots.take(dir, "troupe: work left in workspace " + name + " when run " + previous
                + " stopped\n", state.leaveOut()).map(ObjectId::name);
        if (saved.isEmpty() && GitCli.run(dir, "for-each-ref", "--count=1", "--contains", "HEAD").isBlank()) {
            // Nothing uncommitted, but a commit of the agent's own that no branch holds.
            saved = Optional.of(GitCli.run(dir, "rev-parse", "HEAD").strip());
        }
        if (saved.isEmpty()) {
            return Optional.empty();
        }
        String branch = freeBranch(dir, "troupe/failed/" + previous + "/interrupted-" + name);
        GitCli.run(dir, "branch", branch, saved.get());
        return Optional.of(branch);
    }

    /** {@code branch}, or {@code branch-2}, {@code -3}... when an earlier save of the same run holds it. */
    private static String freeBranch(Path dir, String branch) {
        String free = branch;
        for (int n = 2; GitCli.resolve(dir, "refs/heads/" + free).isPresent(); n++) {
            free = branch + "-" + n;
        }
        return free;
    }

    /** The worktree's own admin folder, {@code .git/worktrees/<name>} of the repository. */
    static Path adminDir(Path dir) throws GitException {
        return GitDirs.gitDir(dir);
    }
}
