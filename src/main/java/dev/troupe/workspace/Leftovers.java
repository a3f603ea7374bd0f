package dev.troupe.workspace;

import dev.troupe.agent.AgentProcess;
import dev.troupe.git.Commits;
import dev.troupe.git.GitCli;
import dev.troupe.git.GitException;
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
     * Blocking: the agents of the run that left the workspace, if any still live, are stopped; then its work is
     * committed (never the workspace's own paths) and kept on a branch. Returns the branch, when there was work.
     *
     * @param runMarker the environment variable naming a run in everything it starts
     */
    static Optional<String> save(Path dir, String name, WorkspaceState state, String runMarker)
            throws IOException, GitException {
        String previous = state.run() == null ? "unknown" : state.run();
        if (state.run() != null) {
            AgentProcess.killAllWith(runMarker + "=" + state.run());
        }
        // The killed agent (or troupe) may have been mid-commit: its index lock is stale now.
        Files.deleteIfExists(adminDir(dir).resolve("index.lock"));
        Optional<ObjectId> saved = Commits.commitIfChanged(dir, "troupe: work left in workspace " + name
                + " when run " + previous + " stopped\n", state.leaveOut());
        if (saved.isEmpty() && GitCli.run(dir, "for-each-ref", "--count=1", "--contains", "HEAD").isBlank()) {
            saved = Optional.of(ObjectId.fromString(GitCli.run(dir, "rev-parse", "HEAD").strip()));
        }
        if (saved.isEmpty()) {
            return Optional.empty();
        }
        String branch = "troupe/failed/" + previous + "/interrupted-" + name;
        GitCli.run(dir, "branch", "--force", branch, saved.get().name());
        return Optional.of(branch);
    }

    /** The worktree's own admin folder, {@code .git/worktrees/<name>} of the repository. */
    static Path adminDir(Path dir) throws GitException {
        return Path.of(GitCli.run(dir, "rev-parse", "--absolute-git-dir").strip());
    }
}
