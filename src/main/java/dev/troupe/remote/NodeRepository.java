package dev.troupe.remote;

import dev.troupe.git.GitCli;
import dev.troupe.git.GitException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * A worker node's own copy of the lead's repository, kept under its {@code --work-dir} as a bare repository
 * {@code repo.git} (workspaces are linked worktrees of it, so no checkout is ever the repository itself). It
 * grows only from the lead's bundles, keeping a ref for each commit it received so that it can say what it has;
 * a bundle it cannot take (not a bundle, cut short, building on commits it lacks) is a one-line GitException and
 * leaves the repository as it was.
 */
// Its methods are synchronized: a node's slots share it, and git's ref updates (packed-refs.lock) do not queue.
public final class NodeRepository {

    /** Where the commits received from the lead (and handed back to it) are kept, one ref each. */
    public static final String HAVE_REFS = "refs/troupe/have/";

    /** How many commits {@link #has} reports at most. */
    public static final int MAX_HAVES = 32;

    /**
     * How many have refs are kept before the oldest are deleted, down to {@link #MAX_HAVES}: deleting them a batch
     * at a time is one git process every {@value #MAX_HAVES} commits, not one with every commit taken in.
     */
    static final int MAX_KEPT = 2 * MAX_HAVES;

    private final Path gitDir;

    /**
     * The commits of this repository's have refs, the last taken in or handed back first: what {@link #has}
     * reports, kept here so that a task costs no listing of the refs. Null until listed, and again after any
     * failure to take a bundle in or hand work back, so that what is reported after a failure is read from the
     * disk. Only this object writes the have refs while the node runs; a node started again lists them anew.
     */
    private List<String> haves;

    private NodeRepository(Path gitDir) {
        this.gitDir = gitDir;
    }

    /** The node's repository under {@code workDir}, made (empty) when it is not there yet. */
    public static NodeRepository open(Path workDir) throws GitException {
        Path gitDir = workDir.toAbsolutePath().resolve("repo.git");
        if (!Files.isRegularFile(gitDir.resolve("HEAD"))) {
            try {
                Files.createDirectories(gitDir);
            } catch (IOException e) {
                throw new GitException("cannot create " + gitDir + ": " + e.getMessage(), e);
            }
            GitCli.run(gitDir, "init", "--quiet", "--bare");
        }
        return new NodeRepository(gitDir);
    }

    /** The bare repository, for {@code git worktree add} when a workspace is made. */
    public Path gitDir() {
        return gitDir;
    }

    /**
     * The commits to report to the lead as haves: those of the have refs, the last taken in or handed back first
     * (after a start, the newest committer date first), at most {@link #MAX_HAVES}. Empty for a new node, which
     * then gets a complete bundle. Git is asked only the first time, and after a failure.
     */
    public synchronized List<String> has() throws GitException {
        List<String> known = known();
        return List.copyOf(known.subList(0, Math.min(MAX_HAVES, known.size())));
    }

    /**
     * Takes {@code expectedCommit} from the lead's {@code bundle}: verified first (a bundle building on commits
     * this node lacks is refused by name, and the node can ask again with fewer haves), then fetched into
     * {@code refs/troupe/have/<commit>}; the oldest received commits beyond {@link #MAX_KEPT} are then forgotten.
     */
    public synchronized void receive(Path bundle, String expectedCommit) throws GitException {
        String commit = BundleFiles.requireCommitId(expectedCommit, "the commit expected from the lead");
        try {
            BundleFiles.verify(gitDir, bundle);
            BundleFiles.fetch(gitDir, bundle, commit, HAVE_REFS + commit);
            remember(commit);
        } catch (GitException | RuntimeException e) {
            haves = null;
            throw e;
        }
    }

    /**
     * Writes to {@code out} a bundle of {@code taskCommit} and whatever it has that {@code base} (a commit the
     * lead sent, so the lead has it) does not. The task commit is kept as a have: once the lead merges it, the
     * next bundle need not bring its files back.
     */
    public synchronized void handBack(String taskCommit, String base, Path out) throws GitException {
        String task = BundleFiles.requireCommitId(taskCommit, "the task's commit");
        String from = BundleFiles.requireCommitId(base, "the task's base");
        try {
            requireAdds(task, from);
            // The have ref is the ref the bundle is written from: git bundles refs, and this one stays.
            ForcedRef.set(gitDir, HAVE_REFS + task, task, "troupe: handed back to the lead");
            BundleFiles.createFromRef(gitDir, HAVE_REFS + task, List.of(from), out);
            remember(task);
        } catch (GitException | RuntimeException e) {
            haves = null;
            throw e;
        }
    }

    /**
     * That {@code task} is a commit here with something {@code base} (a commit here) lacks: one {@code rev-list};
     * only when it fails is git asked which of the two is missing, for the message.
     */
    private void requireAdds(String task, String base) throws GitException {
        String count;
        try {
            count = GitCli.run(gitDir, "rev-list", "--count", task, "^" + base).strip();
        } catch (GitException e) {
            requireCommits(task, base);
            throw e;
        }
        if (count.equals("0")) {
            requireCommits(task, base);
            throw new GitException("task commit " + task + " adds nothing to its base " + base);
        }
    }

    private void requireCommits(String... ids) throws GitException {
        for (String id : ids) {
            if (GitCli.resolve(gitDir, id + "^{commit}").isEmpty()) {
                throw new GitException("the node repository " + gitDir + " has no commit " + id);
            }
        }
    }

    /** The have refs' commits as remembered, listed from git (newest committer date first) when they are not. */
    private List<String> known() throws GitException {
        if (haves == null) {
            LinkedHashSet<String> listed = new LinkedHashSet<>();
            for (String line : GitCli.run(gitDir, "for-each-ref", "--sort=-committerdate",
                    "--format=%(objectname) %(objecttype) %(refname)", HAVE_REFS).lines().toList()) {
                String[] idTypeAndRef = line.split(" ");
                // A have ref is named for its commit; one that is not (set by hand) is not trusted as one.
                if (idTypeAndRef.length == 3 && idTypeAndRef[1].equals("commit")
                        && idTypeAndRef[2].equals(HAVE_REFS + idTypeAndRef[0])) {
                    listed.add(idTypeAndRef[0]);
                }
            }
            haves = new ArrayList<>(listed);
            forgetBeyond(MAX_KEPT);
        }
        return haves;
    }

    /** {@code commit}, now under its have ref, is the newest have; beyond {@link #MAX_KEPT}, the oldest go. */
    private void remember(String commit) throws GitException {
        List<String> now = known();
        now.remove(commit);
        now.add(0, commit);
        forgetBeyond(MAX_KEPT);
    }

    /**
     * Past {@code most} remembered haves, deletes the have refs of all but the newest {@link #MAX_HAVES}, in one
     * {@code update-ref --stdin}. Their objects stay until a gc; the refs go so that the repository's refs stay
     * bounded.
     */
    private void forgetBeyond(int most) throws GitException {
        if (haves.size() <= most) {
            return;
        }
        List<String> old = haves.subList(MAX_HAVES, haves.size());
        StringBuilder deletes = new StringBuilder();
        old.forEach(id -> deletes.append("delete ").append(HAVE_REFS).append(id).append('\n'));
        GitCli.run(gitDir, deletes.toString().getBytes(StandardCharsets.UTF_8), "update-ref", "--stdin");
        old.clear();
    }
}
