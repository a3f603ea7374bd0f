package dev.troupe.git;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.merge.MergeStrategy;
import org.eclipse.jgit.merge.ResolveMerger;

/**
 * The branch finished work is merged into. Merges happen in memory (no working tree is touched) and the
 * branch moves only with a compare-and-set on its old id, so a merge that conflicts, fails or races leaves
 * the branch exactly as it was. The branch must be checked out nowhere: JGit would move it under a worktree
 * and leave that checkout stale.
 */
public final class IntegrationBranch {

    /** What one merge did. */
    public sealed interface Outcome {
        record Merged(ObjectId commit) implements Outcome {}

        record Conflict(List<String> paths) implements Outcome {}

        /** The merged result did not pass the goal's check; the branch did not move. */
        record CheckFailed(String output) implements Outcome {}

        /** The check could not run at all (its workspace could not be set up); the branch did not move. */
        record CheckCannotRun(String reason) implements Outcome {}
    }

    /** The check cannot run, whatever the merge: no merge can be judged until someone fixes what it needs. */
    public static final class CheckCannotRun extends Exception {

        private static final long serialVersionUID = 1L;

        public CheckCannotRun(String reason) {
            super(reason);
        }
    }

    /** Judges a merge commit before the branch moves to it (the goal's {@code sync.check}). */
    @FunctionalInterface
    public interface Check {
        /** Empty when the commit passes, else what the check said. */
        java.util.Optional<String> run(ObjectId mergeCommit) throws GitException, CheckCannotRun;
    }

    private final Repository repo;
    private final String ref;
    /**
     * Commits known to be in the branch's history: the head it was first seen at, and each merge made here with the
     * work it brought in. A task's work descends from one of them (the head it was given as its base), so its merge
     * base is found a commit or two from the work, where asking JGit walks the branch's whole history back to the
     * run's start on every merge: quadratic over a run, minutes of a 10,000-task fan-out. Cleared whenever the branch
     * is found anywhere else than where this object left it (moved on, or put back).
     */
    private final Set<ObjectId> known = new java.util.HashSet<>();
    /** Where this object last left the branch (or found it): anywhere else, {@link #known} is forgotten. */
    private ObjectId lastHead;
    /** How far back from a task's work the merge base is looked for among {@link #known}, before JGit is asked. */
    private static final int BASE_SEARCH = 64;

    public IntegrationBranch(Repository repo, String branch) {
        this.repo = repo;
        this.ref = Constants.R_HEADS + branch;
    }

    /** Creates the branch at {@code start}; fails if it already exists. */
    public void create(ObjectId start) throws GitException {
        move(ObjectId.zeroId(), start, "troupe: start integration branch");
    }

    public ObjectId head() throws GitException {
        try {
            Ref current = repo.exactRef(ref);
            if (current == null || current.getObjectId() == null) {
                throw new GitException("the integration branch " + Repository.shortenRefName(ref) + " does not exist");
            }
            return current.getObjectId();
        } catch (IOException e) {
            throw new GitException("cannot read " + ref + ": " + e.getMessage(), e);
        }
    }

    /**
     * The tasks of run {@code runId} that the branch holds: each merge commit on its first-parent history whose
     * message carries {@code Troupe-Run: <runId>} and {@code Troupe-Task: <id>}, newest first, down to
     * {@code stopAt} (where the run began).
     */
    public java.util.Map<String, ObjectId> mergedTasks(String runId, ObjectId stopAt) throws GitException {
        java.util.Map<String, ObjectId> merged = new java.util.LinkedHashMap<>();
        try (org.eclipse.jgit.revwalk.RevWalk walk = new org.eclipse.jgit.revwalk.RevWalk(repo)) {
            org.eclipse.jgit.revwalk.RevCommit commit = walk.parseCommit(head());
            while (commit != null && !commit.equals(stopAt)) {
                String task = null;
                boolean ofThisRun = false;
                for (org.eclipse.jgit.revwalk.FooterLine footer : commit.getFooterLines()) {
                    if (footer.matches(TASK_TRAILER)) {
                        task = footer.getValue().strip();
                    } else if (footer.matches(RUN_TRAILER) && footer.getValue().strip().equals(runId)) {
                        ofThisRun = true;
                    }
                }
                if (ofThisRun && task != null) {
                    merged.putIfAbsent(task, commit.copy());
                }
                commit = commit.getParentCount() == 0 ? null : walk.parseCommit(commit.getParent(0));
            }
        } catch (IOException e) {
            throw new GitException("cannot read the history of " + ref + ": " + e.getMessage(), e);
        }
        return merged;
    }

