package dev.troupe.git;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;

/**
 * Sets a branch where troupe keeps a task's work, as {@code git branch --force} would, in process: it is done for every
 * task, and a git process to write one ref cost more than the ref.
 */
public final class Branches {

    private Branches() {}

    /**
     * Points {@code branch} (a short name, {@code troupe/tasks/...}) at {@code commit}, made or moved. Like git, refuses
     * a branch checked out in some worktree: moving it would change what someone's checkout says it holds.
     */
    public static void force(Path repo, String branch, ObjectId commit) throws GitException {
        Housekeeping.sharing(repo, () -> {
            forceAlongside(repo, branch, commit);
            return null;
        });
    }

    private static void forceAlongside(Path repo, String branch, ObjectId commit) throws GitException {
        String ref = Constants.R_HEADS + branch;
        if (!Repository.isValidRefName(ref)) {
            throw new GitException("'" + branch + "' is not a valid branch name");
        }
        Path common = Files.exists(repo.resolve(".git")) ? GitDirs.commonDir(repo) : null;
        if (common == null || GitDirs.bareOrReftable(common)) {
            // A bare repository (a worker node's), or refs in a reftable: git sets them, and refuses a checked-out one.
            GitCli.run(repo, "branch", "--force", branch, commit.name());
            return;
        }
        Optional<Path> out = Worktrees.checkedOutAt(repo, branch);
        if (out.isPresent()) {
            throw new GitException("cannot set " + branch + ": it is checked out at " + out.get());
        }
        try (Repository git = Repositories.open(repo)) {
            makeFolders(common, ref);
            RefUpdate update = git.updateRef(ref);
            update.setNewObjectId(commit);
            update.setForceUpdate(true);
            update.setRefLogMessage("branch: Reset to " + commit.name(), false);
            RefUpdate.Result result = update.update();
            String why = switch (result) {
                case NEW, FORCED, FAST_FORWARD, NO_CHANGE -> null;
                case LOCK_FAILURE -> "its lock file is held, by another git process or by one that died (" + ref
                        + ".lock)";
                case REJECTED_MISSING_OBJECT -> "the repository has no commit " + commit.name();
                default -> result + " (a ref of the same name as one of its folders, or a file git could not write)";
            };
            if (why != null) {
                throw new GitException("could not set " + branch + " to " + commit.name() + ": " + why);
            }
        } catch (IOException e) {
            throw new GitException("cannot set " + branch + ": " + e.getMessage(), e);
        }
    }

    /**
     * The folders of the ref's file and of its log. JGit makes them with {@code File.mkdirs}, which fails when
     * another thread makes one of them at that moment: the workers set their first branches of a run together, under
     * one new {@code troupe/tasks/<run>/}, and one task of 20 failed so. Made first here, by a call that takes a folder
     * made meanwhile as made.
     */
    private static void makeFolders(Path common, String ref) throws IOException {
        String folder = ref.substring(0, ref.lastIndexOf('/'));
        Files.createDirectories(common.resolve(folder));
        Files.createDirectories(common.resolve("logs").resolve(folder));
    }
}
