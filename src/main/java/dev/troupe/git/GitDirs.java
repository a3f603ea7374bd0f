package dev.troupe.git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.eclipse.jgit.errors.ConfigInvalidException;
import org.eclipse.jgit.storage.file.FileBasedConfig;
import org.eclipse.jgit.util.FS;

/**
 * Where a worktree's git directories are, read from the files git keeps them in (the worktree's {@code .git} file,
 * its admin folder's {@code commondir}) rather than asked of a {@code git rev-parse} process: the same answer, for a
 * file read instead of a process, several times a task.
 */
public final class GitDirs {

    private static final String GITDIR = "gitdir:";

    private GitDirs() {}

    /**
     * The worktree's own git directory ({@code rev-parse --absolute-git-dir}): for a linked worktree its admin
     * folder, {@code .git/worktrees/<name>} of the repository; for the main worktree its {@code .git}.
     */
    public static Path gitDir(Path worktree) throws GitException {
        Path dotGit = worktree.resolve(".git");
        if (Files.isDirectory(dotGit)) {
            return real(dotGit);
        }
        String text;
        try {
            text = Files.readString(dotGit, StandardCharsets.UTF_8).strip();
        } catch (NoSuchFileException missing) {
            throw new GitException(worktree + " is not a git worktree (it has no .git)");
        } catch (IOException e) {
            throw new GitException("cannot read " + dotGit + ": " + e.getMessage(), e);
        }
        if (!text.startsWith(GITDIR)) {
            throw new GitException(dotGit + " does not say where its git directory is");
        }
        return real(worktree.resolve(text.substring(GITDIR.length()).strip()));
    }

    /** The repository's common git directory ({@code rev-parse --git-common-dir}), shared by all its worktrees. */
    public static Path commonDir(Path worktree) throws GitException {
        Path gitDir = gitDir(worktree);
        Path pointer = gitDir.resolve("commondir");
        if (!Files.exists(pointer)) {
            return gitDir;
        }
        try {
            return real(gitDir.resolve(Files.readString(pointer, StandardCharsets.UTF_8).strip()));
        } catch (IOException e) {
            throw new GitException("cannot read " + pointer + ": " + e.getMessage(), e);
        }
    }

    /**
     * Whether the repository whose common dir is {@code common} is bare ({@code core.bare}) or keeps its refs in a
     * reftable ({@code extensions.refStorage}): its HEAD files do not say what its worktrees have checked out.
     */
    static boolean bareOrReftable(Path common) throws GitException {
        FileBasedConfig config = new FileBasedConfig(common.resolve("config").toFile(), FS.DETECTED);
        try {
            config.load();
        } catch (IOException | ConfigInvalidException e) {
            throw new GitException("cannot read " + common.resolve("config") + ": " + e.getMessage(), e);
        }
        return config.getBoolean("core", "bare", false) || config.getString("extensions", null, "refStorage") != null;
    }

    /** The path with its links resolved, as git gives it; as it is when it does not exist. */
    static Path real(Path path) {
        try {
            return path.toRealPath();
        } catch (IOException missing) {
            return path.toAbsolutePath().normalize();
        }
    }
}