    private static final org.eclipse.jgit.revwalk.FooterKey TASK_TRAILER = new org.eclipse.jgit.revwalk.FooterKey("Troupe-Task");
    private static final org.eclipse.jgit.revwalk.FooterKey RUN_TRAILER = new org.eclipse.jgit.revwalk.FooterKey("Troupe-Run");

    /**
     * Merges {@code commit} into the branch with a merge commit carrying {@code message}. A merge commit is
     * made even when the branch already contains the work, so every task leaves its trailer.
     */
    public Outcome merge(ObjectId commit, String message) throws GitException {
        return merge(commit, message, mergeCommit -> java.util.Optional.empty());
    }

    /** As {@link #merge(ObjectId, String)}, moving the branch only when {@code check} passes the merge commit. */
    public Outcome merge(ObjectId commit, String message, Check check) throws GitException {
        return merge(commit, message, check, true);
    }

    /**
     * What merging {@code commit} would do now: the merge commit is made and checked as for a merge, but the branch
     * stays where it is ({@link Outcome.Merged} names the commit it would have moved to).
     */
    public Outcome trial(ObjectId commit, String message, Check check) throws GitException {
        return merge(commit, message, check, false);
    }

    private Outcome merge(ObjectId commit, String message, Check check, boolean move) throws GitException {
        ObjectId head = head();
        try (org.eclipse.jgit.revwalk.RevWalk walk = new org.eclipse.jgit.revwalk.RevWalk(repo)) {
            ObjectId base = knownBase(walk, head, commit);
            ObjectId tree = base == null ? null : trivialMerge(walk, base, head, commit);
            if (tree == null) {
                ResolveMerger merger = (ResolveMerger) MergeStrategy.RECURSIVE.newMerger(repo, true);
                if (base != null) {
                    merger.setBase(base);
                }
                if (!merger.merge(head, commit)) {
                    Set<String> paths = new TreeSet<>(merger.getUnmergedPaths());
                    if (merger.getFailingPaths() != null) {
                        paths.addAll(merger.getFailingPaths().keySet());
                    }
                    return new Outcome.Conflict(List.copyOf(paths));
                }
                tree = merger.getResultTreeId();
            }
            ObjectId mergeCommit = Commits.write(repo, tree, Commits.identity(repo), message, head, commit);
            java.util.Optional<String> failed;
            try {
                failed = check.run(mergeCommit);
            } catch (CheckCannotRun cannot) {
                return new Outcome.CheckCannotRun(cannot.getMessage());
            }
            if (failed.isPresent()) {
                return new Outcome.CheckFailed(failed.get());
            }
            if (move) {
                move(head, mergeCommit, "troupe: merge");
                known.add(mergeCommit.copy());
                known.add(commit.copy());
                lastHead = mergeCommit.copy();
            }
            return new Outcome.Merged(mergeCommit);
        } catch (IOException e) {
            throw new GitException("cannot merge " + commit.name() + " into " + ref + ": " + e.getMessage(), e);
        }
    }

