package dev.troupe.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.actor.typed.javadsl.Behaviors;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import akka.stream.javadsl.Source;
import akka.stream.javadsl.StreamRefs;
import com.typesafe.config.ConfigFactory;
import dev.troupe.cluster.ClusterConfig;
import dev.troupe.cluster.NodeAddress;
import dev.troupe.goal.Goal;
import dev.troupe.journal.Json;
import dev.troupe.journal.Usage;
import dev.troupe.team.rules.Assignment;
import dev.troupe.team.rules.AttemptResult;
import dev.troupe.team.WorkerProtocol;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What crosses the cluster survives the trip: each {@link NodeProtocol} message, and the {@link WorkerProtocol}
 * reports a node's answer carries, through the serializer the nodes use (Akka's Jackson CBOR, with the project's
 * Jackson), as a node would read it.
 */
class ClusterWireTest {

    private static ActorSystem<Void> system;
    private static Serialization serialization;

    @BeforeAll
    static void node() throws Exception {
        system = ActorSystem.create(Behaviors.empty(), ClusterConfig.SYSTEM, ClusterConfig.node(
                new NodeAddress("127.0.0.1", 0), List.of(), ClusterConfig.Role.LEAD, Optional.empty(),
                Duration.ofSeconds(5), ConfigFactory.load()));
        serialization = SerializationExtension.get(Adapter.toClassic(system));
    }

    @AfterAll
    static void stop() {
        system.terminate();
    }

    @SuppressWarnings("unchecked")
    private static <T> T trip(T message) {
        Serializer serializer = serialization.findSerializerFor(message);
        assertTrue(serializer.getClass().getName().contains("Jackson"), "written by Jackson: " + serializer);
        byte[] bytes = serialization.serialize(message).get();
        return (T) serialization.deserialize(bytes, serializer.identifier(),
                Serializers.manifestFor(serializer, message)).get();
    }

    @Test
    void anAttemptArrivesWithItsTaskAsTheLeadGaveItAndItsFiles() {
        Goal.TaskSpec task = new Goal.TaskSpec("t1", "t1", "Write it.", List.of("t0"), Optional.of("opus"),
                Optional.of(List.of("Read", "Write")), Optional.of("plan"), Optional.of(7), Optional.of("Be brief."),
                List.of("src/**"), List.of(), true, Goal.Retry.FRESH,
                new Goal.Variants(List.of(new Goal.Variant(Optional.of("sonnet"), Optional.empty()),
                        Goal.Variant.SAME), Goal.Judge.CHECK));
        NodeProtocol.GoalSent goal = new NodeProtocol.GoalSent("goal.yaml", "goal: x\n", "/home/me/project",
                List.of(new NodeProtocol.CopiedFile(".env", new byte[] {1, 2, 0, -1}, true)));
        NodeProtocol.AssignmentSent assignment = new NodeProtocol.AssignmentSent(task, 2, "troupe/tasks/r/t1",
                "a".repeat(40), "the prompt", Assignment.Role.REVIEWER, null);
        NodeProtocol.Bundle bundle = new NodeProtocol.Bundle(
                Source.single(akka.util.ByteString.fromString("bundle")).runWith(StreamRefs.sourceRef(), system), 6);
        NodeProtocol.RunAttempt sent = new NodeProtocol.RunAttempt("20261202-120000-abcd", 1, goal, assignment, bundle,
                system.ignoreRef());

        NodeProtocol.RunAttempt read = trip(sent);

        assertEquals(task, read.assignment().task(), "the task spec whole: its variants, retry, read-only settings");
        assertEquals(".env", read.goal().copied().get(0).path());
        assertTrue(java.util.Arrays.equals(new byte[] {1, 2, 0, -1}, read.goal().copied().get(0).content()));
        assertTrue(read.goal().copied().get(0).executable());
        assertNull(read.assignment().changeFrom());
        assertEquals(sent.replyTo(), read.replyTo());
        assertEquals(List.of(sent.runId(), sent.slot(), sent.assignment().attempt(), sent.assignment().base(),
                        sent.assignment().role()),
                List.of(read.runId(), read.slot(), read.assignment().attempt(), read.assignment().base(),
                        read.assignment().role()));
        assertEquals(6, read.bundle().bytes());
    }

    @Test
    void reportsKeepTheirAnswersAndSayWhenTheyDoNotKnowWhatTheNodeHas() throws Exception {
        ActorRef<WorkerProtocol.Command> worker = system.ignoreRef();
        WorkerProtocol.AttemptId reviewed = new WorkerProtocol.AttemptId("t1", 1, Assignment.Role.REVIEWER);
        WorkerProtocol.AttemptId wrote = new WorkerProtocol.AttemptId("t1", 1, Assignment.Role.WRITER);
        NodeProtocol.Answer answered = new NodeProtocol.Answer(new WorkerProtocol.AttemptSucceeded(worker, reviewed,
                new AttemptResult("", null, 0.5, new Usage(10, 20, 0, 0), 3, 1000, List.of(), List.of(), "done", 0,
                        Optional.of(Json.MAPPER.readTree("{\"verdict\":\"approve\",\"comments\":\"\"}")))),
                null, null, List.of("b".repeat(40)));
        NodeProtocol.Answer written = new NodeProtocol.Answer(new WorkerProtocol.AttemptSucceeded(worker, wrote,
                new AttemptResult("troupe/tasks/r/t1", ObjectId.fromString("c".repeat(40)), 0, Usage.NONE, 1, 10,
                        List.of("a.txt"), List.of(), null, 0, Optional.empty())), null, "# t1\n", List.of());
        NodeProtocol.Answer failed = new NodeProtocol.Answer(new WorkerProtocol.AttemptFailed(worker, wrote, "why",
                WorkerProtocol.Spend.NONE, true, false, 300), null, null, null);

        assertEquals(answered, trip(answered));
        NodeProtocol.Answer readWritten = trip(written);
        AttemptResult result = ((WorkerProtocol.AttemptSucceeded) readWritten.report()).result();
        assertTrue(result.answer().isEmpty() || result.answer().get().isNull(),
                "no answer stays none (a null may come back as NullNode, which the lead treats as none)");
        assertEquals(written.resultText(), readWritten.resultText());
        assertEquals(List.of("a.txt"), result.filesChanged());
        assertEquals(ObjectId.fromString("c".repeat(40)), result.commit(), "the commit by its id");
        assertNull(trip(failed).haves(), "unknown haves stay unknown");
        assertEquals(failed, trip(failed), "a failure whole: its spend, why, and whose fault");
        NodeProtocol.Answer pressure = NodeProtocol.Answer.of(new WorkerProtocol.ApiPressure(worker, wrote,
                "rate_limit", 30_000));
        NodeProtocol.Answer noWorkspace = NodeProtocol.Answer.of(new WorkerProtocol.SetupFailed(worker, wrote,
                "setup exited with 1"));
        assertEquals(List.of(pressure, noWorkspace), List.of(trip(pressure), trip(noWorkspace)));
        assertEquals(new NodeProtocol.Enlisted("troupe@127.0.0.1:1", 2, List.of()),
                trip(new NodeProtocol.Enlisted("troupe@127.0.0.1:1", 2, List.of())));
    }
}
