package dev.troupe.git;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.TreeFormatter;
import org.eclipse.jgit.treewalk.AbstractTreeIterator;
import org.eclipse.jgit.treewalk.CanonicalTreeParser;
import org.eclipse.jgit.treewalk.EmptyTreeIterator;
import org.eclipse.jgit.treewalk.NameConflictTreeWalk;

/**
 * A three-way merge of trees that settles whole folders at once: where one side has a folder or a file as the base
 * had it, the other side's is taken without looking inside; only the folders both sides changed are opened. A task
 * that changed one file of a 100,000-file repository costs a few trees read and written, where JGit's
 * {@code ResolveMerger} builds an index entry for every file of the repository on every merge.
 *
 * <p>It settles only what git's trivial merge does (the same on both sides, or changed on one). Anything else (a file
 * both sides changed, even alike in part; a file against a folder; a mode changed on both sides) is not settled here:
 * {@link #merge} answers empty, and the caller merges with {@code ResolveMerger}, which merges contents and finds
 * conflicts.
 */
final class TreeMerge {

    private static final int BASE = 0;
    private static final int OURS = 1;
    private static final int THEIRS = 2;

    private final ObjectReader reader;
    private final ObjectInserter inserter;

    private TreeMerge(ObjectReader reader, ObjectInserter inserter) {
        this.reader = reader;
        this.inserter = inserter;
    }

    /**
     * The merged tree of {@code ours} and {@code theirs} from {@code base} (trees), written with {@code inserter}; empty
     * when a path needs more than a trivial merge.
     */
    static Optional<ObjectId> merge(ObjectReader reader, ObjectInserter inserter, ObjectId base, ObjectId ours,
            ObjectId theirs) throws IOException {
        return Optional.ofNullable(new TreeMerge(reader, inserter).tree(base, ours, theirs));
    }

    /** One folder level: null when it cannot be settled trivially. A tree id null is a folder that side lacks. */
    private ObjectId tree(ObjectId base, ObjectId ours, ObjectId theirs) throws IOException {
        if (same(ours, theirs)) {
            return ours;
        } else if (same(base, ours)) {
            return theirs;
        } else if (same(base, theirs)) {
            return ours;
        }
        List<Entry> merged = new ArrayList<>();
        try (NameConflictTreeWalk walk = new NameConflictTreeWalk(null, reader)) {
            walk.addTree(iterator(base));
            walk.addTree(iterator(ours));
            walk.addTree(iterator(theirs));
            walk.setRecursive(false);
            while (walk.next()) {
                int b = walk.getRawMode(BASE);
                int o = walk.getRawMode(OURS);
                int t = walk.getRawMode(THEIRS);
                // A walk of one folder level, not recursive: the path is the entry's name.
                byte[] name = walk.getRawPath();
                if (sameEntry(walk, OURS, THEIRS)) {
                    add(merged, name, o, walk.getObjectId(OURS));
                } else if (sameEntry(walk, BASE, OURS)) {
                    add(merged, name, t, walk.getObjectId(THEIRS));
                } else if (sameEntry(walk, BASE, THEIRS)) {
                    add(merged, name, o, walk.getObjectId(OURS));
                } else if (isTree(o) && isTree(t) && (b == 0 || isTree(b))) {
                    ObjectId sub = tree(b == 0 ? null : walk.getObjectId(BASE), walk.getObjectId(OURS),
                            walk.getObjectId(THEIRS));
                    if (sub == null) {
                        return null;
                    }
                    add(merged, name, FileMode.TREE.getBits(), sub);
                } else {
                    return null;
                }
            }
        }
        TreeFormatter formatter = new TreeFormatter();
        merged.sort(TreeMerge::gitOrder);
        for (Entry entry : merged) {
            formatter.append(entry.name, FileMode.fromBits(entry.mode), entry.id);
        }
        return inserter.insert(formatter);
    }

    /** An entry of the merged folder; a folder the merge left empty is left out, as git leaves it out. */
    private static void add(List<Entry> merged, byte[] name, int mode, ObjectId id) {
        if (mode == 0 || (isTree(mode) && id.equals(EMPTY_TREE))) {
            return;
        }
        merged.add(new Entry(name, mode, id.copy()));
    }

    private static final ObjectId EMPTY_TREE = new ObjectInserter.Formatter().idFor(
            org.eclipse.jgit.lib.Constants.OBJ_TREE, new byte[0]);

    private AbstractTreeIterator iterator(ObjectId tree) throws IOException {
        return tree == null ? new EmptyTreeIterator() : new CanonicalTreeParser(null, reader, tree);
    }

    private static boolean same(ObjectId a, ObjectId b) {
        return a == null ? b == null : a.equals(b);
    }

    /** The same kind of entry with the same content on sides {@code i} and {@code j} (or absent from both). */
    private static boolean sameEntry(NameConflictTreeWalk walk, int i, int j) {
        return walk.getRawMode(i) == walk.getRawMode(j) && (walk.getRawMode(i) == 0 || walk.idEqual(i, j));
    }

    private static boolean isTree(int mode) {
        return FileMode.TREE.equals(mode);
    }

    private record Entry(byte[] name, int mode, ObjectId id) {}

    /** git's order of a tree's entries: by name, a folder's name read as if it ended with '/'. */
    private static int gitOrder(Entry a, Entry b) {
        return Arrays.compareUnsigned(sortKey(a), sortKey(b));
    }

    private static byte[] sortKey(Entry e) {
        if (!isTree(e.mode)) {
            return e.name;
        }
        byte[] key = Arrays.copyOf(e.name, e.name.length + 1);
        key[e.name.length] = '/';
        return key;
    }
}
