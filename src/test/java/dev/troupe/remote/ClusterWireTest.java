package dev.troupe.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What crosses the cluster survives the trip: each {@link NodeProtocol} message through the serializer the nodes
 * use (Akka's Jackson CBOR, with the project's Jackson), as a node would read it.
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
        NodeProtocol.RunAttempt sent = new NodeProtocol.RunAttempt("20261202-120000-abcd", 1, "goal.yaml",
                "goal: x\n", "/home/me/project", List.of(new NodeProtocol.CopiedFile(".env", new byte[] {1, 2, 0, -1},
                        true)), task, 2, "troupe/tasks/r/t1", "a".repeat(40), "the prompt", "REVIEWER", null,
                Source.single(akka.util.ByteString.fromString("bundle")).runWith(StreamRefs.sourceRef(), system), 6,
                system.ignoreRef());

        NodeProtocol.RunAttempt read = trip(sent);

        assertEquals(task, read.task(), "the task spec whole: its variants, retry, read-only settings");
        assertEquals(".env", read.copied().get(0).path());
        assertTrue(java.util.Arrays.equals(new byte[] {1, 2, 0, -1}, read.copied().get(0).content()));
        assertTrue(read.copied().get(0).executable());
        assertNull(read.changeFrom());
        assertEquals(sent.replyTo(), read.replyTo());
        assertEquals(List.of(sent.runId(), sent.slot(), sent.attempt(), sent.base(), sent.role()),
                List.of(read.runId(), read.slot(), read.attempt(), read.base(), read.role()));
    }

    @Test
    void reportsKeepTheirAnswersAndSayWhenTheyDoNotKnowWhatTheNodeHas() throws Exception {
        NodeProtocol.Succeeded answered = new NodeProtocol.Succeeded("t1", 1, "", null, 0.5,
                new Usage(10, 20, 0, 0), 3, 1000, List.of(), List.of(), "done",
                0, Json.MAPPER.readTree("{\"verdict\":\"approve\",\"comments\":\"\"}"), null, null, 0, List.of("b".repeat(40)));
        NodeProtocol.Succeeded written = new NodeProtocol.Succeeded("t1", 1, "troupe/tasks/r/t1", "c".repeat(40),
                0, Usage.NONE, 1, 10, List.of("a.txt"), List.of(), null, 0, null, "# t1\n", null, 0, List.of());
        NodeProtocol.Failed failed = new NodeProtocol.Failed("t1", 1, "why", 0, Usage.NONE, true, false, 300, null);

        assertEquals(answered, trip(answered));
        NodeProtocol.Succeeded readWritten = trip(written);
        assertTrue(readWritten.answer() == null || readWritten.answer().isNull(),
                "no answer stays none (a null may come back as NullNode, which the lead treats as none)");
        assertEquals(written.resultText(), readWritten.resultText());
        assertEquals(List.of("a.txt"), readWritten.filesChanged());
        assertNull(trip(failed).haves(), "unknown haves stay unknown");
        assertEquals(new NodeProtocol.Enlisted("troupe@127.0.0.1:1", 2, List.of()),
                trip(new NodeProtocol.Enlisted("troupe@127.0.0.1:1", 2, List.of())));
    }
}
