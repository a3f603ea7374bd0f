package dev.troupe.workspace;

import dev.troupe.git.GitCli;
import dev.troupe.git.GitException;
import dev.troupe.git.Worktrees;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code troupe cleanup --workspaces}: removes the kept workspaces of a repository (in every {@link WorkspaceRoot}
 * its runs used, {@code .troupe/workspaces/} of older runs too), except those a live run holds. Work a stopped run
 * left in one is kept on a branch first.
 */
public final class KeptWorkspaces {

    /**
     * @param removed the workspaces removed
     * @param saved branches that now hold work found in them
     * @param inUse workspaces left alone because a live run holds them
     * @param problems workspaces that could not be removed, and why
     */
    public record Removal(List<String> removed, List<String> saved, List<String> inUse, List<String> problems) {}

    private KeptWorkspaces() {}

    /** Blocking. */
    public static Removal removeAll(Path top) throws IOException {
        Removal removal = new Removal(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (WorkspaceRoot root : WorkspaceRoot.known(top)) {
            if (Files.isDirectory(root.kept())) {
                removeAll(top, root.kept(), removal);
            }
        }
        return removal;
    }

    private static void removeAll(Path top, Path root, Removal removal) throws IOException {
        List<Path> dirs;
        try (Stream<Path> listing = Files.list(root)) {
            dirs = listing.filter(Files::isDirectory).sorted().toList();
        }
        for (Path dir : dirs) {
            String name = dir.getFileName().toString();
            if (Files.exists(dir.resolve(".git")) && !ofRepository(top, dir)) {
                // A remembered root now someone else's (the repository moved, another cloned in its place).
                removal.problems().add(name + ": " + dir + " is not a workspace of " + top + "; left alone");
                continue;
            }
            Path lockFile = root.resolve(name + ".lock");
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock lock = tryLock(channel)) {
                if (lock == null) {
                    removal.inUse().add(name);
                    continue;
                }
                if (Files.exists(dir.resolve(".git"))) {
                    Leftovers.save(dir, name, WorkspaceState.read(Leftovers.adminDir(dir)))
                            .ifPresent(removal.saved()::add);
                }
                Worktrees.remove(top, dir);
                removal.removed().add(name);
            } catch (GitException e) {
                removal.problems().add(name + ": " + e.getMessage());
            }
            // The lock file stays: deleted, a run that opened it and one that made a new one could both hold it.
        }
    }

    /** Whether the worktree at {@code dir} is one of the repository at {@code top}: they share its git folder. */
    private static boolean ofRepository(Path top, Path dir) {
        try {
            return commonDir(top).equals(commonDir(dir));
        } catch (GitException | IOException e) {
            return false;
        }
    }

    private static Path commonDir(Path checkout) throws GitException, IOException {
        return checkout.resolve(GitCli.run(checkout, "rev-parse", "--git-common-dir").strip()).toRealPath();
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException heldInThisJvm) {
            return null;
        }
    }
}
