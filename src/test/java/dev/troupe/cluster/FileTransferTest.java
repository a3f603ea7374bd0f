package dev.troupe.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.FishingOutcomes;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.receptionist.Receptionist;
import akka.actor.typed.receptionist.ServiceKey;
import akka.stream.SourceRef;
import akka.util.ByteString;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file from one node to another (real actor systems on 127.0.0.1) as the bundles travel: whole, or not at all. */
class FileTransferTest {

    /** Asks the node for the file it serves. */
    record Fetch(ActorRef<Offered> replyTo) implements ClusterMessage {}

    /** The file, as a ref to stream it, and the size the sender says it has. */
    record Offered(long bytes, SourceRef<ByteString> file) implements ClusterMessage {}

    private static final ServiceKey<Fetch> SERVERS = ServiceKey.create(Fetch.class, "file-servers");

    @TempDir
    Path tmp;

    private final TestNodes nodes = new TestNodes();
    private ActorSystem<Void> lead;

    @AfterEach
    void stopNodes() throws Exception {
        nodes.close();
    }

    /** A node serving {@code file}, saying it has {@code claimedBytes}. */
    private static Behavior<Fetch> server(Path file, long claimedBytes) {
        return Behaviors.setup(context -> {
            context.getSystem().receptionist().tell(Receptionist.register(SERVERS, context.getSelf()));
            return Behaviors.receiveMessage(fetch -> {
                fetch.replyTo().tell(new Offered(claimedBytes, FileTransfer.offer(file, context.getSystem())));
                return Behaviors.same();
            });
        });
    }

    /** Starts a lead and a node serving {@code file}; returns what the lead got from the node. */
    private Offered fetchFromNode(Path file, long claimedBytes) throws Exception {
        lead = nodes.start(Behaviors.empty(), ClusterConfig.Role.LEAD, Optional.empty(), Optional.empty(),
                Duration.ofSeconds(10));
        nodes.start(server(file, claimedBytes), ClusterConfig.Role.WORKER, Optional.of(lead), Optional.empty(),
                Duration.ofSeconds(10));
        TestProbe<Receptionist.Listing> listings = TestProbe.create(lead);
        lead.receptionist().tell(Receptionist.subscribe(SERVERS, listings.ref()));
        Receptionist.Listing listing = listings.fishForMessage(Duration.ofSeconds(30), found ->
                found.getServiceInstances(SERVERS).isEmpty() ? FishingOutcomes.continueAndIgnore()
                        : FishingOutcomes.complete()).get(0);
        TestProbe<Offered> offers = TestProbe.create(lead);
        listing.getServiceInstances(SERVERS).iterator().next().tell(new Fetch(offers.ref()));
        return offers.receiveMessage(Duration.ofSeconds(30));
    }

    @Test
    void aFileArrivesWholeAtItsPlace() throws Exception {
        byte[] content = new byte[20 * 1024 * 1024 + 17];
        new Random(7).nextBytes(content);
        Path file = tmp.resolve("node/task.bundle");
        Files.createDirectories(file.getParent());
        Files.write(file, content);
        Offered offered = fetchFromNode(file, content.length);

        Path target = tmp.resolve("lead/incoming/task.bundle");
        Path spooled = FileTransfer.spool(offered.file(), offered.bytes(), target, lead)
                .toCompletableFuture().get(60, TimeUnit.SECONDS);

        assertArrayEquals(content, Files.readAllBytes(spooled));
        assertFalse(Files.exists(target.resolveSibling("task.bundle.partial")));
    }

    @Test
    void aTransferCutShortLeavesNothingAtTheTarget() throws Exception {
        Path file = tmp.resolve("node/task.bundle");
        Files.createDirectories(file.getParent());
        Files.write(file, new byte[1000]);
        Offered offered = fetchFromNode(file, 5000);

        Path target = tmp.resolve("lead/incoming/task.bundle");
        ExecutionException failed = assertThrows(ExecutionException.class, () -> FileTransfer.spool(offered.file(),
                offered.bytes(), target, lead).toCompletableFuture().get(60, TimeUnit.SECONDS));

        assertTrue(failed.getCause().getMessage().contains("ended after 1000 of 5000 bytes"), failed.getCause().getMessage());
        assertFalse(Files.exists(target));
        assertFalse(Files.exists(target.resolveSibling("task.bundle.partial")));
    }
}
