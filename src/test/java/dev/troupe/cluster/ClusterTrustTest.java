package dev.troupe.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.testkit.typed.javadsl.FishingOutcomes;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.receptionist.Receptionist;
import akka.actor.typed.receptionist.ServiceKey;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real Akka Cluster nodes (several actor systems in this JVM, on 127.0.0.1, over Artery's TLS): a node holding the
 * cluster's key joins and speaks troupe's wire format (records in Jackson CBOR); a node with another key, or with
 * none, is refused.
 */
class ClusterTrustTest {

    /** A record of the kinds troupe sends: optional, list, time and an actor to answer. */
    record Question(String taskId, Optional<String> model, List<String> paths, Instant at, ActorRef<Answer> replyTo)
            implements ClusterMessage {}

    record Answer(String taskId, String said) implements ClusterMessage {}

    private static final ServiceKey<Question> ANSWERERS = ServiceKey.create(Question.class, "answerers");

    @TempDir
    Path tmp;

    private final TestNodes nodes = new TestNodes();

    @AfterEach
    void stopNodes() throws Exception {
        nodes.close();
    }

    private <T> ActorSystem<T> node(Behavior<T> behavior, ClusterConfig.Role role, Optional<ActorSystem<?>> join,
            Optional<ClusterKey> key) throws ClusterException {
        return nodes.start(behavior, role, join, key, Duration.ofSeconds(4));
    }

    private static Behavior<Question> answerer() {
        return Behaviors.setup(context -> {
            context.getSystem().receptionist().tell(Receptionist.register(ANSWERERS, context.getSelf()));
            return Behaviors.receiveMessage(question -> {
                question.replyTo().tell(new Answer(question.taskId(), question.model().orElse("-") + " " + question.paths()
                        + " " + question.at()));
                return Behaviors.same();
            });
        });
    }

    @Test
    void aNodeWithTheKeyJoinsAndTroupesRecordsCrossInCbor() throws Exception {
        ClusterKey key = ClusterKey.create(tmp.resolve("cluster.p12"));
        ActorSystem<Void> lead = node(Behaviors.empty(), ClusterConfig.Role.LEAD, Optional.empty(), Optional.of(key));
        node(answerer(), ClusterConfig.Role.WORKER, Optional.of(lead), Optional.of(key));

        TestProbe<Receptionist.Listing> listings = TestProbe.create(lead);
        lead.receptionist().tell(Receptionist.subscribe(ANSWERERS, listings.ref()));
        Receptionist.Listing listing = listings.fishForMessage(Duration.ofSeconds(30), found ->
                found.getServiceInstances(ANSWERERS).isEmpty()
                        ? FishingOutcomes.continueAndIgnore()
                        : FishingOutcomes.complete()).get(0);
        ActorRef<Question> remote = listing.getServiceInstances(ANSWERERS).iterator().next();
        TestProbe<Answer> answers = TestProbe.create(lead);
        Instant at = Instant.parse("2026-12-02T07:00:00.123Z");
        remote.tell(new Question("fix-login", Optional.of("opus"), List.of("src/a.js", "src/b.js"), at, answers.ref()));

        assertEquals(new Answer("fix-login", "opus [src/a.js, src/b.js] 2026-12-02T07:00:00.123Z"),
                answers.receiveMessage(Duration.ofSeconds(30)));
        assertTrue(remote.path().address().hasGlobalScope(), "the answer came from the other node: " + remote.path());
        assertEquals(2, upMembers(lead));
    }

    @Test
    void aNodeWithAnotherKeyOrNoneIsRefused() throws Exception {
        ActorSystem<Void> lead = node(Behaviors.empty(), ClusterConfig.Role.LEAD, Optional.empty(),
                Optional.of(ClusterKey.create(tmp.resolve("cluster.p12"))));
        ClusterKey another = ClusterKey.create(tmp.resolve("another.p12"));

        // Each gives up after its join timeout (4 s) and stops, having never been let in.
        String stranger = assertThrows(ClusterException.class, () -> node(Behaviors.empty(), ClusterConfig.Role.WORKER,
                Optional.of(lead), Optional.of(another))).getMessage();
        String keyless = assertThrows(ClusterException.class, () -> node(Behaviors.empty(), ClusterConfig.Role.WORKER,
                Optional.of(lead), Optional.empty())).getMessage();

        assertTrue(stranger.startsWith("could not join the lead at ") && stranger.contains("refused this node's key"),
                stranger);
        assertTrue(keyless.contains("refused this node's key"), keyless);
        assertEquals(1, Cluster.get(lead).state().members().size(), "only the lead: " + Cluster.get(lead).state().members());
    }

    private static long upMembers(ActorSystem<?> system) {
        return java.util.stream.StreamSupport.stream(Cluster.get(system).state().getMembers().spliterator(), false)
                .filter(member -> member.status().equals(MemberStatus.up())).count();
    }
}
