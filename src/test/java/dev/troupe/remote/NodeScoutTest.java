package dev.troupe.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.receptionist.Receptionist;
import com.typesafe.config.ConfigFactory;
import dev.troupe.team.TeamLead;
import dev.troupe.team.rules.RunContext;
import dev.troupe.testing.TestRepo;
import dev.troupe.testing.TestRuns;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lead's scout asks a node again that did not answer its enlisting in time, and takes its later offer. */
class NodeScoutTest {

    static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load("application-test"));

    @AfterAll
    static void cleanup() {
        testKit.shutdownTestKit();
    }

    @TempDir
    Path tmp;

    @Test
    void aNodeWhoseEnlistingTimedOutIsAskedAgainAndJoins() throws Exception {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hi\n"));
        RunContext run = TestRuns.context(testKit.system(), repo, tmp.resolve("run"),
                TestRuns.goal(repo, Duration.ofMinutes(1), TestRuns.task("t", "write t.txt t")));
        TestProbe<NodeProtocol.ToNode> node = testKit.createTestProbe();
        TestProbe<TeamLead.Command> lead = testKit.createTestProbe();
        testKit.system().receptionist().tell(Receptionist.register(NodeProtocol.NODES, node.getRef()));

        testKit.spawn(NodeScout.create(run, lead.getRef(), Duration.ofMillis(500), Duration.ofMillis(200)));

        node.expectMessageClass(NodeProtocol.Enlist.class, Duration.ofSeconds(10)); // not answered: a node too busy
        lead.expectNoMessage(Duration.ofMillis(600));
        NodeProtocol.Enlist again = node.expectMessageClass(NodeProtocol.Enlist.class, Duration.ofSeconds(10));
        again.replyTo().tell(new NodeProtocol.Enlisted("slow-node", 2, List.of()));

        TeamLead.SlotsOffered offer = lead.expectMessageClass(TeamLead.SlotsOffered.class, Duration.ofSeconds(10));
        assertEquals("node1", offer.node());
        assertEquals(2, offer.slots().size());
    }
}
