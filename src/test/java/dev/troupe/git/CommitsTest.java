package dev.troupe.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.troupe.testing.TestRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an agent left is committed as {@code git add -A && git commit} would. */
class CommitsTest {

    @TempDir
    Path tmp;

    @Test
    void everyKindOfChangeIsCommittedAndTheTreeIsLeftClean() throws IOException, GitException {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hi\n", "gone.txt", "x\n",
                "foo", "a file that becomes a directory\n", "keep/k.txt", "k\n", ".gitignore", "*.log\n"));
        Path dir = repo.dir();
        Files.delete(dir.resolve("gone.txt"));
        Files.delete(dir.resolve("foo"));
        Files.createDirectories(dir.resolve("foo/sub"));
        Files.writeString(dir.resolve("foo/bar"), "bar\n");
        Files.writeString(dir.resolve("foo/sub/baz"), "baz\n");
        Files.createDirectories(dir.resolve("new/deep"));
        Files.writeString(dir.resolve("new/deep/n [1] *.txt"), "odd name\n");
        Files.writeString(dir.resolve("keep/k.txt"), "changed\n");
        Files.writeString(dir.resolve("run.sh"), "exec true\n");
        Files.setPosixFilePermissions(dir.resolve("run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(dir.resolve("debug.log"), "ignored\n");
        repo.git("add", "README.md");

        Commits.commitAll(dir, "the agent's work");

        // (TestRepo.show strips the last newline.)
        assertEquals(Map.of(".gitignore", "*.log", "README.md", "hi", "foo/bar", "bar", "foo/sub/baz", "baz",
                "keep/k.txt", "changed", "new/deep/n [1] *.txt", "odd name", "run.sh", "exec true"),
                repo.tree("HEAD"));
        assertTrue(repo.git("ls-tree", "HEAD", "run.sh").startsWith("100755"), "the executable bit is kept");
        assertEquals("", repo.status(), "nothing left behind (debug.log is ignored, as git add -A leaves it)");
    }

    @Test
    void leftOutPathsAreNeverCommittedAndNothingElseMeansNoCommit() throws IOException, GitException {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hi\n"));
        Path dir = repo.dir();
        String base = repo.git("rev-parse", "HEAD").strip();
        Files.writeString(dir.resolve(".env"), "copied\n");
        Files.createDirectories(dir.resolve("build/out"));
        Files.writeString(dir.resolve("build/out/a.o"), "made by setup\n");

        assertEquals(java.util.Optional.empty(), Commits.commitIfChanged(dir, "nothing of the project's",
                java.util.List.of(".env", "build/")));
        assertEquals(base, repo.git("rev-parse", "HEAD").strip());

        Files.writeString(dir.resolve("README.md"), "changed\n");
        Commits.commitAll(dir, "the agent's work\n", java.util.List.of(".env", "build/"));

        assertEquals(Map.of("README.md", "changed"), repo.tree("HEAD"));
        assertEquals("the agent's work", repo.git("log", "-1", "--format=%s").strip());
    }

    /** A copied file and setup output, as a workspace's leave-out list names them. */
    private static final List<String> LEAVE_OUT = List.of(".env", "gen/");

    private TestRepo withWorkspaceFiles() throws IOException {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("a.txt", "a\n"));
        Files.writeString(repo.dir().resolve(".env"), "SECRET=1\n");
        Files.createDirectories(repo.dir().resolve("gen"));
        Files.writeString(repo.dir().resolve("gen/out.js"), "made by setup\n");
        return repo;
    }

    private static void assertUntrackedAsTheyWere(TestRepo repo) throws IOException {
        assertEquals("SECRET=1\n", Files.readString(repo.dir().resolve(".env")));
        assertEquals("made by setup\n", Files.readString(repo.dir().resolve("gen/out.js")));
        assertEquals("?? .env\n?? gen/out.js", repo.git("status", "--porcelain", "--untracked-files=all"));
    }

    @Test
    void leftOutPathsTheAgentStagedItselfAreUnstagedNotCommitted() throws IOException, GitException {
        TestRepo repo = withWorkspaceFiles();
        Files.writeString(repo.dir().resolve("a.txt"), "changed\n");
        repo.git("add", "-A");

        Commits.commitAll(repo.dir(), "the agent's work\n", LEAVE_OUT);

        assertEquals(Map.of("a.txt", "changed"), repo.tree("HEAD"));
        assertUntrackedAsTheyWere(repo);
    }

    @Test
    void leftOutPathsTheAgentCommittedItselfAreTakenOutOfTheTasksWork() throws IOException, GitException {
        TestRepo repo = withWorkspaceFiles();
        ObjectId base = ObjectId.fromString(repo.git("rev-parse", "HEAD").strip());
        Files.writeString(repo.dir().resolve("a.txt"), "changed\n");
        repo.git("add", "-A");
        repo.git("commit", "-qm", "mine");
        Files.writeString(repo.dir().resolve("b.txt"), "left uncommitted\n");

        ObjectId head = Commits.commitTask(repo.dir(), "troupe: t1\n\nWork of the agent.\n", LEAVE_OUT, base);

        assertEquals(head.name(), repo.git("rev-parse", "HEAD").strip());
        assertEquals(base.name(), repo.git("rev-parse", "HEAD~1").strip(), "one commit on the base");
        assertEquals(Map.of("a.txt", "changed", "b.txt", "left uncommitted"), repo.tree("HEAD"));
        String message = repo.git("log", "-1", "--format=%B");
        assertTrue(message.startsWith("troupe: t1\n\nWork of the agent.\n"), message);
        assertTrue(message.contains("(.env, gen/)") && message.contains("- mine"), message);
        assertUntrackedAsTheyWere(repo);
    }

    @Test
    void theAgentsOwnCommitsAreKeptWhenTheyHoldNothingLeftOut() throws IOException, GitException {
        TestRepo repo = withWorkspaceFiles();
        ObjectId base = ObjectId.fromString(repo.git("rev-parse", "HEAD").strip());
        Files.writeString(repo.dir().resolve("a.txt"), "changed\n");
        repo.git("commit", "-qam", "mine");
        String mine = repo.git("rev-parse", "HEAD").strip();

        ObjectId head = Commits.commitTask(repo.dir(), "troupe: t1\n", LEAVE_OUT, base);

        assertEquals(mine, head.name());
        assertUntrackedAsTheyWere(repo);
    }

    @Test
    void aLeftOutPathTrackedAtHeadKeepsHeadsVersionInTheCommit() throws IOException, GitException {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("a.txt", "a\n", "local.conf", "tracked\n"));
        Files.writeString(repo.dir().resolve("a.txt"), "changed\n");
        Files.writeString(repo.dir().resolve("local.conf"), "the workspace's\n");
        repo.git("add", "-A");

        Commits.commitAll(repo.dir(), "the agent's work\n", List.of("local.conf"));

        assertEquals(Map.of("a.txt", "changed", "local.conf", "tracked"), repo.tree("HEAD"));
        assertEquals("the workspace's\n", Files.readString(repo.dir().resolve("local.conf")), "the worktree's copy stays");
        assertEquals("M local.conf", repo.status(), "changed, unstaged");
    }

    @Test
    void nothingButLeftOutPathsMeansNoCommitWhetherStagedOrCommittedByTheAgent() throws IOException, GitException {
        TestRepo repo = withWorkspaceFiles();
        ObjectId base = ObjectId.fromString(repo.git("rev-parse", "HEAD").strip());
        repo.git("add", "-A");

        assertEquals(java.util.Optional.empty(), Commits.commitIfChanged(repo.dir(), "nothing\n", LEAVE_OUT));
        assertEquals(base, Commits.commitAll(repo.dir(), "nothing\n", LEAVE_OUT));
        assertEquals(base.name(), repo.git("rev-parse", "HEAD").strip());

        repo.git("add", "-A");
        repo.git("commit", "-qm", "mine");
        assertEquals(base, Commits.commitTask(repo.dir(), "nothing\n", LEAVE_OUT, base));
        assertEquals(base.name(), repo.git("rev-parse", "HEAD").strip(), "the head stays the base");
        assertUntrackedAsTheyWere(repo);
    }

    @Test
    void aCommitInALinkedWorktreeMovesOnlyItsHeadAsTheRepositorysIdentityWithoutHooks() throws IOException,
            GitException {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("a.txt", "a\n"));
        String base = repo.head();
        Path hooks = repo.dir().resolve(".git/hooks");
        for (String hook : List.of("pre-commit", "commit-msg", "post-commit")) {
            Files.writeString(hooks.resolve(hook), "#!/bin/sh\ntouch \"" + tmp.resolve(hook + ".ran") + "\"\nexit 1\n");
            Files.setPosixFilePermissions(hooks.resolve(hook), PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Path worktree = tmp.resolve("worker-1");
        repo.git("worktree", "add", "--quiet", "--detach", worktree.toString(), base);
        String reflog = repo.git("reflog", "HEAD");
        Files.writeString(worktree.resolve("a.txt"), "changed\n");

        ObjectId head = Commits.commitAll(worktree, "troupe: t1\n\n  kept as written  \n");

        assertEquals(head.name(), GitCli.run(worktree, "rev-parse", "HEAD").strip());
        assertEquals(base, GitCli.run(worktree, "rev-parse", "HEAD~1").strip(), "on the worktree's head");
        assertEquals("Test Person <test@example.com> Test Person <test@example.com>",
                GitCli.run(worktree, "log", "-1", "--format=%an <%ae> %cn <%ce>").strip());
        assertEquals("troupe: t1\n\n  kept as written  \n", GitCli.run(worktree, "cat-file", "commit", head.name())
                .split("\n\n", 2)[1], "the message verbatim");
        assertEquals("", GitCli.run(worktree, "status", "--porcelain").strip(), "the index is the commit's");
        assertEquals("commit: troupe: t1", GitCli.run(worktree, "reflog", "-1", "--format=%gs").strip(),
                "the worktree's own HEAD log has it, as git commit would");
        assertEquals(base, repo.head(), "the repository's own checkout did not move");
        assertEquals(reflog, repo.git("reflog", "HEAD"), "nor did its HEAD's log");
        for (String hook : List.of("pre-commit", "commit-msg", "post-commit")) {
            assertTrue(Files.notExists(tmp.resolve(hook + ".ran")), hook + " is not run");
        }
    }

    @Test
    void aHeadLockHeldForAMomentIsWaitedForAndOneHeldOnIsSaidByItsPath() throws Exception {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("a.txt", "a\n"));
        Path worktree = tmp.resolve("worker-1");
        repo.git("worktree", "add", "--quiet", "--detach", worktree.toString(), repo.head());
        Path lock = repo.dir().resolve(".git/worktrees/worker-1/HEAD.lock");
        Files.writeString(worktree.resolve("a.txt"), "changed\n");
        Files.writeString(lock, "held by another git\n");
        // Held for a moment after the commit object is written, which is when HEAD is tried: as git holds a lock.
        Thread release = new Thread(() -> {
            try {
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
                while (countObjects(repo) < 3 && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                Thread.sleep(50); // the moment the lock is held: the scenario, not a wait for something
                Files.delete(lock);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        release.start();

        ObjectId head = Commits.commitAll(worktree, "troupe: t1\n");

        release.join();
        assertEquals(head.name(), GitCli.run(worktree, "rev-parse", "HEAD").strip(), "committed once the lock went");
        Files.writeString(worktree.resolve("a.txt"), "again\n");
        Files.writeString(lock, "held on\n");
        GitException held = org.junit.jupiter.api.Assertions.assertThrows(GitException.class,
                () -> Commits.commitAll(worktree, "troupe: t2\n"));
        assertTrue(held.getMessage().contains("its lock (" + lock + ", or its branch's) was held through 7 tries"),
                held.getMessage());
        assertEquals(head.name(), GitCli.run(worktree, "rev-parse", "HEAD").strip(), "HEAD stays where it was");
    }

    /** New loose objects in the repository: past the base's blob, tree and commit (git's temporary files skipped). */
    private static long countObjects(TestRepo repo) throws IOException {
        try (var files = Files.walk(repo.dir().resolve(".git/objects"))) {
            return files.filter(f -> f.getParent().getFileName().toString().length() == 2
                    && !f.getFileName().toString().startsWith("tmp")).count() - 3;
        } catch (java.io.UncheckedIOException vanished) {
            return 0; // a file git was writing went while it was listed: looked at again
        }
    }

    @Test
    void aBranchTheAgentSwitchedToIsTheOneTheCommitMoves() throws IOException, GitException {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("a.txt", "a\n"));
        String base = repo.head();
        repo.git("switch", "--quiet", "-c", "mine");
        Files.writeString(repo.dir().resolve("a.txt"), "changed\n");

        ObjectId head = Commits.commitAll(repo.dir(), "the agent's work\n");

        assertEquals("refs/heads/mine", repo.git("symbolic-ref", "HEAD"), "HEAD still names the branch");
        assertEquals(head.name(), repo.git("rev-parse", "mine"));
        assertEquals(base, repo.git("rev-parse", "main"));
    }
}
