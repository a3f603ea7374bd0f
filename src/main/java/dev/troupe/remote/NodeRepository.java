package dev.troupe.remote;

import dev.troupe.git.GitCli;
import dev.troupe.git.GitException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

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

    /** How many commits {@link #has} reports at most, and how many received commits are kept. */
    public static final int MAX_HAVES = 32;

    private final Path gitDir;

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
     * The commits to report to the lead as haves: the tips of this repository's refs, newest committer date
     * first, each once, at most {@link #MAX_HAVES}. Empty for a new node, which then gets a complete bundle.
     */
    public synchronized List<String> has() throws GitException {
        Set<String> tips = new LinkedHashSet<>();
        for (String line : GitCli.run(gitDir, "for-each-ref", "--sort=-committerdate",
                "--format=%(objectname) %(objecttype)", "refs/").lines().toList()) {
            String[] idAndType = line.split(" ");
            if (idAndType.length == 2 && idAndType[1].equals("commit")) {
                tips.add(idAndType[0]);
            }
            if (tips.size() == MAX_HAVES) {
                break;
            }
        }
        return List.copyOf(tips);
    }

    /**
     * Takes {@code expectedCommit} from the lead's {@code bundle}: verified first (a bundle building on commits
     * this node lacks is refused by name, and the node can ask again with fewer haves), then fetched into
     * {@code refs/troupe/have/<commit>}; received commits beyond {@link #MAX_HAVES} are then forgotten, the
     * newest kept.
     */
    public synchronized void receive(Path bundle, String expectedCommit) throws GitException {
        String commit = BundleFiles.requireCommitId(expectedCommit, "the commit expected from the lead");
        BundleFiles.verify(gitDir, bundle);
        BundleFiles.fetch(gitDir, bundle, commit, HAVE_REFS + commit);
        forgetOldHaves(commit);
    }

    /**
     * Writes to {@code out} a bundle of {@code taskCommit} and whatever it has that {@code base} (a commit the
     * lead sent, so the lead has it) does not. The task commit is kept as a have: once the lead merges it, the
     * next bundle need not bring its files back.
     */
    public synchronized void handBack(String taskCommit, String base, Path out) throws GitException {
        String task = BundleFiles.requireCommitId(taskCommit, "the task's commit");
        String from = BundleFiles.requireCommitId(base, "the task's base");
        for (String id : List.of(task, from)) {
            if (GitCli.resolve(gitDir, id + "^{commit}").isEmpty()) {
                throw new GitException("the node repository " + gitDir + " has no commit " + id);
            }
        }
        if (GitCli.run(gitDir, "rev-list", "--count", task, "^" + from).strip().equals("0")) {
            throw new GitException("task commit " + task + " adds nothing to its base " + from);
        }
        BundleFiles.create(gitDir, task, List.of(from), out);
        ForcedRef.set(gitDir, HAVE_REFS + task, task, "troupe: handed back to the lead");
        forgetOldHaves(task);
    }

    /**
     * Deletes the have refs beyond the newest {@link #MAX_HAVES} (by committer date), never {@code keep}.
     * Their objects stay until a gc; the refs go so that what the node reports stays bounded.
     */
    private void forgetOldHaves(String keep) throws GitException {
        List<String> refs = GitCli.run(gitDir, "for-each-ref", "--sort=-committerdate", "--format=%(refname)",
                HAVE_REFS).lines().filter(ref -> !ref.isBlank() && !ref.equals(HAVE_REFS + keep)).toList();
        if (refs.size() < MAX_HAVES) {
            return;
        }
        StringBuilder deletes = new StringBuilder();
        // One slot is the kept commit's own.
        for (String ref : refs.subList(MAX_HAVES - 1, refs.size())) {
            deletes.append("delete ").append(ref).append('\n');
        }
        GitCli.run(gitDir, deletes.toString().getBytes(StandardCharsets.UTF_8), "update-ref", "--stdin");
    }
}
