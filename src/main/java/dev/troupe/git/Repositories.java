package dev.troupe.git;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Repository;

/**
 * The repositories troupe works in with JGit, each opened once and kept open: a worker's worktree, a run's
 * repository. A newly opened repository reads the whole {@code packed-refs} at its first ref and its pack indexes at
 * its first object: with the task branches git gc had packed, about 6 MB of heap and tens of milliseconds an opening
 * at 10,000 tasks, three or four times a task, which made the run slower and its heap larger the longer it ran. A
 * kept repository reads a file again only when it changed.
 *
 * <p>{@link #open} hands out a use of the kept repository: close it when done (try-with-resources), as a repository
 * of one's own; it stays open for the next use. The most recently used {@value #MOST_KEPT} are kept (a worktree's
 * holds little: its objects are read through {@link #shared}). A kept repository whose git directory is no longer
 * the one at its path (gone, another one named, or, where the file system tells, made again) is let go and opened
 * afresh; one kept across a worktree made again under the same name is harmless, since JGit reads again every file
 * that changed.
 */
public final class Repositories {

    static final int MOST_KEPT = 64;

    /** The repository kept for a path, and which file its git directory was when it was opened. */
    private record Kept(Repository repository, Object gitDirKey) {}

    private static final Map<Path, Kept> KEPT = new LinkedHashMap<>(16, 0.75f, true);

    private Repositories() {}

    /**
     * A use of the repository of {@code dir} (a worktree, or a repository's top folder): the kept one, or one opened
     * now and kept. The caller closes it.
     */
    public static Repository open(Path dir) throws IOException {
        Path key = key(dir);
        synchronized (KEPT) {
            Kept kept = KEPT.get(key);
            if (kept != null && stillAt(key, kept)) {
                kept.repository().incrementOpen();
                return kept.repository();
            }
            if (kept != null) {
                KEPT.remove(key);
                kept.repository().close();
            }
            Repository opened = Git.open(key.toFile()).getRepository();
            KEPT.put(key, new Kept(opened, fileKey(gitDirOf(opened))));
            letGoOfTheOldest();
            opened.incrementOpen();
            return opened;
        }
    }

    /**
     * A use of the repository whose objects and branches {@code worktree} shares with the repository's other
     * worktrees (its common git directory): the commits a worktree makes and reads go through it, so the
     * repository's pack indexes are read into memory once for all of its worktrees, not once for each.
     */
    public static Repository shared(Path worktree) throws IOException, GitException {
        return open(GitDirs.commonDir(worktree));
    }

    /** A repository's top folder and its {@code .git} are one repository; a worktree is one of its own. */
    private static Path key(Path dir) {
        Path dotGit = dir.toAbsolutePath().normalize().resolve(".git");
        return GitDirs.real(Files.isDirectory(dotGit) ? dotGit : dotGit.getParent());
    }

    private static void letGoOfTheOldest() {
        Iterator<Kept> oldestFirst = KEPT.values().iterator();
        while (KEPT.size() > MOST_KEPT) {
            oldestFirst.next().repository().close();
            oldestFirst.remove();
        }
    }

    /**
     * Whether {@code dir}'s {@code .git} still leads to the kept repository's git directory, the same folder it was:
     * a worktree removed and added again has a git directory of the same name, made anew.
     */
    private static boolean stillAt(Path dir, Kept kept) {
        Path gitDir = gitDirOf(kept.repository());
        if (Files.isRegularFile(dir.resolve(".git"), LinkOption.NOFOLLOW_LINKS)) {
            try {
                if (!GitDirs.gitDir(dir).equals(gitDir)) {
                    return false;
                }
            } catch (GitException unreadable) {
                return false;
            }
        }
        Object now = fileKey(gitDir);
        return now != null && now.equals(kept.gitDirKey());
    }

    private static Path gitDirOf(Repository repository) {
        return GitDirs.real(repository.getDirectory().toPath());
    }

    /** The folder's identity (device and inode), null when it is gone: one removed and made again is another. */
    private static Object fileKey(Path folder) {
        try {
            Object key = Files.readAttributes(folder, BasicFileAttributes.class).fileKey();
            return key == null ? folder : key;
        } catch (IOException gone) {
            return null;
        }
    }
}
