package dev.troupe.git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.RepositoryState;
import org.eclipse.jgit.lib.UserConfig;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.util.io.DisabledOutputStream;

/** Commits in a worker's worktree (with the git command line) and what a commit changed (with JGit). Blocking. */
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
     * trailing '/') that are never staged, whatever their state (copied files, setup output). One the agent staged
     * itself is put back to HEAD's version in the index (out of it, if HEAD lacks it) and left as it is in the
     * worktree; what the agent committed by itself is {@link #commitTask}'s to rewrite.
     *
     * <p>Status, staging and the commit go through the git command line. JGit read the whole index and walked the
     * whole worktree in troupe's heap for each: about 195 MB allocated per commit on 100,000 files, four workers at
     * once, which grew the heap and took troupe's peak RSS past 512 MB (docs/performance.md, Big repositories).
     */
    public static ObjectId commitAll(Path worktree, String message, java.util.Collection<String> leaveOut)
            throws GitException {
        return Housekeeping.sharing(worktree, () -> {
            try (Repository repo = Repositories.open(worktree); Repository shared = Repositories.shared(worktree)) {
                return commit(repo, shared, worktree, message, leaveOut, status(worktree));
            } catch (IOException e) {
                throw new GitException("cannot commit the agent's work in " + worktree + ": " + e.getMessage(), e);
            }
        });
    }

    /**
     * @param repo the worktree's repository: its HEAD, index and state
     * @param shared the repository's common one, whose objects every worktree shares: the commit is written there
     */
    private static ObjectId commit(Repository repo, Repository shared, Path worktree, String message,
            java.util.Collection<String> leaveOut, List<String> status) throws GitException {
        try {
            RepositoryState state = repo.getRepositoryState();
            Set<String> conflicting = new TreeSet<>();
            Set<String> toStage = new TreeSet<>();
            Set<String> stagedLeftOut = new TreeSet<>();
            boolean staged = false;
            for (String entry : status) {
                char index = entry.charAt(0);
                char tree = entry.charAt(1);
                String path = entry.substring(3);
                boolean out = leftOut(path, leaveOut);
                if (index == 'U' || tree == 'U' || (index == tree && (index == 'A' || index == 'D'))) {
                    conflicting.add(path);
                } else if (index != ' ' && index != '?') {
                    // The agent staged it itself (git add -A stages a copied .env too).
                    if (out) {
                        stagedLeftOut.add(path);
                    } else {
                        staged = true;
                    }
                }
                if ((tree != ' ') && !out) {
                    toStage.add(path);
                }
            }
            if (state != RepositoryState.SAFE || !conflicting.isEmpty()) {
                // Committing now would put conflict markers or half a rebase on the branch.
                throw new GitException("the agent left an unfinished " + operation(state)
                        + (conflicting.isEmpty() ? "" : " (conflicts in " + String.join(", ", conflicting) + ")")
                        + " in " + worktree);
            }
            if (!toStage.isEmpty()) {
                // git add -A on the paths named (literally: a name may hold * or [): new, changed and deleted alike.
                GitCli.run(worktree, String.join("\0", toStage).concat("\0").getBytes(StandardCharsets.UTF_8),
                        "--literal-pathspecs", "add", "--all", "--pathspec-from-file=-", "--pathspec-file-nul");
            }
            if (!stagedLeftOut.isEmpty()) {
                // Back to HEAD's version in the index (out of it, for a path HEAD lacks); the file stays as it is.
                resetPaths(worktree, "HEAD", stagedLeftOut);
            }
            if (!toStage.isEmpty() || staged) {
                commitIndex(repo, shared, worktree, message);
            }
            ObjectId head = repo.resolve("HEAD");
            if (head == null) {
                throw new GitException("the worktree " + worktree + " has no HEAD");
            }
            return head;
        } catch (IOException e) {
            throw new GitException("cannot commit the agent's work in " + worktree + ": " + e.getMessage(), e);
        }
    }

    /**
     * Commits a task's work: what {@link #commitAll(Path, String, java.util.Collection)} commits, on top of what the
     * agent may have committed by itself since {@code base}. When the agent's own commits hold a leave-out path
     * (it ran {@code git add -A && git commit} with a copied {@code .env} there), the task's work since
     * {@code base} is rewritten as one commit without them, with the agent's commit subjects in its body: a
     * leave-out path keeps {@code base}'s version and the files stay in the worktree as they are. Returns the
     * head: {@code base} itself when nothing but leave-out paths changed.
     */
    public static ObjectId commitTask(Path worktree, String message, java.util.Collection<String> leaveOut,
            ObjectId base) throws GitException {
        return Housekeeping.sharing(worktree, () -> commitTaskAlongside(worktree, message, leaveOut, base));
    }

    private static ObjectId commitTaskAlongside(Path worktree, String message, java.util.Collection<String> leaveOut,
            ObjectId base) throws GitException {
        try (Repository repo = Repositories.open(worktree); Repository shared = Repositories.shared(worktree)) {
            ObjectId agentHead = repo.resolve("HEAD");
            ObjectId head = commit(repo, shared, worktree, message, leaveOut, status(worktree));
            if (leaveOut.isEmpty() || head.equals(base)) {
                return head;
            }
            List<String> changed = changedPaths(shared, base, head);
            List<String> leaked = changed.stream().filter(path -> leftOut(path, leaveOut)).toList();
            if (leaked.isEmpty()) {
                return head;
            }
            String agentCommits = agentHead == null || agentHead.equals(base) ? ""
                    : GitCli.run(worktree, "log", "--reverse", "--format=- %s", base.name() + ".." + agentHead.name());
            // The worktree is left as it is: only HEAD and the index move.
            GitCli.run(worktree, "reset", "--quiet", "--soft", base.name());
            resetPaths(worktree, base.name(), leaked);
            if (leaked.size() == changed.size()) {
                return base;
            }
            commitIndex(repo, shared, worktree, message.stripTrailing() + "\n\nThe agent's own commits held files of the "
                    + "workspace's own (" + String.join(", ", leaveOut.stream()
                            .filter(out -> leaked.stream().anyMatch(path -> leftOut(path, List.of(out)))).toList())
                    + "), so the task's work is this one commit "
                    + "without them.\n" + (agentCommits.isBlank() ? "" : "\nSquashed the agent's commits:\n"
                    + agentCommits));
            ObjectId rewritten = repo.resolve("HEAD");
            if (rewritten == null) {
                throw new GitException("the worktree " + worktree + " has no HEAD");
            }
            return rewritten;
        } catch (IOException e) {
            throw new GitException("cannot commit the task's work in " + worktree + ": " + e.getMessage(), e);
        }
    }

    /** Puts {@code paths} (taken literally) in the index as {@code revision} has them; the worktree is untouched. */
    private static void resetPaths(Path worktree, String revision, java.util.Collection<String> paths)
            throws GitException {
        resetPaths(worktree, java.util.Map.of(), revision, paths);
    }

    /** The same, with {@code env} for git (an index of its own: {@code GIT_INDEX_FILE}). */
    static void resetPaths(Path worktree, java.util.Map<String, String> env, String revision,
            java.util.Collection<String> paths) throws GitException {
        GitCli.run(worktree, env, String.join("\0", paths).concat("\0").getBytes(StandardCharsets.UTF_8),
                "--literal-pathspecs", "reset", "--quiet", revision, "--pathspec-from-file=-", "--pathspec-file-nul");
    }

    /**
     * Commits the index as it is: git writes its tree ({@code write-tree}, which reads the index and no file of the
     * worktree), and the commit and HEAD's move are made in process. {@code git commit} looked at every file of the
     * worktree once more (the status just taken had), ran the post-commit hook and cost a second process a task.
     * Without the user's hooks either way: a hook that refused the commit would throw the agent's work away, and the
     * work is checked where it is merged, not here. Unsigned and verbatim, as the merges are.
     */
    private static void commitIndex(Repository repo, Repository shared, Path worktree, String message)
            throws GitException {
        if (GitDirs.bareOrReftable(shared.getDirectory().toPath())) {
            // JGit takes a linked worktree's HEAD in a reftable for the repository's own: git commits there.
            List<String> args = new ArrayList<>(asCommitter(repo));
            args.addAll(List.of("commit", "--quiet", "--no-verify", "--no-gpg-sign", "--allow-empty",
                    "--cleanup=verbatim", "--file=-"));
            GitCli.run(worktree, message.getBytes(StandardCharsets.UTF_8), args.toArray(String[]::new));
            return;
        }
        ObjectId tree = ObjectId.fromString(GitCli.run(worktree, "write-tree").strip());
        try {
            ObjectId parent = repo.resolve(Constants.HEAD);
            PersonIdent who = identity(repo);
            ObjectId id = write(shared, tree, who, message, parent == null ? new ObjectId[0] : new ObjectId[] {parent});
            moveHead(repo, shared, worktree, parent, id);
            logHead(worktree, parent, id, who, "commit: " + message.lines().findFirst().orElse(""));
        } catch (IOException e) {
            throw new GitException("cannot commit in " + worktree + ": " + e.getMessage(), e);
        }
    }

    /** How often a HEAD whose lock is held is tried again, and the first wait, doubled each time (about 0.5 s in all). */
    private static final int HEAD_TRIES = 7;
    private static final long FIRST_HEAD_WAIT_MS = 8;

    /**
     * Moves the worktree's HEAD from {@code parent} to {@code commit}. A lock held for a moment (git holds a ref's
     * lock while it writes it, and itself waits for one up to {@code core.filesRefLockTimeout}) is waited for, as
     * git does; a HEAD that moved elsewhere is not.
     */
    private static void moveHead(Repository repo, Repository shared, Path worktree, ObjectId parent, ObjectId commit)
            throws IOException, GitException {
        long wait = FIRST_HEAD_WAIT_MS;
        for (int tries = 1; ; tries++) {
            RefUpdate head = repo.updateRef(Constants.HEAD);
            head.setExpectedOldObjectId(parent == null ? ObjectId.zeroId() : parent);
            head.setNewObjectId(commit);
            // JGit 7 writes a linked worktree's HEAD log into the repository's own logs/HEAD, where it would tell the
            // user's HEAD@{1} of a commit their checkout never had: written to the worktree's own by logHead.
            head.disableRefLog();
            RefUpdate.Result result;
            try (RevWalk walk = new RevWalk(shared)) {
                // The commits are read where they are: the worktree's own repository reads refs, never objects.
                result = head.update(walk);
            }
            if (result == RefUpdate.Result.NEW || result == RefUpdate.Result.FAST_FORWARD
                    || result == RefUpdate.Result.FORCED) {
                return;
            }
            ObjectId now = repo.resolve(Constants.HEAD);
            boolean unmoved = parent == null ? now == null : parent.equals(now);
            if (result != RefUpdate.Result.LOCK_FAILURE) {
                throw new GitException("could not move HEAD of " + worktree + " to the new commit (" + result + ")");
            }
            if (!unmoved || tries == HEAD_TRIES) {
                throw new GitException("could not move HEAD of " + worktree + " to the new commit (" + result + "): "
                        + (unmoved ? "its lock (" + GitDirs.gitDir(worktree).resolve("HEAD.lock") + ", or its"
                                + " branch's) was held through " + tries + " tries" : "it moved meanwhile, to " + now));
            }
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new GitException("interrupted while moving HEAD of " + worktree);
            }
            wait *= 2;
        }
    }

    /** A commit of {@code tree} on {@code parents} by {@code who} (author and committer), written to the repository. */
    static ObjectId write(Repository repo, ObjectId tree, PersonIdent who, String message, ObjectId... parents)
            throws IOException {
        CommitBuilder commit = new CommitBuilder();
        commit.setTreeId(tree);
        commit.setParentIds(parents);
        commit.setAuthor(who);
        commit.setCommitter(who);
        commit.setMessage(message);
        try (ObjectInserter inserter = repo.newObjectInserter()) {
            ObjectId id = inserter.insert(commit);
            inserter.flush();
            return id;
        }
    }

    /**
     * A line of the worktree's own HEAD log, as git commit writes it: while the worktree names the commit, git gc keeps
     * it, and {@code git reflog} there finds it after the worktree moved on.
     */
    private static void logHead(Path worktree, ObjectId from, ObjectId to, PersonIdent who, String message)
            throws IOException, GitException {
        Path log = GitDirs.gitDir(worktree).resolve("logs").resolve(Constants.HEAD);
        Files.createDirectories(log.getParent());
        Files.writeString(log, (from == null ? ObjectId.zeroId() : from).name() + " " + to.name() + " "
                + who.toExternalString() + "\t" + message + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    /**
     * {@code git status} of the worktree: entries "XY path" (porcelain v1), every untracked file named, ignored ones
     * not; renames as a deletion and an addition.
     */
    private static List<String> status(Path worktree) throws GitException {
        List<String> entries = new ArrayList<>();
        for (String entry : GitCli.run(worktree, "status", "--porcelain=v1", "-z", "--untracked-files=all",
                "--no-renames").split("\0")) {
            if (entry.length() > 3) {
                entries.add(entry);
            }
        }
        return entries;
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
        return Housekeeping.sharing(worktree, () -> commitIfChangedAlongside(worktree, message, leaveOut));
    }

    private static java.util.Optional<ObjectId> commitIfChangedAlongside(Path worktree, String message,
            java.util.Collection<String> leaveOut) throws GitException {
        List<String> status = status(worktree);
        if (status.isEmpty()) {
            return java.util.Optional.empty();
        }
        try (Repository repo = Repositories.open(worktree); Repository shared = Repositories.shared(worktree)) {
            ObjectId before = repo.resolve("HEAD");
            ObjectId after = commit(repo, shared, worktree, message, leaveOut, status);
            return after.equals(before) ? java.util.Optional.empty() : java.util.Optional.of(after);
        } catch (IOException e) {
            throw new GitException("cannot read " + worktree + ": " + e.getMessage(), e);
        }
    }

    /** git's options to commit as {@link #identity}. */
    static List<String> asCommitter(Repository repo) {
        PersonIdent who = identity(repo);
        return List.of("-c", "user.name=" + who.getName(), "-c", "user.email=" + who.getEmailAddress());
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