    /**
     * The merged tree when every path merges trivially ({@link TreeMerge}: whole folders one side left alone), written
     * to the repository; null when some path needs a merge of contents, which JGit's merger does.
     */
    private ObjectId trivialMerge(org.eclipse.jgit.revwalk.RevWalk walk, ObjectId base, ObjectId head, ObjectId commit)
            throws IOException {
        try (ObjectInserter inserter = repo.newObjectInserter()) {
            java.util.Optional<ObjectId> tree = TreeMerge.merge(walk.getObjectReader(), inserter,
                    walk.parseCommit(base).getTree(), walk.parseCommit(head).getTree(),
                    walk.parseCommit(commit).getTree());
            inserter.flush();
            return tree.orElse(null);
        }
    }

    /**
     * The nearest of {@link #known}'s commits in {@code commit}'s history, followed back through its single-parent
     * commits over at most {@value #BASE_SEARCH}; null when none is there or the way back passes a merge (JGit then
     * works the merge base out itself). A history with no merge that holds another task's commit the branch has
     * (an agent that reset its worktree onto another task's branch) would still be given that commit: a common
     * ancestor, and the work since it is the agent's.
     */
    private ObjectId knownBase(org.eclipse.jgit.revwalk.RevWalk walk, ObjectId head, ObjectId commit)
            throws IOException {
        if (!head.equals(lastHead)) {
            known.clear();
            known.add(head.copy());
            lastHead = head.copy();
        }
        try {
            java.util.ArrayDeque<org.eclipse.jgit.revwalk.RevCommit> next = new java.util.ArrayDeque<>();
            next.add(walk.parseCommit(commit));
            for (int seen = 0; !next.isEmpty() && seen < BASE_SEARCH; seen++) {
                org.eclipse.jgit.revwalk.RevCommit c = next.poll();
                if (known.contains(c)) {
                    return c.copy();
                }
                if (c.getParentCount() > 1) {
                    // The work merged something itself (an earlier attempt's kept branch, say): the nearest known
                    // commit by steps may be older than the best common ancestor, and an older base would take back
                    // what the branch changed since. JGit works it out.
                    return null;
                }
                for (org.eclipse.jgit.revwalk.RevCommit parent : c.getParents()) {
                    next.add(walk.parseCommit(parent));
                }
            }
        } catch (org.eclipse.jgit.errors.MissingObjectException shallow) {
            // A history cut short: JGit's own search says what it makes of it.
        }
        return null;
    }

    /** Someone may check the branch out while a run goes on, to look at it: never move it under them. */
    private void refuseIfCheckedOut() throws GitException {
        if (repo.isBare() || repo.getWorkTree() == null) {
            return;
        }
        java.util.Optional<java.nio.file.Path> worktree =
                Worktrees.checkedOutAt(repo.getWorkTree().toPath(), Repository.shortenRefName(ref));
        if (worktree.isPresent()) {
            throw new GitException(Repository.shortenRefName(ref) + " is checked out at " + worktree.get()
                    + "; troupe will not move a branch under a checkout (switch that worktree to another branch)");
        }
    }

    private void move(ObjectId expected, ObjectId to, String reason) throws GitException {
        refuseIfCheckedOut();
        try {
            RefUpdate update = repo.updateRef(ref);
            update.setExpectedOldObjectId(expected);
            update.setNewObjectId(to);
            update.setRefLogMessage(reason, false);
            RefUpdate.Result result = update.update();
            switch (result) {
                case NEW, FAST_FORWARD, FORCED -> { }
                case LOCK_FAILURE -> throw new GitException("could not move " + Repository.shortenRefName(ref)
                        + ": it moved meanwhile, or its lock file is held (by another git process, or left by one"
                        + " that died: " + ref + ".lock)");
                default -> throw new GitException("could not move " + Repository.shortenRefName(ref)
                        + " (" + result + "); another process changed it");
            }
        } catch (IOException e) {
            throw new GitException("cannot move " + ref + ": " + e.getMessage(), e);
        }
    }
}
