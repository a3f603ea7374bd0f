package dev.troupe.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.troupe.testing.TestRepo;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Merges onto the integration branch find each task's merge base near its work, among the commits the branch is
 * known to hold, and stay right when someone else moves the branch.
 */
class IntegrationBranchTest {

    @TempDir
    Path tmp;

    /** A commit on {@code parent} that writes {@code file}, on no branch. */
    private static ObjectId commitOn(TestRepo repo, String parent, String file, String content) {
        repo.git("checkout", "--quiet", "--detach", parent);
        try {
            repo.write(file, content);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        repo.git("add", file);
        repo.git("commit", "--quiet", "-m", "write " + file);
        return ObjectId.fromString(repo.head());
    }

    @Test
    void afterManyMergesATasksChangeMergesOntoTheWholeBranchAndAClashStillConflicts() throws Exception {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("shared.txt", "one\ntwo\nthree\n"));
        String base = repo.head();
        try (Repository jgit = Git.open(repo.dir().toFile()).getRepository()) {
            IntegrationBranch branch = new IntegrationBranch(jgit, "troupe/it");
            branch.create(ObjectId.fromString(base));
            for (int i = 0; i < 30; i++) {
                assertInstanceOf(IntegrationBranch.Outcome.Merged.class,
                        branch.merge(commitOn(repo, base, "t" + i + ".txt", i + "\n"), "merge t" + i + "\n"));
            }
            ObjectId first = commitOn(repo, base, "shared.txt", "ONE\ntwo\nthree\n");
            ObjectId clash = commitOn(repo, base, "shared.txt", "uno\ntwo\nthree\n");
            ObjectId apart = commitOn(repo, base, "shared.txt", "one\ntwo\nTHREE\n");

            assertInstanceOf(IntegrationBranch.Outcome.Merged.class, branch.merge(first, "merge first\n"));
            assertEquals(List.of("shared.txt"), ((IntegrationBranch.Outcome.Conflict) branch.merge(clash, "merge clash\n"))
                    .paths());
            assertInstanceOf(IntegrationBranch.Outcome.Merged.class, branch.merge(apart, "merge apart\n"));

            Map<String, String> tree = repo.tree("troupe/it");
            assertEquals("ONE\ntwo\nTHREE", tree.get("shared.txt"), "both changes, merged from their own base");
            assertEquals(31, tree.size(), "every task's file");
        }
    }

    @Test
    void aBranchSomeoneMovedBackIsMergedOntoFromWhereItIsNotWhereItWas() throws Exception {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hi\n"));
        String base = repo.head();
        try (Repository jgit = Git.open(repo.dir().toFile()).getRepository()) {
            IntegrationBranch branch = new IntegrationBranch(jgit, "troupe/it");
            branch.create(ObjectId.fromString(base));
            branch.merge(commitOn(repo, base, "a.txt", "a\n"), "merge a\n");
            ObjectId later = branch.head();
            // Someone puts the branch back where it began; a task was given the later head as its base.
            repo.git("branch", "--force", "troupe/it", base);
            ObjectId task = commitOn(repo, later.name(), "b.txt", "b\n");

            assertInstanceOf(IntegrationBranch.Outcome.Merged.class, branch.merge(task, "merge b\n"));

            Map<String, String> tree = repo.tree("troupe/it");
            assertEquals(Map.of("README.md", "hi", "a.txt", "a", "b.txt", "b"), tree,
                    "what the task's history holds comes along: its base is no merge the branch had before");
        }
    }

    @Test
    void aTaskWhoseWorkMergedItsEarlierAttemptKeepsWhatTheBranchChangedSince() throws Exception {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("f.txt", "S0\n"));
        String start = repo.head();
        try (Repository jgit = Git.open(repo.dir().toFile()).getRepository()) {
            IntegrationBranch branch = new IntegrationBranch(jgit, "troupe/it");
            branch.create(ObjectId.fromString(start));
            ObjectId earlierAttempt = commitOn(repo, start, "g.txt", "old attempt\n");
            assertInstanceOf(IntegrationBranch.Outcome.Merged.class,
                    branch.merge(commitOn(repo, start, "f.txt", "S1\n"), "merge x\n"));
            String afterX = branch.head().name();
            // The task's next attempt starts there, commits twice, and merges its earlier attempt's kept branch.
            commitOn(repo, afterX, "h.txt", "1\n");
            commitOn(repo, repo.head(), "h.txt", "2\n");
            repo.git("merge", "--quiet", "--no-edit", earlierAttempt.name());
            ObjectId work = ObjectId.fromString(repo.head());
            // Meanwhile another task puts f.txt back.
            assertInstanceOf(IntegrationBranch.Outcome.Merged.class,
                    branch.merge(commitOn(repo, afterX, "f.txt", "S0\n"), "merge y\n"));

            assertInstanceOf(IntegrationBranch.Outcome.Merged.class, branch.merge(work, "merge the task\n"));

            Map<String, String> tree = repo.tree("troupe/it");
            assertEquals("S0", tree.get("f.txt"), "the revert made since the task's base stays (the start is no base)");
            assertEquals("old attempt", tree.get("g.txt"));
            assertEquals("2", tree.get("h.txt"));
        }
    }
}
