package dev.troupe.git;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.troupe.testing.TestRepo;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a branch is checked out, read from git's files as {@code git worktree list} would say it, and a worktree's
 * git dirs as {@code git rev-parse} would: the main worktree, linked ones, a bare repository kept in a folder named
 * {@code .git}.
 */
class WorktreesTest {

    @TempDir
    Path tmp;

    @Test
    void aBranchIsFoundWhereverItIsCheckedOutAndNowhereElse() throws Exception {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hi\n"));
        repo.git("branch", "look");
        repo.git("branch", "free");
        Path linked = tmp.resolve("linked");
        repo.git("worktree", "add", "--quiet", linked.toString(), "look");
        repo.git("worktree", "add", "--quiet", "--detach", tmp.resolve("detached").toString(), "free");
        String mainBranch = repo.git("symbolic-ref", "--short", "HEAD").strip();

        assertEquals(Optional.of(repo.dir().toRealPath()), Worktrees.checkedOutAt(linked, mainBranch));
        assertEquals(Optional.of(linked.toRealPath()), Worktrees.checkedOutAt(repo.dir(), "look"));
        assertEquals(Optional.empty(), Worktrees.checkedOutAt(repo.dir(), "free"), "a detached worktree has no branch");
        assertEquals(Path.of(repo.git("-C", linked.toString(), "rev-parse", "--absolute-git-dir").strip()),
                GitDirs.gitDir(linked));
        assertEquals(repo.dir().resolve(".git").toRealPath(), GitDirs.commonDir(linked));
    }

    @Test
    void aBareRepositoryInAFolderNamedDotGitHasNothingCheckedOutItself() throws Exception {
        TestRepo origin = TestRepo.create(tmp.resolve("origin"), Map.of("README.md", "hi\n"));
        String mainBranch = origin.git("symbolic-ref", "--short", "HEAD").strip();
        Path bare = tmp.resolve("project/.git");
        origin.git("clone", "--quiet", "--bare", origin.dir().toString(), bare.toString());
        origin.git("-C", bare.toString(), "branch", "feature");
        Path feature = tmp.resolve("project/feature");
        origin.git("-C", bare.toString(), "worktree", "add", "--quiet", feature.toString(), "feature");

        assertEquals(Optional.empty(), Worktrees.checkedOutAt(feature, mainBranch), "git says: bare, no branch");
        assertEquals(Optional.of(feature.toRealPath()), Worktrees.checkedOutAt(feature, "feature"));
    }
}
