package dev.troupe.team;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.typesafe.config.ConfigFactory;
import dev.troupe.git.IntegrationBranch;
import dev.troupe.team.rules.Tuning;
import dev.troupe.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MergerTest {

    static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load("application-test"));

    @AfterAll
    static void cleanup() {
        testKit.shutdownTestKit();
    }

    @TempDir
    Path tmp;

    /** A commit on a new branch off main that sets {@code file} to {@code content}; main stays checked out. */
    private static ObjectId commitOnBranch(TestRepo repo, String branch, String file, String content) throws Exception {
        repo.git("checkout", "--quiet", "-b", branch, "main");
        repo.write(file, content);
        repo.git("add", "-A");
        repo.git("commit", "--quiet", "-m", "work on " + branch);
        repo.git("checkout", "--quiet", "main");
        return ObjectId.fromString(repo.git("rev-parse", branch));
    }

    private static final Tuning.MergeRetries RETRIES = new Tuning.MergeRetries(3, Duration.ofMillis(50));

    private ActorRef<Merger.Command> merger(TestRepo repo) throws Exception {
        return merger(repo, Merger.GoalCheck.NONE);
    }

    private ActorRef<Merger.Command> merger(TestRepo repo, Merger.GoalCheck check) throws Exception {
        Repository jgit = Git.open(repo.dir().toFile()).getRepository();
        new IntegrationBranch(jgit, "troupe/it").create(ObjectId.fromString(repo.head()));
        return testKit.spawn(Merger.create(jgit, "troupe/it", check, Executors.newSingleThreadExecutor(), RETRIES));
    }

    @Test
    void aTrialChecksTheMergeWithoutMovingTheBranchAndTheWinnersMergeIsNotCheckedTwice() throws Exception {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hi\n"));
        ObjectId good = commitOnBranch(repo, "good", "v.txt", "good\n");
        ObjectId bad = commitOnBranch(repo, "bad", "v.txt", "TODO\n");
        String start = repo.head();
        java.util.concurrent.atomic.AtomicInteger checks = new java.util.concurrent.atomic.AtomicInteger();
        ActorRef<Merger.Command> merger = merger(repo, (candidate, mergeCommit) -> {
            checks.incrementAndGet();
            String content = repo.show(mergeCommit.name(), "v.txt");
            return content.contains("TODO") ? Optional.of("a TODO is left") : Optional.empty();
        });
        TestProbe<TeamLead.Command> lead = testKit.createTestProbe();

        merger.tell(new Merger.Try("t", 1, bad, "try bad\n", lead.getRef()));
        merger.tell(new Merger.Try("t", 2, good, "try good\n", lead.getRef()));
        TeamLead.Tried out = lead.expectMessageClass(TeamLead.Tried.class);
        TeamLead.Tried passed = lead.expectMessageClass(TeamLead.Tried.class);

        assertEquals("check-failed", out.outcome());
        assertTrue(out.problem().orElseThrow().contains("a TODO is left"), out.toString());
        assertEquals(new TeamLead.Tried("t", 2, "passed", Optional.empty()), passed);
        assertEquals(start, repo.git("rev-parse", "troupe/it"), "a trial moves nothing");
        merger.tell(new Merger.Merge("t", 1, good, "merge t\n\nTroupe-Task: t\n", "kept/t", lead.getRef()));
        lead.expectMessageClass(TeamLead.Merged.class);
        assertEquals(List.of("t"), repo.mergedTasks("troupe/it"));
        assertEquals(2, checks.get(), "the merge made the tree its trial passed: not checked again");
    }

    @Test
    void mergesEachRequestWithATrailerInTheOrderReceived() throws Exception {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hi\n"));
        ObjectId one = commitOnBranch(repo, "one", "one.txt", "1\n");
        ObjectId two = commitOnBranch(repo, "two", "two.txt", "2\n");
        ActorRef<Merger.Command> merger = merger(repo);
        TestProbe<TeamLead.Command> lead = testKit.createTestProbe();

        merger.tell(new Merger.Merge("one", 1, one, "merge one\n\nTroupe-Task: one\n", "kept/" + "one", lead.getRef()));
        merger.tell(new Merger.Merge("two", 1, two, "merge two\n\nTroupe-Task: two\n", "kept/" + "two", lead.getRef()));

        TeamLead.Merged first = lead.expectMessageClass(TeamLead.Merged.class);
        TeamLead.Merged second = lead.expectMessageClass(TeamLead.Merged.class);
        assertEquals("one", first.taskId());
        assertEquals("two", second.taskId());
        assertEquals(second.mergeCommit().name(), repo.git("rev-parse", "troupe/it"));
        assertEquals(List.of("one", "two"), repo.mergedTasks("troupe/it"));
        assertEquals("1", repo.show("troupe/it", "one.txt"));
        assertEquals("2", repo.show("troupe/it", "two.txt"));
        assertEquals("", repo.status(), "no working tree was touched");
    }

    @Test
    void aConflictIsReportedWithItsPathsAndLeavesTheBranchAsItWas() throws Exception {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("shared.txt", "original\n"));
        ObjectId left = commitOnBranch(repo, "left", "shared.txt", "left\n");
        ObjectId right = commitOnBranch(repo, "right", "shared.txt", "right\n");
        ActorRef<Merger.Command> merger = merger(repo);
        TestProbe<TeamLead.Command> lead = testKit.createTestProbe();

        merger.tell(new Merger.Merge("left", 1, left, "merge left\n", "kept/" + "left", lead.getRef()));
        lead.expectMessageClass(TeamLead.Merged.class);
        String before = repo.git("rev-parse", "troupe/it");
        merger.tell(new Merger.Merge("right", 1, right, "merge right\n", "kept/" + "right", lead.getRef()));

        TeamLead.MergeConflicted conflict = lead.expectMessageClass(TeamLead.MergeConflicted.class);
        assertEquals(List.of("shared.txt"), conflict.paths());
        assertEquals(right.name(), repo.git("rev-parse", "kept/right"), "the work that did not merge is kept");
        assertEquals(before, repo.git("rev-parse", "troupe/it"));
        assertEquals("left", repo.show("troupe/it", "shared.txt"));
        assertFalse(repo.show("troupe/it", "shared.txt").contains("<<<<<<<"));
    }

    @Test
    void anIntegrationBranchSomeoneCheckedOutIsNotMovedUnderThem() throws Exception {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hi\n"));
        ObjectId work = commitOnBranch(repo, "work", "work.txt", "w\n");
        ActorRef<Merger.Command> merger = merger(repo);
        Path look = tmp.resolve("look");
        repo.git("worktree", "add", "--quiet", look.toString(), "troupe/it");
        String before = repo.git("rev-parse", "troupe/it");
        TestProbe<TeamLead.Command> lead = testKit.createTestProbe();

        merger.tell(new Merger.Merge("work", 1, work, "merge work\n", "kept/" + "work", lead.getRef()));

        TeamLead.MergeFailed failed = lead.expectMessageClass(TeamLead.MergeFailed.class);
        assertTrue(failed.reason().contains("troupe/it is checked out at " + look), failed.reason());
        assertEquals(before, repo.git("rev-parse", "troupe/it"));
        assertTrue(failed.reason().endsWith("(tried 4 times)"), "given up only after its retries: " + failed.reason());
        assertEquals(work.name(), repo.git("rev-parse", "kept/work"), "the work that did not merge is kept");
    }

    @Test
    void aMergeStoppedByARefLockAnotherGitHoldsIsTriedAgainAndMergesOnce() throws Exception {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hi\n"));
        ObjectId work = commitOnBranch(repo, "work", "work.txt", "w\n");
        Path lock = repo.dir().resolve(".git/refs/heads/troupe/it.lock");
        AtomicInteger checks = new AtomicInteger();
        // Runs just before the branch moves: the first time, another git process takes the branch's lock.
        ActorRef<Merger.Command> merger = merger(repo, (candidate, mergeCommit) -> {
            try {
                if (checks.incrementAndGet() == 1) {
                    Files.writeString(lock, "");
                } else {
                    Files.deleteIfExists(lock);
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return Optional.empty();
        });
        TestProbe<TeamLead.Command> lead = testKit.createTestProbe();

        merger.tell(new Merger.Merge("work", 1, work, "merge work\n\nTroupe-Task: work\n", "kept/work", lead.getRef()));

        TeamLead.Merged merged = lead.expectMessageClass(TeamLead.Merged.class);
        assertEquals(2, checks.get(), "tried twice");
        assertEquals(merged.mergeCommit().name(), repo.git("rev-parse", "troupe/it"));
        assertEquals(List.of("work"), repo.mergedTasks("troupe/it"), "merged once");
        assertEquals(List.of(), repo.branches("kept/*"), "nothing kept as failed: it merged");
        lead.expectNoMessage(Duration.ofMillis(200));
    }

    @Test
    void aCommitThatDoesNotExistIsAFailedMergeNotACrash() throws Exception {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hi\n"));
        ActorRef<Merger.Command> merger = merger(repo);
        TestProbe<TeamLead.Command> lead = testKit.createTestProbe();
        ObjectId missing = ObjectId.fromString("0123456789012345678901234567890123456789");

        merger.tell(new Merger.Merge("ghost", 1, missing, "merge ghost\n", "kept/" + "ghost", lead.getRef()));
        lead.expectMessageClass(TeamLead.MergeFailed.class);
        ObjectId fine = commitOnBranch(repo, "fine", "fine.txt", "ok\n");
        merger.tell(new Merger.Merge("fine", 1, fine, "merge fine\n", "kept/" + "fine", lead.getRef()));

        assertEquals("fine", lead.expectMessageClass(TeamLead.Merged.class).taskId());
    }
}
