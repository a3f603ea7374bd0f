package dev.troupe.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.troupe.journal.Usage;
import dev.troupe.team.rules.AttemptResult;
import dev.troupe.testing.TestRepo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.TreeFormatter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lead believes nothing a node says of its commit: it finds the files changed and those outside the zone in
 * the commit itself, and refuses a commit no task may make. Real repositories; the "node's" commits are made in
 * the lead's repository as a fetched bundle would leave them.
 */
class NodeCommitCheckTest {

    @TempDir
    Path tmp;

    private TestRepo repo;
    private ObjectId base;

    @BeforeEach
    void repository() {
        repo = TestRepo.create(tmp.resolve("repo"), Map.of("src/a.txt", "a\n", "README.md", "readme\n"));
        base = ObjectId.fromString(repo.head());
    }

    /** What a lying node claims: nothing changed, nothing outside the zone. */
    private static AttemptResult claimed(ObjectId commit) {
        return new AttemptResult("troupe/tasks/r/t", commit, 0.5, Usage.NONE, 3, 1000, List.of(), List.of(),
                "done", 0, Optional.empty());
    }

    /** A commit on the base whose tree is the base's plus {@code entries} (path to mode and content) at the top. */
    private ObjectId commitWith(Map<String, Map.Entry<FileMode, String>> entries) throws IOException {
        try (Git git = Git.open(repo.dir().toFile()); ObjectInserter inserter = git.getRepository().newObjectInserter()) {
            TreeFormatter tree = new TreeFormatter();
            var baseTree = git.getRepository().parseCommit(base).getTree();
            try (var walk = new org.eclipse.jgit.treewalk.TreeWalk(git.getRepository())) {
                walk.addTree(baseTree);
                java.util.TreeMap<String, Object[]> all = new java.util.TreeMap<>();
                while (walk.next()) {
                    all.put(walk.getNameString(), new Object[] {walk.getFileMode(0), walk.getObjectId(0)});
                }
                for (var entry : entries.entrySet()) {
                    ObjectId blob = inserter.insert(Constants.OBJ_BLOB, entry.getValue().getValue().getBytes(StandardCharsets.UTF_8));
                    all.put(entry.getKey(), new Object[] {entry.getValue().getKey(), blob});
                }
                all.forEach((name, modeAndId) -> tree.append(name, (FileMode) modeAndId[0], (ObjectId) modeAndId[1]));
            }
            return commit(inserter, inserter.insert(tree), "the node's work\n");
        }
    }

    /** A commit of {@code tree} on the base, as a node's JGit makes one, inserted and flushed. */
    private ObjectId commit(ObjectInserter inserter, ObjectId tree, String message) throws IOException {
        CommitBuilder commit = new CommitBuilder();
        commit.setTreeId(tree);
        commit.setParentId(base);
        PersonIdent node = new PersonIdent("node", "node@example");
        commit.setAuthor(node);
        commit.setCommitter(node);
        commit.setMessage(message);
        ObjectId id = inserter.insert(commit);
        inserter.flush();
        return id;
    }

    private ObjectId gitCommit(String file, String content) throws IOException {
        repo.write(file, content);
        repo.git("add", "-A");
        repo.git("commit", "-q", "-m", "work");
        String head = repo.head();
        repo.git("reset", "-q", "--hard", base.name());
        return ObjectId.fromString(head);
    }

    @Test
    void theFilesChangedAndThoseOutsideTheZoneAreTheCommitsNotTheNodesAccount() throws Exception {
        repo.write("src/b.txt", "b\n");
        ObjectId commit = gitCommit("README.md", "changed outside the zone\n");

        AttemptResult verified = NodeCommitCheck.verified(repo.dir(), base, List.of("src/**"), claimed(commit));

        assertEquals(List.of("README.md", "src/b.txt"), verified.filesChanged());
        assertEquals(List.of("README.md"), verified.outsideZone(), "so that zone-policy: reject refuses it");
        assertEquals(0.5, verified.costUsd(), "the rest of the report stays");
    }

    @Test
    void aCommitThatDoesNotBuildOnTheBaseIsRefused() throws Exception {
        repo.git("checkout", "-q", "--orphan", "elsewhere");
        repo.git("commit", "-q", "-m", "unrelated");
        ObjectId unrelated = ObjectId.fromString(repo.head());
        repo.git("checkout", "-q", "-f", "main");

        NodeCommitCheck.Refused refused = assertThrows(NodeCommitCheck.Refused.class,
                () -> NodeCommitCheck.verified(repo.dir(), base, List.of(), claimed(unrelated)));

        assertTrue(refused.getMessage().contains("does not build on the task's base"), refused.getMessage());
    }

