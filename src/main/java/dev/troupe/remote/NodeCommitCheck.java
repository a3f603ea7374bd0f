package dev.troupe.remote;

import dev.troupe.git.GitException;
import dev.troupe.git.Repositories;
import dev.troupe.git.Pathspecs;
import dev.troupe.team.rules.AttemptResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import org.eclipse.jgit.errors.LargeObjectException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevTree;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.TreeFilter;

/**
 * What the lead works out for itself of a commit a worker node hands back, believing nothing of the node's own
 * account: the files it changed against the task's base, and those outside the task's zone (which
 * {@code sync.zone-policy} then judges as for a local attempt). A commit no task may make is refused: one that does
 * not build on the task's base, a path with a {@code .git}, {@code .} or {@code ..} part (which git itself will not
 * check out), a symbolic link that leads out of the repository, a file over {@link #LARGEST_FILE}.
 */
final class NodeCommitCheck {

    /** The largest file a node's commit may bring: what GitHub, for one, refuses to take in a push. */
    static final long LARGEST_FILE = 100L * 1024 * 1024;

    /** The longest link target read: a path, not data. */
    private static final int LINK_LIMIT = 4096;
    /** How many links one path may pass through, as Linux allows. */
    private static final int MOST_HOPS = 40;

    /** A commit the task may not have made; the message says why, on one line. */
    static final class Refused extends Exception {

        private static final long serialVersionUID = 1L;

        Refused(String why) {
            super(why);
        }
    }

    private NodeCommitCheck() {}

    /**
     * {@code claimed} with the files changed and those outside {@code zone} as the lead finds them in the commit,
     * which it already holds.
     *
     * @throws Refused when the commit is one the task may not have made
     */
    static AttemptResult verified(Path leadRepo, ObjectId base, List<String> zone, AttemptResult claimed)
            throws Refused, GitException {
        return verified(leadRepo, base, zone, claimed, LARGEST_FILE);
    }

    /** The same, with files up to {@code largestFile} bytes allowed. */
    static AttemptResult verified(Path leadRepo, ObjectId base, List<String> zone, AttemptResult claimed,
            long largestFile) throws Refused, GitException {
        ObjectId commit = claimed.commit();
        List<String> files = new ArrayList<>();
        try (Repository repo = Repositories.open(leadRepo); RevWalk walk = new RevWalk(repo)) {
            RevCommit head = walk.parseCommit(commit);
            RevCommit from = walk.parseCommit(base);
            if (!walk.isMergedInto(from, head)) {
                throw new Refused("its commit " + commit.abbreviate(10).name() + " does not build on the task's base "
                        + base.abbreviate(10).name());
            }
            try (TreeWalk tree = new TreeWalk(repo); ObjectReader reader = repo.newObjectReader()) {
                tree.addTree(from.getTree());
                tree.addTree(head.getTree());
                tree.setRecursive(true);
                tree.setFilter(TreeFilter.ANY_DIFF);
                boolean linkChanged = false;
                while (tree.next()) {
                    String path = tree.getPathString();
                    files.add(path);
                    FileMode mode = tree.getFileMode(1);
                    if (mode != FileMode.MISSING) {
                        check(path, mode, tree.getObjectId(1), reader, largestFile, head.getTree());
                        linkChanged |= mode == FileMode.SYMLINK;
                    }
                }
                if (linkChanged) {
                    // A new link can change where an old one leads (d/e -> s/../.. once d/s is a link): all again.
                    checkEveryLink(head.getTree(), reader);
                }
            }
        } catch (IOException e) {
            throw new GitException("cannot read the node's commit " + commit.name() + ": " + e.getMessage(), e);
        }
        files.sort(null);
        List<String> outside = zone.isEmpty() ? List.of()
                : Pathspecs.changedOutside(leadRepo, base.name(), commit.name(), zone);
        return claimed.withFiles(List.copyOf(files), outside);
    }

    private static void check(String path, FileMode mode, ObjectId blob, ObjectReader reader, long largestFile,
            RevTree tree) throws Refused, IOException {
        for (String part : path.split("/")) {
            String lower = part.toLowerCase(Locale.ROOT);
            if (lower.equals(".git") || part.equals(".") || part.equals("..")) {
                throw new Refused("its commit has the path '" + path + "', which no task may write");
            }
        }
        if (mode == FileMode.SYMLINK) {
            String target = linkTarget(path, blob, reader);
            if (leaves(path, target, tree, reader)) {
                throw new Refused("its commit has a symbolic link '" + path + "' to '" + target
                        + "', which leads outside the repository (or round in a loop)");
            }
        } else if (mode.getObjectType() == Constants.OBJ_BLOB
                && reader.getObjectSize(blob, Constants.OBJ_BLOB) > largestFile) {
            throw new Refused("its commit has '" + path + "' of " + reader.getObjectSize(blob, Constants.OBJ_BLOB)
                    + " bytes, more than the " + largestFile + " a node may bring");
        }
    }

    private static void checkEveryLink(RevTree tree, ObjectReader reader) throws Refused, IOException {
        try (TreeWalk all = new TreeWalk(reader)) {
            all.addTree(tree);
            all.setRecursive(true);
            while (all.next()) {
                if (all.getFileMode(0) == FileMode.SYMLINK) {
                    String path = all.getPathString();
                    String target = linkTarget(path, all.getObjectId(0), reader);
                    if (leaves(path, target, tree, reader)) {
                        throw new Refused("with its commit the symbolic link '" + path + "' to '" + target
                                + "' leads outside the repository (or round in a loop)");
                    }
                }
            }
        }
    }

    private static String linkTarget(String path, ObjectId blob, ObjectReader reader) throws Refused, IOException {
        try {
            return new String(reader.open(blob, Constants.OBJ_BLOB).getCachedBytes(LINK_LIMIT), StandardCharsets.UTF_8);
        } catch (LargeObjectException e) {
            throw new Refused("its commit has a symbolic link '" + path + "' longer than any path");
        }
    }

    /**
     * Whether the link at {@code path} leads out of the repository: its target followed part by part in the commit's
     * tree as the kernel would, through every link it meets on the way (so that {@code e -> a/s/..}, with
     * {@code a/s -> ../..}, is seen to climb out), at most {@link #MOST_HOPS} links.
     */
    private static boolean leaves(String path, String target, RevTree tree, ObjectReader reader) throws Refused,
            IOException {
        if (target.startsWith("/")) {
            return true;
        }
        Deque<String> at = new ArrayDeque<>(List.of(path.split("/")));
        at.pollLast(); // the folder that holds the link
        Deque<String> todo = new ArrayDeque<>(List.of(target.split("/")));
        int hops = 0;
        while (!todo.isEmpty()) {
            String part = todo.pollFirst();
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (at.pollLast() == null) {
                    return true;
                }
                continue;
            }
            at.addLast(part);
            try (TreeWalk entry = TreeWalk.forPath(reader, String.join("/", at), tree)) {
                if (entry != null && entry.getFileMode(0) == FileMode.SYMLINK) {
                    String next = linkTarget(path, entry.getObjectId(0), reader);
                    if (++hops > MOST_HOPS || next.startsWith("/")) {
                        return true;
                    }
                    at.pollLast();
                    List<String> nextParts = List.of(next.split("/"));
                    for (int i = nextParts.size() - 1; i >= 0; i--) {
                        todo.addFirst(nextParts.get(i));
                    }
                }
            }
        }
        return false;
    }
}
