package dev.troupe.workspace;

import dev.troupe.agent.AgentProcess;
import dev.troupe.git.GitCli;
import dev.troupe.git.GitException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a stopped run left in a kept workspace: uncommitted work of an agent killed mid-task (or its own commit that
 * no branch holds). Kept on {@code troupe/failed/<run>/interrupted-<workspace>} before the workspace is reset or
 * removed, as {@code troupe resume} keeps what a run's own worktrees held.
 */
final class Leftovers {

    private static final String TROUPE = "-c user.name=troupe -c user.email=troupe@localhost";

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
        Path index = admin.resolve("troupe-leftovers.index");
        Optional<String> saved;
        try {
            Map<String, String> own = Map.of("GIT_INDEX_FILE", index.toString());
            Files.deleteIfExists(index);
            GitCli.run(dir, own, null, "read-tree", "HEAD");
            GitCli.run(dir, own, null, "add", "--all", "--", ".");
            if (!state.leaveOut().isEmpty()) {
                // Taken out again rather than excluded from the add, which refuses a pathspec naming an ignored path.
                byte[] paths = (String.join("\0", state.leaveOut()) + "\0").getBytes(StandardCharsets.UTF_8);
                GitCli.run(dir, own, paths, "--literal-pathspecs", "reset", "--quiet", "HEAD",
                        "--pathspec-from-file=-", "--pathspec-file-nul");
            }
            String tree = GitCli.run(dir, own, null, "write-tree").strip();
            String head = GitCli.run(dir, "rev-parse", "HEAD").strip();
            if (!tree.equals(GitCli.run(dir, "rev-parse", "HEAD^{tree}").strip())) {
                saved = Optional.of(commitTree(dir, tree, head, "troupe: work left in workspace " + name
                        + " when run " + previous + " stopped\n"));
            } else if (GitCli.run(dir, "for-each-ref", "--count=1", "--contains", "HEAD").isBlank()) {
                saved = Optional.of(head);
            } else {
                saved = Optional.empty();
            }
        } finally {
            Files.deleteIfExists(index);
        }
        if (saved.isEmpty()) {
            return Optional.empty();
        }
        String branch = freeBranch(dir, "troupe/failed/" + previous + "/interrupted-" + name);
        GitCli.run(dir, "branch", branch, saved.get());
        return Optional.of(branch);
    }

    private static String commitTree(Path dir, String tree, String parent, String message) throws GitException {
        List<String> args = new ArrayList<>();
        if (!hasIdentity(dir)) {
            args.addAll(List.of(TROUPE.split(" ")));
        }
        args.addAll(List.of("commit-tree", tree, "-p", parent, "-F", "-"));
        return GitCli.run(dir, message.getBytes(StandardCharsets.UTF_8), args.toArray(String[]::new)).strip();
    }

    private static boolean hasIdentity(Path dir) {
        try {
            GitCli.run(dir, "var", "GIT_COMMITTER_IDENT");
            return true;
        } catch (GitException none) {
            return false;
        }
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
        return Path.of(GitCli.run(dir, "rev-parse", "--absolute-git-dir").strip());
    }
}
