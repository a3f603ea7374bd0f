package dev.troupe.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.troupe.testing.TestRepo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A task's branch is set as {@code git branch --force} sets it, and never under a checkout. */
class BranchesTest {

    @TempDir
    Path tmp;

    @Test
    void aBranchIsMadeThenMovedEitherWay() throws IOException, GitException {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("a.txt", "a\n"));
        ObjectId first = ObjectId.fromString(repo.head());
        repo.write("a.txt", "b\n");
        repo.git("commit", "-qam", "second");
        ObjectId second = ObjectId.fromString(repo.head());

        Branches.force(repo.dir(), "troupe/tasks/r1/t1", second);
        assertEquals(second.name(), repo.git("rev-parse", "troupe/tasks/r1/t1"));
        Branches.force(repo.dir(), "troupe/tasks/r1/t1", first);
        assertEquals(first.name(), repo.git("rev-parse", "troupe/tasks/r1/t1"), "moved back, not only forward");
        assertEquals("branch: Reset to " + first.name(),
                repo.git("reflog", "-1", "--format=%gs", "troupe/tasks/r1/t1"));
        assertEquals(second.name(), repo.head(), "the checkout is untouched");
    }

    @Test
    void workersSettingTheirFirstBranchesOfARunAtOnceAllSucceed() throws Exception {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("a.txt", "a\n"));
        ObjectId head = ObjectId.fromString(repo.head());
        int workers = 8;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(workers);
        try {
            for (int run = 0; run < 100; run++) {
                java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(workers);
                List<java.util.concurrent.Future<?>> sets = new ArrayList<>();
                for (int worker = 0; worker < workers; worker++) {
                    String branch = "troupe/tasks/r" + run + "/t" + worker;
                    sets.add(pool.submit(() -> {
                        together.await();
                        Branches.force(repo.dir(), branch, head);
                        return null;
                    }));
                }
                for (java.util.concurrent.Future<?> set : sets) {
                    set.get();
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(100 * workers, repo.branches("troupe/tasks/**").size());
    }

    @Test
    void aBareRepositorysBranchIsSetToo() throws IOException, GitException {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("a.txt", "a\n"));
        ObjectId head = ObjectId.fromString(repo.head());
        Path bare = tmp.resolve("node/repo.git");
        repo.git("clone", "--quiet", "--bare", repo.dir().toString(), bare.toString());

        Branches.force(bare, "troupe/tasks/r1/t1", head);

        assertEquals(head.name(), GitCli.run(bare, "rev-parse", "troupe/tasks/r1/t1").strip());
    }

    @Test
    void aBranchCheckedOutSomewhereOrABadNameIsRefusedAndLeftAsItWas() throws IOException {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("a.txt", "a\n"));
        ObjectId start = ObjectId.fromString(repo.head());
        repo.write("a.txt", "b\n");
        repo.git("commit", "-qam", "second");
        repo.git("branch", "troupe/tasks/r1/t1", start.name());
        Path look = tmp.resolve("look");
        repo.git("worktree", "add", "--quiet", look.toString(), "troupe/tasks/r1/t1");

        GitException out = assertThrows(GitException.class,
                () -> Branches.force(repo.dir(), "troupe/tasks/r1/t1", ObjectId.fromString(repo.head())));
        assertTrue(out.getMessage().contains("checked out at " + look.toRealPath()), out.getMessage());
        assertEquals(start.name(), repo.git("rev-parse", "troupe/tasks/r1/t1"));
        GitException main = assertThrows(GitException.class, () -> Branches.force(repo.dir(), "main", start));
        assertTrue(main.getMessage().contains("checked out at"), main.getMessage());

        GitException bad = assertThrows(GitException.class, () -> Branches.force(repo.dir(), "troupe/a..b", start));
        assertEquals("'troupe/a..b' is not a valid branch name", bad.getMessage());
    }
}
