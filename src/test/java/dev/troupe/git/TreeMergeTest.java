package dev.troupe.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.merge.MergeStrategy;
import org.eclipse.jgit.merge.ResolveMerger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The folder-level merge agrees with JGit's merger wherever it settles a merge, and leaves to it every merge it
 * cannot settle: checked on a thousand random pairs of changes to the same tree (files added, changed, deleted, made
 * executable, turned into folders and back, folders emptied, names that sort between a file and a folder of one name).
 */
class TreeMergeTest {

    @TempDir
    Path tmp;

    private static final List<String> PATHS = List.of("a.txt", "b.txt", "d1/x.txt", "d1/y.txt", "d1/d2/z.txt",
            "d1/d2/w.txt", "d3/v.txt", "f", "f/g.txt", "f/h/i.txt", "f.txt", "f-x", "f0", "z/last.txt");

    private record Blob(String content, boolean executable) {}

    /** Applies one random change to {@code files}, keeping it a tree git can hold (no path both a file and a folder). */
    private static void change(Random random, Map<String, Blob> files) {
        String path = PATHS.get(random.nextInt(PATHS.size()));
        switch (random.nextInt(4)) {
            case 0 -> files.remove(path);
            case 1 -> files.computeIfPresent(path, (p, b) -> new Blob(b.content(), !b.executable()));
            default -> {
                files.keySet().removeIf(p -> p.startsWith(path + "/") || path.startsWith(p + "/"));
                files.put(path, new Blob("line " + random.nextInt(3) + "\n", false));
            }
        }
    }

    private static ObjectId commit(Repository repo, Map<String, Blob> files, ObjectId... parents) throws Exception {
        try (ObjectInserter inserter = repo.newObjectInserter()) {
            DirCache index = DirCache.newInCore();
            DirCacheBuilder builder = index.builder();
            for (Map.Entry<String, Blob> file : files.entrySet()) {
                DirCacheEntry entry = new DirCacheEntry(file.getKey());
                entry.setFileMode(file.getValue().executable() ? FileMode.EXECUTABLE_FILE : FileMode.REGULAR_FILE);
                entry.setObjectId(inserter.insert(Constants.OBJ_BLOB,
                        file.getValue().content().getBytes(StandardCharsets.UTF_8)));
                builder.add(entry);
            }
            builder.finish();
            CommitBuilder commit = new CommitBuilder();
            commit.setTreeId(index.writeTree(inserter));
            commit.setParentIds(parents);
            PersonIdent who = new PersonIdent("t", "t@localhost");
            commit.setAuthor(who);
            commit.setCommitter(who);
            commit.setMessage("c\n");
            ObjectId id = inserter.insert(commit);
            inserter.flush();
            return id;
        }
    }

    /** The trivial merge path by path: each file as the side that changed it has it (both: they must agree). */
    private static Map<String, Blob> pathByPath(Map<String, Blob> base, Map<String, Blob> ours, Map<String, Blob> theirs) {
        Map<String, Blob> merged = new TreeMap<>();
        java.util.Set<String> paths = new java.util.TreeSet<>(base.keySet());
        paths.addAll(ours.keySet());
        paths.addAll(theirs.keySet());
        for (String path : paths) {
            Blob b = base.get(path);
            Blob o = ours.get(path);
            Blob t = theirs.get(path);
            Blob m = java.util.Objects.equals(o, t) || java.util.Objects.equals(b, t) ? o : t;
            if (!java.util.Objects.equals(o, t) && !java.util.Objects.equals(b, t) && !java.util.Objects.equals(b, o)) {
                throw new AssertionError("settled a path both sides changed: " + path);
            }
            if (m != null) {
                merged.put(path, m);
            }
        }
        return merged;
    }

    /** Every file of {@code tree} with its content and whether it is executable. */
    private static Map<String, Blob> files(Repository repo, ObjectId tree) throws Exception {
        Map<String, Blob> files = new TreeMap<>();
        try (org.eclipse.jgit.treewalk.TreeWalk walk = new org.eclipse.jgit.treewalk.TreeWalk(repo)) {
            walk.addTree(tree);
            walk.setRecursive(true);
            while (walk.next()) {
                files.put(walk.getPathString(), new Blob(new String(repo.open(walk.getObjectId(0)).getBytes(),
                        StandardCharsets.UTF_8), walk.getFileMode(0) == FileMode.EXECUTABLE_FILE));
            }
        }
        return files;
    }

    private static ObjectId treeOf(Repository repo, ObjectId commit) throws Exception {
        try (org.eclipse.jgit.revwalk.RevWalk walk = new org.eclipse.jgit.revwalk.RevWalk(repo)) {
            return walk.parseCommit(commit).getTree().copy();
        }
    }

    @Test
    void whereverItSettlesAMergeJGitsMergerAgreesAndItSettlesNothingJGitFindsConflicting() throws Exception {
        Random random = new Random(26);
        int settled = 0;
        int conflicts = 0;
        try (Git git = Git.init().setDirectory(tmp.resolve("repo").toFile()).call()) {
            Repository repo = git.getRepository();
            for (int round = 0; round < 1000; round++) {
                Map<String, Blob> base = new TreeMap<>();
                for (int i = 0; i < 4; i++) {
                    change(random, base);
                }
                Map<String, Blob> ours = new TreeMap<>(base);
                Map<String, Blob> theirs = new TreeMap<>(base);
                for (int i = random.nextInt(3); i >= 0; i--) {
                    change(random, ours);
                }
                for (int i = random.nextInt(3); i >= 0; i--) {
                    change(random, theirs);
                }
                ObjectId b = commit(repo, base);
                ObjectId o = commit(repo, ours, b);
                ObjectId t = commit(repo, theirs, b);

                ResolveMerger jgit = (ResolveMerger) MergeStrategy.RECURSIVE.newMerger(repo, true);
                jgit.setBase(b);
                Boolean jgitMerged;
                try {
                    jgitMerged = jgit.merge(o, t);
                } catch (java.io.IOException | IllegalStateException jgitFailed) {
                    // JGit's merger fails on some file-against-folder changes ("is not a blob", "Duplicate stages not
                    // allowed" for f.txt beside f/): compared below with the path-by-path answer only.
                    jgitMerged = null;
                }
                Optional<ObjectId> tree;
                try (ObjectInserter inserter = repo.newObjectInserter()) {
                    tree = TreeMerge.merge(repo.newObjectReader(), inserter, treeOf(repo, b), treeOf(repo, o), treeOf(repo, t));
                    inserter.flush();
                }
                String what = "round " + round + ": base " + base + ", ours " + ours + ", theirs " + theirs;
                if (tree.isPresent()) {
                    settled++;
                    Map<String, Blob> expected;
                    try {
                        expected = pathByPath(base, ours, theirs);
                    } catch (AssertionError e) {
                        throw new AssertionError(e.getMessage() + " in " + what + ", merged " + files(repo, tree.get()), e);
                    }
                    assertEquals(expected, files(repo, tree.get()), what);
                    if (jgitMerged != null) {
                        assertTrue(jgitMerged, "settled what JGit finds conflicting: " + what);
                        assertEquals(jgit.getResultTreeId(), tree.get(), what);
                    }
                }
                conflicts += Boolean.FALSE.equals(jgitMerged) ? 1 : 0;
            }
        }
        assertTrue(settled > 300 && conflicts > 50, "both kinds were tried: " + settled + " settled, " + conflicts
                + " conflicts");
    }
}
