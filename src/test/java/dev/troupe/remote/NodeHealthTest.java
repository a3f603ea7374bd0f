package dev.troupe.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.troupe.goal.Goal;
import dev.troupe.team.WorkerProtocol;
import dev.troupe.team.rules.Assignment;
import dev.troupe.team.rules.RunContext;
import dev.troupe.testing.Journals;
import dev.troupe.testing.TestRepo;
import dev.troupe.testing.TestRuns;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node that fails attempts for its own reasons spends none of the tasks' attempts, but three such failures in a
 * row, across its slots, take it out of the team: its lead-side workers stop (the lead then gives their tasks to
 * others) and the journal says why. A node is a probe here, answering as a real node's desk does.
 */
class NodeHealthTest {

    static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load("application-test"));

    @AfterAll
    static void cleanup() {
        testKit.shutdownTestKit();
    }

    @TempDir
    Path tmp;

    /** The node answers the attempt it was sent with a failure of its own, as its desk does for a bad bundle. */
    private static void failsOnItsOwn(TestProbe<NodeProtocol.ToNode> node) {
        NodeProtocol.RunAttempt request = node.expectMessageClass(NodeProtocol.RunAttempt.class, Duration.ofSeconds(20));
        request.replyTo().tell(NodeProtocol.Answer.nodesFault(testKit.system().ignoreRef(), request,
                "the node could not take the bundle in", List.of()));
    }

    @Test
    void threeOfTheNodesOwnFailuresInARowTakeItOutOfTheTeamWithEverySlot() throws Exception {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hi\n"));
        Goal.TaskSpec task = TestRuns.task("t", "write t.txt t");
        RunContext run = TestRuns.context(testKit.system(), repo, tmp.resolve("run"),
                TestRuns.goal(repo, Duration.ofMinutes(1), task));
        java.nio.file.Files.writeString(run.tasksGoalFile(), "tasks: [{id: t, prompt: write t.txt t}]\n");
        TestProbe<NodeProtocol.ToNode> node = testKit.createTestProbe();
        TestProbe<WorkerProtocol.Report> lead = testKit.createTestProbe();
        RemoteWorker.NodeHaves haves = new RemoteWorker.NodeHaves(List.of());
        NodeHealth health = new NodeHealth("node1");
        ActorRef<WorkerProtocol.Command> first = testKit.spawn(RemoteWorker.create(run, node.getRef(), 0, haves, health));
        ActorRef<WorkerProtocol.Command> second = testKit.spawn(RemoteWorker.create(run, node.getRef(), 1, haves, health));

        for (int attempt = 1; attempt <= 2; attempt++) {
            first.tell(assign(run, task, attempt, lead));
            failsOnItsOwn(node);
            WorkerProtocol.AttemptFailed failed = lead.expectMessageClass(WorkerProtocol.AttemptFailed.class);
            assertTrue(failed.nodesFault(), "free for the task");
        }
        second.tell(assign(run, task, 3, lead));
        failsOnItsOwn(node);

        assertTrue(lead.expectMessageClass(WorkerProtocol.AttemptFailed.class).nodesFault(), "the third is reported too");
        lead.expectTerminated(second, Duration.ofSeconds(10));
        first.tell(assign(run, task, 4, lead));
        WorkerProtocol.AttemptFailed handedBack = lead.expectMessageClass(WorkerProtocol.AttemptFailed.class);
        assertTrue(handedBack.nodesFault(), "the slot idle when its node was taken out hands its next task back free");
        assertEquals("its node node1 is out of the team", handedBack.reason());
        lead.expectTerminated(first, Duration.ofSeconds(10));
        node.expectNoMessage(Duration.ofMillis(200));
        run.journal().close().toCompletableFuture().get();
        List<JsonNode> lost = Journals.ofType(Journals.read(tmp.resolve("run/events.jsonl")), "node-lost");
        assertEquals(1, lost.size(), "said once: " + lost);
        assertEquals("node1", lost.get(0).path("node").asText());
        assertEquals("it failed 3 attempts in a row for its own reasons, the last: the node could not take the bundle in",
                lost.get(0).path("reason").asText());
    }

    @Test
    void anAttemptThatEndsForAnyOtherReasonStartsTheCountAgain() {
        NodeHealth health = new NodeHealth("node1");

        health.failed();
        health.failed();
        health.worked();
        health.failed();
        health.failed();

        assertTrue(!health.dropped(), "two in a row, twice");
        assertTrue(health.failed(), "the third in a row");
        assertTrue(health.dropped());
    }

    private static WorkerProtocol.Assign assign(RunContext run, Goal.TaskSpec task, int attempt,
            TestProbe<WorkerProtocol.Report> lead) {
        return new WorkerProtocol.Assign(new Assignment(task, attempt, run.taskBranch(task), run.startCommit(),
                task.prompt()), lead.getRef());
    }
}
