package dev.troupe.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.troupe.testing.TestRepo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jgit.lib.Repository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A repository troupe works in is opened once and kept, and what git does to it meanwhile is seen; a worktree made
 * anew at the same path is opened anew.
 */
class RepositoriesTest {

    @TempDir
    Path tmp;

    @Test
    void aRepositoryIsOpenedOnceAndStaysOpenAfterAUseIsClosed() throws IOException {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("a.txt", "a\n"));
        Repository first;
        try (Repository use = Repositories.open(repo.dir())) {
            first = use;
            try (Repository another = Repositories.open(repo.dir().resolve("sub/..").resolve("."))) {
                assertSame(use, another, "the same folder, however it is written, is one repository");
            }
        }
        try (Repository again = Repositories.open(repo.dir())) {
            assertSame(first, again);
            assertEquals(repo.head(), again.resolve("HEAD").name());
        }
    }

    @Test
    void whatGitChangesMeanwhileIsSeen() throws IOException {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("a.txt", "a\n"));
        String first = repo.head();
        repo.git("branch", "troupe/tasks/r1/t1");
        try (Repository use = Repositories.open(repo.dir())) {
            assertEquals(first, use.exactRef("refs/heads/troupe/tasks/r1/t1").getObjectId().name());
        }
        repo.git("pack-refs", "--all");
        repo.write("a.txt", "b\n");
        repo.git("commit", "-qam", "second");
        repo.git("branch", "--force", "troupe/tasks/r1/t1", "HEAD");
        repo.git("branch", "troupe/tasks/r1/t2", "HEAD");
        repo.git("pack-refs", "--all");
        try (Repository use = Repositories.open(repo.dir())) {
            assertEquals(repo.head(), use.exactRef("refs/heads/troupe/tasks/r1/t1").getObjectId().name(),
                    "a ref moved and packed by git since");
            assertEquals(repo.head(), use.exactRef("refs/heads/troupe/tasks/r1/t2").getObjectId().name(),
                    "a ref git made and packed since");
        }
    }

    @Test
    void aWorktreeRemovedAndAddedAgainAtItsPathWithAnotherGitDirectoryIsOpenedAnew() throws IOException {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("a.txt", "a\n"));
        Path worktree = tmp.resolve("workspaces/w1");
        repo.git("worktree", "add", "-q", "-b", "one", worktree.toString());
        Repository first;
        try (Repository use = Repositories.open(worktree)) {
            first = use;
            assertEquals("refs/heads/one", use.exactRef("HEAD").getTarget().getName());
        }
        repo.git("worktree", "remove", "--force", worktree.toString());
        // Another worktree takes the admin folder's name first, so this one's git directory is another folder (one
        // made again under the same name may get the same inode back, and is kept: JGit reads again what changed).
        repo.git("worktree", "add", "-q", "-b", "elsewhere", tmp.resolve("elsewhere/w1").toString());
        repo.git("worktree", "add", "-q", "-b", "two", worktree.toString());
        try (Repository use = Repositories.open(worktree)) {
            assertNotSame(first, use);
            assertEquals("refs/heads/two", use.exactRef("HEAD").getTarget().getName());
        }
    }

    @Test
    void theLeastRecentlyUsedIsLetGoBeyondTheMostKept() throws IOException, GitException {
        TestRepo oldest = TestRepo.create(tmp.resolve("oldest"), Map.of("a.txt", "a\n"));
        Repository first;
        try (Repository use = Repositories.open(oldest.dir())) {
            first = use;
        }
        TestRepo template = TestRepo.create(tmp.resolve("template"), Map.of("a.txt", "a\n"));
        for (int i = 0; i < Repositories.MOST_KEPT; i++) {
            Path other = tmp.resolve("other-" + i);
            GitCli.run(tmp, "clone", "-q", template.dir().toString(), other.toString());
            try (Repository use = Repositories.open(other)) {
                assertEquals(template.head(), use.resolve("HEAD").name());
            }
        }
        try (Repository again = Repositories.open(oldest.dir())) {
            assertNotSame(first, again, "let go of, and opened anew");
            assertEquals(oldest.head(), again.resolve("HEAD").name());
        }
    }
}
