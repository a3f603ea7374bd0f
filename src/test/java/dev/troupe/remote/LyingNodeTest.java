package dev.troupe.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.typesafe.config.ConfigFactory;
import dev.troupe.cluster.FileTransfer;
import dev.troupe.goal.Goal;
import dev.troupe.goal.TaskIds;
import dev.troupe.journal.Usage;
import dev.troupe.team.WorkerProtocol;
import dev.troupe.team.rules.Assignment;
import dev.troupe.team.rules.AttemptResult;
import dev.troupe.team.rules.RunContext;
import dev.troupe.testing.TestRepo;
import dev.troupe.testing.TestRuns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node that lies about its work: it says its commit changed one file, inside the task's zone, while the commit
 * also writes a file outside it. The lead's worker for that node takes the commit in through the real exchange (a
 * git bundle streamed as a node streams it, fetched into the task's branch) and reports what the commit holds, not
 * what the node said, so {@code zone-policy: reject} refuses it (RunState, as RunCommandTest shows end to end). The
 * node is a probe that answers as a node's desk does, with a bundle made by git in a clone of its own.
 */
class LyingNodeTest {

    static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load("application-test"));

    @AfterAll
    static void cleanup() {
        testKit.shutdownTestKit();
    }

    @TempDir
    Path tmp;

    @Test
    void theLeadReportsTheFilesTheCommitChangedNotTheOnesTheNodeNamed() throws Exception {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("src/a.txt", "a\n", "README.md", "hi\n"));
        Goal.TaskSpec task = new Goal.TaskSpec("t", TaskIds.slug("t"), "edit src/a.txt", List.of(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), List.of("src/**"), List.of(), false);
        RunContext run = TestRuns.context(testKit.system(), repo, tmp.resolve("run"),
                TestRuns.goal(repo, Duration.ofMinutes(1), task));
        Files.writeString(run.tasksGoalFile(), "tasks: [{id: t, prompt: edit src/a.txt, zone: [\"src/**\"]}]\n");
        TestProbe<NodeProtocol.ToNode> node = testKit.createTestProbe();
        TestProbe<WorkerProtocol.Report> lead = testKit.createTestProbe();
        ActorRef<WorkerProtocol.Command> worker = testKit.spawn(RemoteWorker.create(run, node.getRef(), 0,
                new RemoteWorker.NodeHaves(List.of()), new NodeHealth("node1")));
        worker.tell(new WorkerProtocol.Assign(new Assignment(task, 1, run.taskBranch(task), run.startCommit(),
                task.prompt()), lead.getRef()));

        NodeProtocol.RunAttempt request = node.expectMessageClass(NodeProtocol.RunAttempt.class, Duration.ofSeconds(20));
        Path nodeRepo = tmp.resolve("node");
        git(tmp, "clone", "--quiet", repo.dir().toString(), nodeRepo.toString());
        git(nodeRepo, "checkout", "--quiet", "--detach", request.assignment().base());
        Files.writeString(nodeRepo.resolve("src/a.txt"), "a, edited\n");
        Files.writeString(nodeRepo.resolve("leaked.txt"), "outside the zone\n");
        git(nodeRepo, "add", "-A");
        git(nodeRepo, "-c", "user.name=node", "-c", "user.email=node@example", "commit", "--quiet", "-m", "work");
        String commit = git(nodeRepo, "rev-parse", "HEAD").strip();
        git(nodeRepo, "branch", "work");
        Path bundle = tmp.resolve("work.bundle");
        git(nodeRepo, "bundle", "create", "--quiet", bundle.toString(), "work", "^" + request.assignment().base());
        AttemptResult said = new AttemptResult("troupe/tasks/test-run/t", ObjectId.fromString(commit), 0.5, Usage.NONE,
                3, 1000, List.of("src/a.txt"), List.of(), "done", 0, Optional.empty());
        request.replyTo().tell(new NodeProtocol.Answer(
                new WorkerProtocol.AttemptSucceeded(testKit.system().ignoreRef(), request.id(), said),
                new NodeProtocol.Bundle(FileTransfer.offer(bundle, testKit.system()), Files.size(bundle)), "done",
                List.of(commit)));

        WorkerProtocol.AttemptSucceeded taken = lead.expectMessageClass(WorkerProtocol.AttemptSucceeded.class,
                Duration.ofSeconds(30));
        assertEquals(commit, taken.result().commit().name());
        assertEquals(List.of("leaked.txt"), taken.result().outsideZone(), "found in the commit, not taken from the node: "
                + taken.result());
        assertTrue(taken.result().filesChanged().containsAll(List.of("src/a.txt", "leaked.txt")),
                "every file the commit changed: " + taken.result().filesChanged());
        assertEquals(commit, git(repo.dir(), "rev-parse", run.taskBranch(task)).strip(), "fetched into the task's branch");
    }

    private static String git(Path dir, String... args) throws Exception {
        // Not the user's signing or hooks: the node's commit is made as the test says.
        List<String> command = new java.util.ArrayList<>(List.of("git", "-c", "commit.gpgsign=false", "-c",
                "core.hooksPath=/dev/null"));
        command.addAll(List.of(args));
        Process git = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out = new String(git.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, git.waitFor(), String.join(" ", command) + ": " + out);
        return out;
    }
}
