package dev.troupe.git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.TreeFormatter;
import org.eclipse.jgit.treewalk.CanonicalTreeParser;

/**
 * A three-way merge of trees that settles whole folders at once: where one side has a folder or a file as the base
 * had it, the other side's is taken without looking inside; only the folders both sides changed are opened. A task
 * that changed one file of a 100,000-file repository costs a few trees read and written, where JGit's
 * {@code ResolveMerger} builds an index entry for every file of the repository on every merge.
 *
 * <p>It settles only what git's trivial merge does (the same on both sides, or changed on one). Anything else (a file
 * both sides changed, even alike in part; a file one side made a folder while the other changed it; a mode changed on
 * both sides) is not settled here:
 * {@link #merge} answers empty, and the caller merges with {@code ResolveMerger}, which merges contents and finds
 * conflicts.
 */
final class TreeMerge {

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
        // Each side's entries by name: a tree holds a name once, a file or a folder. (JGit's NameConflictTreeWalk, which
        // lines a file up with a folder of its name, split an f.txt of each side into two steps when a folder f/ lay
        // beyond it on one side, and so took one of two added files.)
        Map<String, Entry> b = entries(base);
        Map<String, Entry> o = entries(ours);
        Map<String, Entry> t = entries(theirs);
        java.util.Set<String> names = new java.util.TreeSet<>(b.keySet());
        names.addAll(o.keySet());
        names.addAll(t.keySet());
        List<Entry> merged = new ArrayList<>();
        for (String name : names) {
            Entry eb = b.get(name);
            Entry eo = o.get(name);
            Entry et = t.get(name);
            if (sameEntry(eo, et)) {
                add(merged, eo);
            } else if (sameEntry(eb, eo)) {
                add(merged, et);
            } else if (sameEntry(eb, et)) {
                add(merged, eo);
            } else if (isTree(eo) && isTree(et) && (eb == null || isTree(eb))) {
                ObjectId sub = tree(eb == null ? null : eb.id, eo.id, et.id);
                if (sub == null) {
                    return null;
                }
                add(merged, new Entry(eo.name, FileMode.TREE.getBits(), sub));
            } else {
                return null;
            }
        }
        TreeFormatter formatter = new TreeFormatter();
        merged.sort(TreeMerge::gitOrder);
        for (Entry entry : merged) {
            formatter.append(entry.name, FileMode.fromBits(entry.mode), entry.id);
        }
        return inserter.insert(formatter);
    }

    /** An entry of the merged folder (none: absent); a folder the merge left empty is left out, as git leaves it out. */
    private static void add(List<Entry> merged, Entry entry) {
        if (entry != null && !(isTree(entry) && entry.id.equals(EMPTY_TREE))) {
            merged.add(entry);
        }
    }

    /** The entries of one folder level of {@code tree} (none for a folder that side lacks), by name. */
    private Map<String, Entry> entries(ObjectId tree) throws IOException {
        Map<String, Entry> entries = new HashMap<>();
        if (tree == null) {
            return entries;
        }
        for (CanonicalTreeParser parser = new CanonicalTreeParser(null, reader, tree); !parser.eof(); parser.next(1)) {
            byte[] name = new byte[parser.getNameLength()];
            parser.getName(name, 0);
            // Bytes as they are (a name need not be UTF-8), one char each, to key the map.
            entries.put(new String(name, StandardCharsets.ISO_8859_1),
                    new Entry(name, parser.getEntryRawMode(), parser.getEntryObjectId()));
        }
        return entries;
    }

    private static final ObjectId EMPTY_TREE = new ObjectInserter.Formatter().idFor(
            org.eclipse.jgit.lib.Constants.OBJ_TREE, new byte[0]);

    private static boolean same(ObjectId a, ObjectId b) {
        return a == null ? b == null : a.equals(b);
    }

    /** The same kind of entry with the same content (or absent from both). */
    private static boolean sameEntry(Entry a, Entry b) {
        return a == null ? b == null : b != null && a.mode == b.mode && a.id.equals(b.id);
    }

    private static boolean isTree(Entry entry) {
        return entry != null && isTree(entry.mode);
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
