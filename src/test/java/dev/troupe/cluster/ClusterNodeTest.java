package dev.troupe.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.typed.Cluster;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Starting and joining nodes (real actor systems on 127.0.0.1), and each way it fails, said clearly. */
class ClusterNodeTest {

    private static final Duration JOIN = Duration.ofSeconds(3);

    private final TestNodes nodes = new TestNodes();

    @AfterEach
    void stopNodes() throws Exception {
        nodes.close();
    }

    private ActorSystem<Void> start(Config config) throws ClusterException {
        return nodes.start(Behaviors.empty(), config);
    }

    private static Config lead(int port) throws ClusterException {
        return ClusterConfig.node(new NodeAddress("127.0.0.1", port), List.of(), ClusterConfig.Role.LEAD, Optional.empty(),
                JOIN, ConfigFactory.load());
    }

    private static Config worker(NodeAddress lead, String version) throws ClusterException {
        return ClusterConfig.node(new NodeAddress("127.0.0.1", 0), List.of(lead), ClusterConfig.Role.WORKER,
                Optional.empty(), JOIN, ConfigFactory.load(), version);
    }

    private static NodeAddress addressOf(ActorSystem<?> system) {
        return TestNodes.addressOf(system);
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void aLeadAndANodeOfTheSameVersionAreBothUp() throws Exception {
        ActorSystem<Void> lead = start(lead(0));
        ActorSystem<Void> node = start(worker(addressOf(lead), dev.troupe.Version.TROUPE));

        assertEquals(akka.cluster.MemberStatus.up(), Cluster.get(node).selfMember().status());
        assertTrue(Cluster.get(lead).selfMember().hasRole("lead"));
        assertTrue(Cluster.get(node).selfMember().hasRole("worker"));
    }

    @Test
    void joiningWhereNothingAnswersFailsClearlyAfterTheJoinTimeout() throws Exception {
        NodeAddress nobody = new NodeAddress("127.0.0.1", freePort());

        String refused = assertThrows(ClusterException.class, () -> start(worker(nobody, dev.troupe.Version.TROUPE)))
                .getMessage();

        assertTrue(refused.startsWith("could not join the lead at " + nobody + " within 3 s: nothing answered there"),
                refused);
    }

    @Test
    void anAddressInUseIsNamed() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String refused = assertThrows(ClusterException.class, () -> start(lead(taken.getLocalPort()))).getMessage();

            assertEquals("cannot listen on 127.0.0.1:" + taken.getLocalPort()
                    + ": the address is in use (another troupe node?); give another port", refused);
        }
    }

    @Test
    void aNodeOfAnotherVersionIsRefusedNamingBoth() throws Exception {
        ActorSystem<Void> lead = start(lead(0));

        String refused = assertThrows(ClusterException.class, () -> start(worker(addressOf(lead), "9.9.9"))).getMessage();

        assertEquals("refused by the lead at " + addressOf(lead) + ": the lead runs troupe " + dev.troupe.Version.TROUPE
                + " and this node troupe 9.9.9; run the same version on every node", refused);
        assertEquals(1, Cluster.get(lead).state().members().size());
    }
}
