package dev.troupe.remote;

import dev.troupe.git.GitException;
import dev.troupe.git.Repositories;
import java.io.IOException;
import java.nio.file.Path;
import org.eclipse.jgit.errors.IncorrectObjectTypeException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;

/**
 * A ref set to a commit through JGit (a forced {@link RefUpdate}) rather than a git process: the ref stands for
 * that commit and nothing else. A ref name git would refuse, a commit the repository lacks or a held lock file is a
 * one-line GitException naming the ref; the ref is then left as it was.
 */
final class ForcedRef {

    private ForcedRef() {}

    /** Sets {@code ref} (a full name) in the repository at {@code repo} to {@code commitId}, a full commit id. */
    static void set(Path repo, String ref, String commitId, String reason) throws GitException {
        if (!Repository.isValidRefName(ref)) {
            throw new GitException("not a valid ref name: " + ref);
        }
        ObjectId commit = ObjectId.fromString(BundleFiles.requireCommitId(commitId, "the commit for " + ref));
        try (Repository git = Repositories.open(repo); RevWalk walk = new RevWalk(git)) {
            walk.parseCommit(commit);
            RefUpdate update = git.updateRef(ref);
            update.setNewObjectId(commit);
            update.setForceUpdate(true);
            update.setRefLogMessage(reason, false);
            RefUpdate.Result result = update.update(walk);
            switch (result) {
                case NEW, FORCED, FAST_FORWARD, NO_CHANGE -> { }
                case LOCK_FAILURE -> throw new GitException("could not set " + ref + ": its lock file is held (by"
                        + " another git process, or left by one that died: " + ref + ".lock)");
                default -> throw new GitException("could not set " + ref + " to " + commitId + " (" + result + ")");
            }
        } catch (MissingObjectException | IncorrectObjectTypeException e) {
            throw new GitException("the repository " + repo + " has no commit " + commitId, e);
        } catch (IOException e) {
            throw new GitException("cannot set " + ref + " in " + repo + ": " + e.getMessage(), e);
        }
    }
}
