package dev.troupe.remote;

import dev.troupe.git.GitCli;
import dev.troupe.git.GitException;
import dev.troupe.git.WorktreeGate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * What the lead and a node both do with a bundle file: write one, check one, fetch one commit out of one. Every
 * failure is a {@link GitException} of one line that says which bundle and what is wrong with it, since the
 * caller's only remedies are "ask again with fewer haves" and "send it again".
 */
final class BundleFiles {

    /** Where the short-lived ref a bundle is written from lives: git bundles refs, never a bare commit id. */
    static final String TEMPORARY_REFS = "refs/troupe/bundles/";

    /** A full commit id (SHA-1 or SHA-256). Ids from another machine are checked against it before git sees them. */
    private static final Pattern COMMIT_ID = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");

    private BundleFiles() {}

    static boolean isCommitId(String id) {
        return id != null && COMMIT_ID.matcher(id).matches();
    }

    /** {@code id} as it is, or a GitException when it is not a full commit id (an abbreviation, an option, a name). */
    static String requireCommitId(String id, String what) throws GitException {
        if (!isCommitId(id)) {
            throw new GitException(what + " is not a full commit id: " + id);
        }
        return id;
    }

    /**
     * Writes a bundle of {@code commit} and its history minus {@code excluded} (commits the other side has).
     * {@code git bundle create out <sha>} refuses ("Refusing to create empty bundle", git 2.39), so the commit
     * is bundled through a ref of its own under {@link #TEMPORARY_REFS}, removed again whatever happens. Callers
     * make sure there is something to send: git refuses an empty bundle.
     */
    static void create(Path repo, String commit, Collection<String> excluded, Path out) throws GitException {
        String ref = TEMPORARY_REFS + UUID.randomUUID();
        GitCli.run(repo, "update-ref", ref, commit);
        try {
            createFromRef(repo, ref, excluded, out);
        } finally {
            GitCli.run(repo, "update-ref", "-d", ref);
        }
    }

    /**
     * Writes a bundle of the commit {@code ref} (a full ref name) points at and its history minus {@code excluded}:
     * for a caller that has a ref standing for the commit already, and so needs no temporary one.
     */
    static void createFromRef(Path repo, String ref, Collection<String> excluded, Path out) throws GitException {
        List<String> args = new ArrayList<>(List.of("bundle", "create", "--quiet", out.toAbsolutePath().toString(), ref));
        excluded.forEach(id -> args.add("^" + id));
        GitCli.run(repo, args.toArray(String[]::new));
    }

    /**
     * Checks that {@code bundle} is a bundle and that {@code repo} holds every commit it builds on. The pack
     * itself is only read by {@link #fetch}, so a truncated file passes here and fails there.
     */
    static void verify(Path repo, Path bundle) throws GitException {
        if (!Files.isRegularFile(bundle)) {
            throw new GitException("no bundle file at " + bundle);
        }
        try {
            // It walks every worktree's HEAD: see WorktreeGate.
            WorktreeGate.through(repo, () -> GitCli.run(repo, "bundle", "verify", bundle.toAbsolutePath().toString()));
        } catch (GitException e) {
            String said = e.said().isEmpty() ? e.getMessage() : e.said();
            if (said.contains("lacks these prerequisite commits")) {
                throw new GitException("bundle " + bundle + " builds on commits this repository lacks: "
                        + String.join(", ", commitIdsIn(said.substring(said.indexOf("prerequisite"))))
                        + " (ask for it again with fewer haves, or none)");
            }
            if (said.contains("does not look like a")) {
                throw new GitException("not a git bundle (corrupt or wrong file): " + bundle);
            }
            throw new GitException("cannot read bundle " + bundle + ": " + gitSaid(e));
        }
    }

    /**
     * Fetches {@code commit} out of a verified {@code bundle} into {@code intoRef} (forced: the ref stands for
     * this commit and nothing else), writing no other ref, no tags and no FETCH_HEAD.
     */
    static void fetch(Path repo, Path bundle, String commit, String intoRef) throws GitException {
        String head = headHolding(bundle, commit);
        try {
            // Its connectivity check walks every worktree's HEAD: see WorktreeGate.
            WorktreeGate.through(repo, () -> GitCli.run(repo, "fetch", "--quiet", "--no-tags", "--no-write-fetch-head",
                    "--no-recurse-submodules", bundle.toAbsolutePath().toString(), "+" + head + ":" + intoRef));
        } catch (GitException e) {
            throw new GitException("bundle " + bundle + " is corrupt or incomplete: " + gitSaid(e));
        }
        String fetched = GitCli.resolve(repo, intoRef + "^{commit}").orElse("none");
        if (!fetched.equals(commit)) {
            throw new GitException("fetching " + bundle + " left " + intoRef + " at " + fetched + ", not " + commit);
        }
    }

    /**
     * The ref in {@code bundle} that points at {@code commit}; a GitException when none does, or when the one that
     * does has a name git would refuse (it goes into a refspec). Read from the bundle's header here rather than by a
     * {@code git bundle list-heads}: a git process less for every bundle, each way.
     */
    private static String headHolding(Path bundle, String commit) throws GitException {
        List<String> heads = BundleHeader.references(bundle);
        for (String line : heads) {
            String[] idAndRef = line.split(" ", 2);
            if (idAndRef[0].equals(commit) && idAndRef.length == 2) {
                if (!idAndRef[1].equals("HEAD") && !org.eclipse.jgit.lib.Repository.isValidRefName(idAndRef[1])) {
                    throw new GitException("bundle " + bundle + " names commit " + commit + " by a ref git refuses");
                }
                return idAndRef[1];
            }
        }
        throw new GitException("bundle " + bundle + " does not hold commit " + commit + " (it holds "
                + (heads.isEmpty() ? "nothing" : String.join(", ", commitIdsIn(String.join(" ", heads)))) + ")");
    }

    private static List<String> commitIdsIn(String text) {
        return Pattern.compile("\\b[0-9a-f]{40}(?:[0-9a-f]{24})?\\b").matcher(text).results()
                .map(java.util.regex.MatchResult::group).distinct().toList();
    }

    /** What git printed, from a {@link GitCli} failure, on one line. */
    private static String gitSaid(GitException failure) {
        String said = failure.said().isEmpty() ? failure.getMessage() : failure.said();
        return String.join("; ", said.strip().lines().map(String::strip).filter(l -> !l.isEmpty()).toList());
    }

    /** The size of {@code file} in bytes, for results that report what was sent. */
    static long size(Path file) throws GitException {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new GitException("cannot read the size of " + file + ": " + e.getMessage(), e);
        }
    }
}
