package dev.troupe.git;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.jgit.api.AddCommand;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.RmCommand;
import org.eclipse.jgit.api.Status;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.JGitInternalException;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.RepositoryState;
import org.eclipse.jgit.lib.UserConfig;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.util.io.DisabledOutputStream;

/** Commits in a worker's worktree and what a commit changed, with JGit. Blocking. */
public final class Commits {

    private Commits() {}

    /**
     * Commits everything the agent left in {@code worktree} (new, changed and deleted files, ignored files
     * excepted) and returns the branch head: the new commit, or the head as the agent left it when there was
     * nothing to commit (the agent may have committed by itself).
     */
    public static ObjectId commitAll(Path worktree, String message) throws GitException {
        return commitAll(worktree, message, List.of());
    }

    /**
     * The same, leaving out {@code leaveOut}: paths relative to the worktree (a file, or a directory written with a
     * trailing '/') that are never staged, whatever their state (copied files, setup output).
     */
    public static ObjectId commitAll(Path worktree, String message, java.util.Collection<String> leaveOut)
            throws GitException {
        try (Git git = Git.open(worktree.toFile())) {
            RepositoryState state = git.getRepository().getRepositoryState();
            Status status = git.status().call();
            if (state != RepositoryState.SAFE || !status.getConflicting().isEmpty()) {
                // Committing now would put conflict markers or half a rebase on the branch.
                throw new GitException("the agent left an unfinished " + operation(state)
                        + (status.getConflicting().isEmpty() ? "" : " (conflicts in "
                        + String.join(", ", new java.util.TreeSet<>(status.getConflicting())) + ")") + " in " + worktree);
            }
            if (!status.isClean() && stage(git, status, leaveOut)) {
                PersonIdent who = identity(git.getRepository());
                // Without the user's hooks: a hook that refuses the commit would throw the agent's work away, and
                // the work is checked where it is merged, not here.
                git.commit().setMessage(message).setAuthor(who).setCommitter(who).setNoVerify(true).call();
            }
            ObjectId head = git.getRepository().resolve("HEAD");
            if (head == null) {
                throw new GitException("the worktree " + worktree + " has no HEAD");
            }
            return head;
        } catch (IOException | GitAPIException | JGitInternalException e) {
            // JGitInternalException: e.g. an index.lock left by a process that died mid-commit.
            throw new GitException("cannot commit the agent's work in " + worktree + ": " + e.getMessage()
                    + (e.getCause() != null ? " (" + e.getCause().getMessage() + ")" : ""), e);
        }
    }

    /**
     * Stages what {@code status} found changed, as {@code git add -A} would, naming each path: a walk of only
     * those paths, where {@code add .} twice (new files, then deletions) walks and hashes the whole worktree
     * twice more (a 2,000-file repository showed in every task's profile). Whether anything is to be committed.
     */
    private static boolean stage(Git git, Status status, java.util.Collection<String> leaveOut) throws GitAPIException {
        // Removals first: a path is a prefix to rm, so removing a file that became a directory after adding the
        // directory's files would take them out again.
        Set<String> missing = new TreeSet<>(status.getMissing());
        missing.removeIf(path -> leftOut(path, leaveOut));
        if (!missing.isEmpty()) {
            RmCommand remove = git.rm().setCached(true);
            missing.forEach(remove::addFilepattern);
            remove.call();
        }
        Set<String> changed = new TreeSet<>(status.getUntracked());
        changed.addAll(status.getModified());
        changed.removeIf(path -> leftOut(path, leaveOut));
        if (!changed.isEmpty()) {
            AddCommand add = git.add();
            changed.forEach(add::addFilepattern);
            add.call();
        }
        return !missing.isEmpty() || !changed.isEmpty() || !status.getAdded().isEmpty() || !status.getChanged().isEmpty()
                || !status.getRemoved().isEmpty();
    }

    private static boolean leftOut(String path, java.util.Collection<String> leaveOut) {
        for (String out : leaveOut) {
            if (out.endsWith("/") ? path.startsWith(out) : path.equals(out)) {
                return true;
            }
        }
        return false;
    }

    private static String operation(RepositoryState state) {
        String name = state.name();
        if (name.startsWith("MERGING")) {
            return "merge";
        } else if (name.startsWith("REBASING")) {
            return "rebase";
        } else if (name.startsWith("CHERRY_PICKING")) {
            return "cherry-pick";
        } else if (name.startsWith("REVERTING")) {
            return "revert";
        } else if (name.equals("BISECTING")) {
            return "bisect";
        }
        return "merge";
    }

    /** Commits what is uncommitted in {@code worktree}, if anything; the new commit, or empty. */
    public static java.util.Optional<ObjectId> commitIfChanged(Path worktree, String message) throws GitException {
        return commitIfChanged(worktree, message, List.of());
    }

    /** The same, leaving out {@code leaveOut} (see {@link #commitAll(Path, String, java.util.Collection)}). */
    public static java.util.Optional<ObjectId> commitIfChanged(Path worktree, String message,
            java.util.Collection<String> leaveOut) throws GitException {
        ObjectId before;
        try (Git git = Git.open(worktree.toFile())) {
            if (git.status().call().isClean()) {
                return java.util.Optional.empty();
            }
            before = git.getRepository().resolve("HEAD");
        } catch (IOException | GitAPIException | JGitInternalException e) {
            throw new GitException("cannot read " + worktree + ": " + e.getMessage(), e);
        }
        ObjectId after = commitAll(worktree, message, leaveOut);
        return after.equals(before) ? java.util.Optional.empty() : java.util.Optional.of(after);
    }

    /** The repository's configured identity, or troupe's own when none is set. */
    static PersonIdent identity(Repository repo) {
        UserConfig user = repo.getConfig().get(UserConfig.KEY);
        if (user.isCommitterNameImplicit() || user.isCommitterEmailImplicit()) {
            return new PersonIdent("troupe", "troupe@localhost");
        }
        return new PersonIdent(user.getCommitterName(), user.getCommitterEmail());
    }

    /** Paths that differ between two commits, sorted. */
    public static List<String> changedPaths(Repository repo, ObjectId from, ObjectId to) throws GitException {
        try (RevWalk walk = new RevWalk(repo);
                DiffFormatter diff = new DiffFormatter(DisabledOutputStream.INSTANCE)) {
            RevCommit a = walk.parseCommit(from);
            RevCommit b = walk.parseCommit(to);
            diff.setRepository(repo);
            List<String> paths = new ArrayList<>();
            for (DiffEntry entry : diff.scan(a.getTree(), b.getTree())) {
                paths.add(entry.getChangeType() == DiffEntry.ChangeType.DELETE ? entry.getOldPath() : entry.getNewPath());
            }
            paths.sort(null);
            return paths;
        } catch (IOException e) {
            throw new GitException("cannot compare " + from.name() + " with " + to.name() + ": " + e.getMessage(), e);
        }
    }
}
