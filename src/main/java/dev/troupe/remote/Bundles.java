package dev.troupe.remote;

import dev.troupe.git.GitCli;
import dev.troupe.git.GitException;
import dev.troupe.git.Housekeeping;
import dev.troupe.git.Worktrees;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The lead's side of the bundle exchange: a thin bundle of what a node lacks, and fetching a node's finished
 * commit into a task branch. What a node says it has is a hint from another machine: ids the lead does not know
 * are dropped, never an error, and nothing a node sends is passed to git before it is checked to be a commit id.
 */
public final class Bundles {

    private Bundles() {}

    /** What {@link #toNode} did: wrote a bundle, or found the node already has the commit. */
    public sealed interface ToNode permits Written, NothingToSend {}

    /**
     * A bundle at {@code file} of {@code bytes} bytes, holding the wanted commit; {@code assumed} are the node's
     * haves the lead knew and left out (empty: the bundle is complete and any repository can take it).
     */
    public record Written(Path file, long bytes, List<String> assumed) implements ToNode {}

    /** The node already holds {@code commit} (one of its haves is it or descends from it); no file was written. */
    public record NothingToSend(String commit) implements ToNode {}

    /**
     * Writes to {@code out} a bundle of {@code wantCommit} and its history, minus what the commits in
     * {@code nodeHas} reach. Haves that are not commit ids, or commits the lead does not have, are ignored.
     */
    public static ToNode toNode(Path leadRepo, String wantCommit, Collection<String> nodeHas, Path out)
            throws GitException {
        String want = BundleFiles.requireCommitId(wantCommit, "the commit to send");
        List<String> asked = new ArrayList<>(List.of(want));
        asked.addAll(nodeHas);
        // One git process for the wanted commit and the haves alike.
        List<String> commits = commitsAmong(leadRepo, asked);
        if (!commits.contains(want)) {
            throw new GitException("the lead repository " + leadRepo + " has no commit " + want);
        }
        List<String> known = havesAmong(nodeHas, commits);
        if (known.contains(want) || (!known.isEmpty() && nothingNew(leadRepo, want, known))) {
            return new NothingToSend(want);
        }
        BundleFiles.create(leadRepo, want, known, out);
        return new Written(out, BundleFiles.size(out), known);
    }

    /**
     * Fetches {@code expectedCommit} from a node's {@code bundle} into {@code intoRef} (a full ref name, or a
     * branch name such as {@code troupe/tasks/<run>/<task>}), moving no other ref. Refuses a branch checked out
     * in any worktree of {@code leadRepo}: moving it would leave that working tree stale under the user.
     */
    public static void fetchFromNode(Path leadRepo, Path bundle, String expectedCommit, String intoRef)
            throws GitException {
        String expected = BundleFiles.requireCommitId(expectedCommit, "the commit expected from the node");
        String ref = intoRef.startsWith("refs/") ? intoRef : "refs/heads/" + intoRef;
        // The lead's own name for the task's branch: checked as git would, without a process.
        if (!org.eclipse.jgit.lib.Repository.isValidRefName(ref)) {
            throw new GitException("not a valid ref name: " + ref);
        }
        if (ref.startsWith("refs/heads/")) {
            String branch = ref.substring("refs/heads/".length());
            var checkedOut = Worktrees.checkedOutAt(leadRepo, branch);
            if (checkedOut.isPresent()) {
                throw new GitException("refusing to fetch into " + branch + ": it is checked out at "
                        + checkedOut.get());
            }
        }
        // Not while gc runs in the lead's repository (Housekeeping): it removes object folders and holds refs' locks.
        Housekeeping.sharing(leadRepo, () -> {
            BundleFiles.verify(leadRepo, bundle);
            BundleFiles.fetch(leadRepo, bundle, expected, ref);
            return null;
        });
    }

    /**
     * Sets the branch {@code intoBranch} to {@code nodeCommit}, a node's finished commit that the lead already holds
     * (the node sent no bundle), forced. Refuses, as {@link #fetchFromNode} does, a branch checked out in any
     * worktree of {@code leadRepo}, and a commit the lead does not have.
     */
    public static void pointAtNodeCommit(Path leadRepo, String nodeCommit, String intoBranch) throws GitException {
        String commit = BundleFiles.requireCommitId(nodeCommit, "the node's commit");
        var checkedOut = Worktrees.checkedOutAt(leadRepo, intoBranch);
        if (checkedOut.isPresent()) {
            throw new GitException("refusing to move " + intoBranch + ": it is checked out at " + checkedOut.get());
        }
        Housekeeping.sharing(leadRepo, () -> {
            ForcedRef.set(leadRepo, "refs/heads/" + intoBranch, commit, "troupe: the node's commit");
            return null;
        });
    }

    /**
     * Those of {@code ids} the lead holds as commits, in the order given, asked of one {@code git cat-file
     * --batch-check} rather than a process for each.
     */
    private static List<String> commitsAmong(Path repo, Collection<String> ids) throws GitException {
        Set<String> candidates = new LinkedHashSet<>();
        for (String id : ids) {
            if (BundleFiles.isCommitId(id)) {
                candidates.add(id);
            }
        }
        if (candidates.isEmpty()) {
            return List.of();
        }
        StringBuilder query = new StringBuilder();
        candidates.forEach(id -> query.append(id).append("^{commit}\n"));
        List<String> known = new ArrayList<>();
        for (String line : GitCli.run(repo, query.toString().getBytes(StandardCharsets.UTF_8),
                "cat-file", "--batch-check=%(objectname) %(objecttype)").lines().toList()) {
            String[] idAndType = line.split(" ");
            // A missing one is "<id>^{commit} missing"; a tag that peels to a commit would give the commit's id.
            if (idAndType.length == 2 && idAndType[1].equals("commit") && candidates.contains(idAndType[0])) {
                known.add(idAndType[0]);
            }
        }
        return known;
    }

    /** The haves, in their order, that are among {@code commits}: ids that are no commit here are dropped. */
    private static List<String> havesAmong(Collection<String> haves, List<String> commits) {
        return haves.stream().filter(commits::contains).distinct().toList();
    }

    /** True when every commit {@code want} reaches is reached by {@code haves} too. */
    private static boolean nothingNew(Path repo, String want, List<String> haves) throws GitException {
        List<String> args = new ArrayList<>(List.of("rev-list", "--count", want, "--not"));
        args.addAll(haves);
        return GitCli.run(repo, args.toArray(String[]::new)).strip().equals("0");
    }
}
