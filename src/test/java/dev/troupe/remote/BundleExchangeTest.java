package dev.troupe.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.troupe.git.GitCli;
import dev.troupe.git.GitException;
import dev.troupe.git.Worktrees;
import dev.troupe.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleExchangeTest {

    private static final String UNKNOWN = "0123456789abcdef0123456789abcdef01234567";

    @TempDir
    Path tmp;

    @Test
    void nodeGetsAFullBundleThenThinOnesAndHandsItsTaskCommitBack() throws Exception {
        TestRepo lead = leadWithBulk(200, 4_000);
        String first = lead.head();
        NodeRepository node = NodeRepository.open(tmp.resolve("node"));
        assertEquals(List.of(), node.has());

        var full = (Bundles.Written) Bundles.toNode(lead.dir(), first, node.has(), tmp.resolve("full.bundle"));
        assertEquals(List.of(), full.assumed());
        node.receive(full.file(), first);
        assertEquals(List.of(first), node.has());

        for (int i = 1; i <= 3; i++) {
            commit(lead, "notes/" + i + ".txt", "note " + i);
        }
        String base = lead.head();
        var thin = (Bundles.Written) Bundles.toNode(lead.dir(), base, node.has(), tmp.resolve("thin.bundle"));
        assertEquals(List.of(first), thin.assumed());
        assertTrue(thin.bytes() * 4 < full.bytes(), "thin " + thin.bytes() + " bytes, full " + full.bytes());
        node.receive(thin.file(), base);
        assertEquals(base, node.has().get(0));

        Path workspace = tmp.resolve("node/workspaces/worker-1");
        GitCli.run(node.gitDir(), "worktree", "add", "--quiet", "--detach", workspace.toString(), base);
        Files.writeString(workspace.resolve("notes/task.txt"), "the task's work\n");
        GitCli.run(workspace, "add", "-A");
        GitCli.run(workspace, "-c", "user.name=Node", "-c", "user.email=node@example.com", "commit", "--quiet",
                "-m", "task");
        String taskCommit = GitCli.resolve(workspace, "HEAD").orElseThrow();
        Path handedBack = tmp.resolve("task.bundle");
        node.handBack(taskCommit, base, handedBack);
        assertTrue(Files.size(handedBack) < thin.bytes() * 2, "a hand-back holds the task's commit, not history");

        String refsBefore = lead.git("for-each-ref");
        Bundles.fetchFromNode(lead.dir(), handedBack, taskCommit, "troupe/tasks/run-1/task-a");
        assertEquals(taskCommit, lead.git("rev-parse", "troupe/tasks/run-1/task-a"));
        assertEquals("the task's work", lead.show("troupe/tasks/run-1/task-a", "notes/task.txt"));
        String refsAfter = lead.git("for-each-ref");
        assertEquals(refsBefore, refsAfter.lines().filter(l -> !l.endsWith("refs/heads/troupe/tasks/run-1/task-a"))
                .collect(java.util.stream.Collectors.joining("\n")), "no other ref moved or appeared");
        assertEquals("", lead.git("for-each-ref", BundleFiles.TEMPORARY_REFS), "temporary refs removed");
        assertEquals("", GitCli.run(node.gitDir(), "for-each-ref", BundleFiles.TEMPORARY_REFS));
        assertTrue(node.has().contains(taskCommit), "the handed-back commit counts as had");
    }

    /**
     * Two slots of one node at once: one takes a bundle in while the other makes (and a run's end removes) its
     * workspace. Unguarded, git's fetch and bundle verify meet a half-made worktree's null HEAD ("bad object
     * worktrees/worker-1/HEAD") in about one intake in twenty here; each intake is an attempt the lead would lose.
     */
    @Test
    void aNodeTakesBundlesWhileItsOtherSlotsMakeAndRemoveWorkspaces() throws Exception {
        TestRepo lead = leadWithBulk(300, 64);
        NodeRepository node = NodeRepository.open(tmp.resolve("node"));
        String first = lead.head();
        node.receive(((Bundles.Written) Bundles.toNode(lead.dir(), first, node.has(), tmp.resolve("0.bundle"))).file(),
                first);
        List<String> commits = new java.util.ArrayList<>();
        List<Path> bundles = new java.util.ArrayList<>();
        for (int i = 1; i <= 40; i++) {
            commit(lead, "notes/" + i + ".txt", "note " + i);
            commits.add(lead.head());
            // Each against the first only: the node takes them in any order.
            bundles.add(((Bundles.Written) Bundles.toNode(lead.dir(), lead.head(), List.of(first),
                    tmp.resolve(i + ".bundle"))).file());
        }
        java.util.concurrent.atomic.AtomicBoolean intakeDone = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.CompletableFuture<Integer> workspaces = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            int made = 0;
            try {
                while (!intakeDone.get() || made == 0) {
                    Path dir = tmp.resolve("node/workspaces/worker-" + (made % 2 + 1));
                    Worktrees.add(node.gitDir(), dir, first, 2);
                    Worktrees.remove(node.gitDir(), dir);
                    made++;
                }
                return made;
            } catch (GitException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });

        List<String> failures = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < bundles.size(); i++) {
                try {
                    node.receive(bundles.get(i), commits.get(i));
                } catch (GitException e) {
                    failures.add(e.getMessage());
                }
            }
        } finally {
            intakeDone.set(true);
        }

        assertTrue(workspaces.get(2, java.util.concurrent.TimeUnit.MINUTES) > 0, "workspaces were made meanwhile");
        assertEquals(List.of(), failures, "every bundle taken in");
        assertTrue(node.has().containsAll(commits.subList(commits.size() - 8, commits.size())), "the newest are had");
    }

    @Test
    void havesTheLeadDoesNotKnowAreIgnored() throws Exception {
        TestRepo lead = TestRepo.create(tmp.resolve("lead"), Map.of("a.txt", "a\n"));
        String want = lead.head();
        List<String> haves = List.of(UNKNOWN, "--output=/tmp/x", "HEAD", "abc123", lead.git("rev-parse", "HEAD^{tree}"));

        var written = assertInstanceOf(Bundles.Written.class,
                Bundles.toNode(lead.dir(), want, haves, tmp.resolve("b.bundle")));

        assertEquals(List.of(), written.assumed(), "a bundle any repository can take");
        NodeRepository.open(tmp.resolve("node")).receive(written.file(), want);
    }

    @Test
    void aNodeThatHasTheCommitOrALaterOneIsSentNothing() throws Exception {
        TestRepo lead = TestRepo.create(tmp.resolve("lead"), Map.of("a.txt", "a\n"));
        String older = lead.head();
        commit(lead, "b.txt", "b");
        String newer = lead.head();
        Path out = tmp.resolve("none.bundle");

        assertEquals(new Bundles.NothingToSend(newer), Bundles.toNode(lead.dir(), newer, List.of(UNKNOWN, newer), out));
        assertEquals(new Bundles.NothingToSend(older), Bundles.toNode(lead.dir(), older, List.of(newer), out));
        assertFalse(Files.exists(out));
    }

    @Test
    void aBundleBuildingOnCommitsTheNodeLacksIsRefusedByName() throws Exception {
        TestRepo lead = TestRepo.create(tmp.resolve("lead"), Map.of("a.txt", "a\n"));
        String first = lead.head();
        commit(lead, "b.txt", "b");
        var thin = (Bundles.Written) Bundles.toNode(lead.dir(), lead.head(), List.of(first), tmp.resolve("t.bundle"));
        NodeRepository node = NodeRepository.open(tmp.resolve("node"));

        GitException refused = assertThrows(GitException.class, () -> node.receive(thin.file(), lead.head()));

        assertTrue(refused.getMessage().contains("lacks: " + first + " "), refused.getMessage());
        assertEquals(1, refused.getMessage().lines().count());
        assertEquals(List.of(), node.has());
    }

    @Test
    void aFileThatIsNoBundleOrIsCutShortIsRefused() throws Exception {
        TestRepo lead = TestRepo.create(tmp.resolve("lead"), Map.of("a.txt", "a\n"));
        var full = (Bundles.Written) Bundles.toNode(lead.dir(), lead.head(), List.of(), tmp.resolve("f.bundle"));
        Path junk = Files.writeString(tmp.resolve("junk.bundle"), "this is not a bundle\n");
        byte[] bytes = Files.readAllBytes(full.file());
        Path cut = Files.write(tmp.resolve("cut.bundle"), java.util.Arrays.copyOf(bytes, bytes.length - 30));
        NodeRepository node = NodeRepository.open(tmp.resolve("node"));

        GitException notABundle = assertThrows(GitException.class, () -> node.receive(junk, lead.head()));
        GitException cutShort = assertThrows(GitException.class, () -> node.receive(cut, lead.head()));
        GitException missing = assertThrows(GitException.class, () -> node.receive(tmp.resolve("nope"), lead.head()));

        assertEquals("not a git bundle (corrupt or wrong file): " + junk, notABundle.getMessage());
        assertTrue(cutShort.getMessage().startsWith("bundle " + cut + " is corrupt or incomplete: "), cutShort.getMessage());
        assertEquals(1, cutShort.getMessage().lines().count());
        assertEquals("no bundle file at " + tmp.resolve("nope"), missing.getMessage());
        assertEquals(List.of(), node.has());
    }

    @Test
    void aBundleWithoutTheExpectedCommitIsRefused() throws Exception {
        TestRepo lead = TestRepo.create(tmp.resolve("lead"), Map.of("a.txt", "a\n"));
        var full = (Bundles.Written) Bundles.toNode(lead.dir(), lead.head(), List.of(), tmp.resolve("f.bundle"));

        GitException refused = assertThrows(GitException.class,
                () -> NodeRepository.open(tmp.resolve("node")).receive(full.file(), UNKNOWN));

        assertEquals("bundle " + full.file() + " does not hold commit " + UNKNOWN + " (it holds " + lead.head() + ")",
                refused.getMessage());
    }

    /** The header is read without git: a version 3 bundle (capabilities before its refs) is taken in as well. */
    @Test
    void aVersionThreeBundleIsTakenIn() throws Exception {
        TestRepo lead = TestRepo.create(tmp.resolve("lead"), Map.of("a.txt", "a\n"));
        Path v3 = tmp.resolve("v3.bundle");
        lead.git("bundle", "create", "--quiet", "--version=3", v3.toString(), "HEAD");
        NodeRepository node = NodeRepository.open(tmp.resolve("node"));

        node.receive(v3, lead.head());

        assertEquals(List.of(lead.head()), node.has());
    }

    @Test
    void fetchingIntoTheCheckedOutBranchIsRefused() throws Exception {
        TestRepo lead = TestRepo.create(tmp.resolve("lead"), Map.of("a.txt", "a\n"));
        String main = lead.head();
        NodeRepository node = NodeRepository.open(tmp.resolve("node"));
        node.receive(((Bundles.Written) Bundles.toNode(lead.dir(), main, List.of(), tmp.resolve("f.bundle"))).file(),
                main);
        Path workspace = tmp.resolve("ws");
        GitCli.run(node.gitDir(), "worktree", "add", "--quiet", "--detach", workspace.toString(), main);
        GitCli.run(workspace, "-c", "user.name=N", "-c", "user.email=n@x", "commit", "--quiet", "--allow-empty",
                "-m", "task");
        String task = GitCli.resolve(workspace, "HEAD").orElseThrow();
        Path back = tmp.resolve("back.bundle");
        node.handBack(task, main, back);

        for (String into : List.of("main", "refs/heads/main")) {
            GitException refused = assertThrows(GitException.class,
                    () -> Bundles.fetchFromNode(lead.dir(), back, task, into));
            assertEquals("refusing to fetch into main: it is checked out at " + lead.dir().toRealPath(),
                    refused.getMessage());
        }
        assertEquals(main, lead.head());
        assertEquals("", lead.status());
    }

    @Test
    void aNodeCommitTheLeadHoldsIsSetOnTheTaskBranchForced() throws Exception {
        TestRepo lead = TestRepo.create(tmp.resolve("lead"), Map.of("a.txt", "a\n"));
        String first = lead.head();
        commit(lead, "b.txt", "b");
        String second = lead.head();

        Bundles.pointAtNodeCommit(lead.dir(), second, "troupe/tasks/run-1/task-a");
        assertEquals(second, lead.git("rev-parse", "troupe/tasks/run-1/task-a"));
        Bundles.pointAtNodeCommit(lead.dir(), first, "troupe/tasks/run-1/task-a");

        assertEquals(first, lead.git("rev-parse", "troupe/tasks/run-1/task-a"), "moved back: the update is forced");
    }

    @Test
    void aNodeCommitIsNotSetOnACheckedOutBranchNorWhenTheLeadLacksIt() throws Exception {
        TestRepo lead = TestRepo.create(tmp.resolve("lead"), Map.of("a.txt", "a\n"));
        String main = lead.head();
        String unknown = "0123456789abcdef0123456789abcdef01234567";

        GitException checkedOut = assertThrows(GitException.class,
                () -> Bundles.pointAtNodeCommit(lead.dir(), main, "main"));
        GitException lacking = assertThrows(GitException.class,
                () -> Bundles.pointAtNodeCommit(lead.dir(), unknown, "troupe/tasks/run-1/task-a"));
        GitException notAnId = assertThrows(GitException.class,
                () -> Bundles.pointAtNodeCommit(lead.dir(), "--all", "troupe/tasks/run-1/task-a"));
        GitException badName = assertThrows(GitException.class,
                () -> Bundles.pointAtNodeCommit(lead.dir(), main, "troupe/tasks/run..1/task-a"));

        assertEquals("refusing to move main: it is checked out at " + lead.dir().toRealPath(), checkedOut.getMessage());
        assertEquals("the repository " + lead.dir() + " has no commit " + unknown, lacking.getMessage());
        assertEquals("the node's commit is not a full commit id: --all", notAnId.getMessage());
        assertEquals("not a valid ref name: refs/heads/troupe/tasks/run..1/task-a", badName.getMessage());
        assertEquals(List.of(), lead.branches("troupe/**"));
    }

    @Test
    void aNodeReportsAndKeepsABoundedNumberOfHaves() throws Exception {
        TestRepo lead = TestRepo.create(tmp.resolve("lead"), Map.of("a.txt", "a\n"));
        NodeRepository node = NodeRepository.open(tmp.resolve("node"));
        for (int i = 0; i < NodeRepository.MAX_HAVES + 3; i++) {
            commit(lead, "n.txt", "n" + i);
            Path out = tmp.resolve("b" + i + ".bundle");
            Bundles.toNode(lead.dir(), lead.head(), node.has(), out);
            node.receive(out, lead.head());
        }

        List<String> has = node.has();
        assertEquals(NodeRepository.MAX_HAVES, has.size());
        assertEquals(lead.head(), has.get(0));
        assertTrue(haveRefs(node) <= NodeRepository.MAX_KEPT, haveRefs(node) + " have refs");

        // Past MAX_KEPT (as a node that ran before may have left them), a node keeps the newest MAX_HAVES.
        String tree = lead.git("rev-parse", "HEAD^{tree}");
        StringBuilder refs = new StringBuilder();
        for (int i = 0; i < NodeRepository.MAX_KEPT; i++) {
            String id = GitCli.run(node.gitDir(), Map.of("GIT_COMMITTER_DATE", "@" + (1_000_000 + i) + " +0000"), null,
                    "commit-tree", tree, "-m", "old " + i).strip();
            refs.append("update ").append(NodeRepository.HAVE_REFS).append(id).append(' ').append(id).append('\n');
        }
        GitCli.run(node.gitDir(), refs.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8), "update-ref",
                "--stdin");
        NodeRepository started = NodeRepository.open(tmp.resolve("node"));
        assertEquals(has, started.has(), "the newest by committer date");
        assertEquals(NodeRepository.MAX_HAVES, haveRefs(started));
    }

    /**
     * A node lists its have refs once, not with every bundle taken in or handed back: a have ref set behind its back
     * (which only a node started again, or one whose exchange failed, would see) stays unreported while its
     * exchanges go well.
     */
    @Test
    void aNodeListsItsHavesOnceAndAgainOnlyWhenStartedAgainOrAfterAFailure() throws Exception {
        TestRepo lead = TestRepo.create(tmp.resolve("lead"), Map.of("a.txt", "a\n"));
        String first = lead.head();
        NodeRepository node = NodeRepository.open(tmp.resolve("node"));
        node.receive(((Bundles.Written) Bundles.toNode(lead.dir(), first, node.has(), tmp.resolve("0.bundle"))).file(),
                first);
        String hidden = GitCli.run(node.gitDir(), "commit-tree", lead.git("rev-parse", "HEAD^{tree}"), "-p", first,
                "-m", "set behind the node's back").strip();
        GitCli.run(node.gitDir(), "update-ref", NodeRepository.HAVE_REFS + hidden, hidden);

        commit(lead, "b.txt", "b");
        String base = lead.head();
        node.receive(((Bundles.Written) Bundles.toNode(lead.dir(), base, node.has(), tmp.resolve("1.bundle"))).file(),
                base);
        Path workspace = tmp.resolve("ws");
        GitCli.run(node.gitDir(), "worktree", "add", "--quiet", "--detach", workspace.toString(), base);
        GitCli.run(workspace, "-c", "user.name=N", "-c", "user.email=n@x", "commit", "--quiet", "--allow-empty",
                "-m", "task");
        String task = GitCli.resolve(workspace, "HEAD").orElseThrow();
        node.handBack(task, base, tmp.resolve("back.bundle"));

        assertEquals(List.of(task, base, first), node.has(), "remembered, not listed again");
        assertTrue(NodeRepository.open(tmp.resolve("node")).has().contains(hidden), "a node started again lists them");
        Path junk = Files.writeString(tmp.resolve("junk.bundle"), "this is not a bundle\n");
        assertThrows(GitException.class, () -> node.receive(junk, base));
        assertTrue(node.has().containsAll(List.of(hidden, task, base, first)),
                "after a failure, what is reported is read from the disk");
    }

    private static long haveRefs(NodeRepository node) throws GitException {
        return GitCli.run(node.gitDir(), "for-each-ref", NodeRepository.HAVE_REFS).lines().count();
    }

    /** A lead repository of {@code files} files of {@code bytes} random hex each, in two commits. */
    private TestRepo leadWithBulk(int files, int bytes) throws Exception {
        Random random = new Random(16);
        Map<String, String> content = new HashMap<>();
        for (int i = 0; i < files; i++) {
            content.put("src/file" + i + ".txt", hex(random, bytes));
        }
        TestRepo lead = TestRepo.create(tmp.resolve("lead"), content);
        commit(lead, "src/file0.txt", hex(random, bytes));
        return lead;
    }

    private static String hex(Random random, int length) {
        StringBuilder text = new StringBuilder(length);
        while (text.length() < length) {
            text.append(Integer.toHexString(random.nextInt()));
        }
        return text.toString();
    }

    /**
     * Commits {@code content} at {@code path} a second later than the commit before: a node orders its haves by
     * committer date, which within one second would be a tie.
     */
    private static void commit(TestRepo repo, String path, String content) throws Exception {
        repo.write(path, content + "\n");
        repo.git("add", "-A");
        GitCli.run(repo.dir(), Map.of("GIT_COMMITTER_DATE", "@" + clock.incrementAndGet() + " +0000"), null,
                "commit", "--quiet", "-m", "change " + path);
    }

    private static final java.util.concurrent.atomic.AtomicLong clock =
            new java.util.concurrent.atomic.AtomicLong(java.time.Instant.now().getEpochSecond() + 1);
}