    @Test
    void aPathWithAGitPartALinkOutOfTheRepositoryAndAFileTooBigAreRefused() throws Exception {
        ObjectId dotGit = commitWith(Map.of(".GIT", Map.entry(FileMode.REGULAR_FILE, "[core]\n")));
        ObjectId absolute = commitWith(Map.of("passwd", Map.entry(FileMode.SYMLINK, "/etc/passwd")));
        ObjectId climbing = commitWith(Map.of("up", Map.entry(FileMode.SYMLINK, "src/../../outside")));
        ObjectId inside = commitWith(Map.of("link", Map.entry(FileMode.SYMLINK, "src/a.txt")));
        // Each reads as inside; followed, 'e' is the repository's parent.
        ObjectId throughALink = commitWith(Map.of("s", Map.entry(FileMode.SYMLINK, "src/.."),
                "src", Map.entry(FileMode.SYMLINK, ".."), "e", Map.entry(FileMode.SYMLINK, "s")));
        ObjectId loop = commitWith(Map.of("x", Map.entry(FileMode.SYMLINK, "y"), "y", Map.entry(FileMode.SYMLINK, "x")));

        ObjectId big = commitWith(Map.of("big.bin", Map.entry(FileMode.REGULAR_FILE, "x".repeat(2000))));

        assertTrue(refusal(dotGit, 1 << 20).contains("the path '.GIT', which no task may write"), refusal(dotGit, 1 << 20));
        assertTrue(refusal(absolute, 1 << 20).contains("a symbolic link 'passwd' to '/etc/passwd', which leads outside"),
                refusal(absolute, 1 << 20));
        assertTrue(refusal(climbing, 1 << 20).contains("a symbolic link 'up'"), refusal(climbing, 1 << 20));
        assertTrue(refusal(throughALink, 1 << 20).contains("leads outside the repository"), refusal(throughALink, 1 << 20));
        assertTrue(refusal(loop, 1 << 20).contains("round in a loop"), refusal(loop, 1 << 20));

        assertEquals(List.of("link"), NodeCommitCheck.verified(repo.dir(), base, List.of(), claimed(inside), 1 << 20)
                .filesChanged(), "a link inside the repository is a file like any other");
        assertTrue(refusal(big, 1000).contains("'big.bin' of 2000 bytes, more than the 1000"), refusal(big, 1000));
        assertEquals(List.of("big.bin"), NodeCommitCheck.verified(repo.dir(), base, List.of(), claimed(big), 2000)
                .filesChanged());
    }

    @Test
    void anOldLinkThatANewOneSendsOutOfTheRepositoryIsRefusedToo() throws Exception {
        // d/e -> s/../.. is the repository's top while d/s is a folder.
        repo.write("d/s/x.txt", "x\n");
        Files.createSymbolicLink(repo.dir().resolve("d/e"), Path.of("s/../.."));
        repo.git("add", "-A");
        repo.git("commit", "-q", "-m", "an old link, inside");
        base = ObjectId.fromString(repo.head());
        // The node's commit makes d/s a link to d's parent, itself inside: d/e now climbs out.
        repo.git("rm", "-q", "-r", "d/s");
        Files.createSymbolicLink(repo.dir().resolve("d/s"), Path.of(".."));
        repo.git("add", "-A");
        repo.git("commit", "-q", "-m", "the node's work");
        ObjectId nodeCommit = ObjectId.fromString(repo.head());

        assertEquals("with its commit the symbolic link 'd/e' to 's/../..' leads outside the repository (or round in"
                + " a loop)", refusal(nodeCommit, 1 << 20));
    }

    private String refusal(ObjectId commit, long largest) {
        return assertThrows(NodeCommitCheck.Refused.class,
                () -> NodeCommitCheck.verified(repo.dir(), base, List.of(), claimed(commit), largest)).getMessage();
    }

    @Test
    void aNodesBundleWhoseTreeHoldsAGitFolderIsFetchedButRefused() throws Exception {
        Path nodeRepo = tmp.resolve("node");
        repo.git("clone", "-q", "--bare", repo.dir().toString(), nodeRepo.toString());
        // The node's repository gets a commit that plants .git/config, which a checkout of it would obey.
        ObjectId planted;
        try (Git node = Git.open(nodeRepo.toFile()); ObjectInserter inserter = node.getRepository().newObjectInserter()) {
            TreeFormatter inner = new TreeFormatter();
            inner.append("config", FileMode.REGULAR_FILE, inserter.insert(Constants.OBJ_BLOB,
                    "[core]\n\tfsmonitor = touch /tmp/pwned\n".getBytes(StandardCharsets.UTF_8)));
            TreeFormatter top = new TreeFormatter();
            top.append(".git", FileMode.TREE, inserter.insert(inner));
            planted = commit(inserter, inserter.insert(top), "planted\n");
            var update = node.getRepository().updateRef("refs/heads/work");
            update.setNewObjectId(planted);
            update.forceUpdate();
        }
        Path bundle = tmp.resolve("in.bundle");
        new ProcessBuilder("git", "-C", nodeRepo.toString(), "bundle", "create", "-q", bundle.toString(), "work",
                "^" + base.name()).inheritIO().start().waitFor();

        // git (2.39 here) does not fsck what it fetches from a bundle: the check is the lead's own.
        Bundles.fetchFromNode(repo.dir(), bundle, planted.name(), "troupe/tasks/r/t");
        NodeCommitCheck.Refused refused = assertThrows(NodeCommitCheck.Refused.class,
                () -> NodeCommitCheck.verified(repo.dir(), base, List.of(), claimed(planted)));

        assertEquals("its commit has the path '.git/config', which no task may write", refused.getMessage());
    }
}
