package dev.troupe.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.time.Duration;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cluster's key file and the settings that keep a cluster off the network without one. */
class ClusterKeyTest {

    @TempDir
    Path tmp;

    @Test
    void aNewKeyIsTheOwnersAloneAndOpensWithTheSameFingerprint() throws Exception {
        Path file = tmp.resolve("keys/cluster.p12");

        ClusterKey made = ClusterKey.create(file);

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(made.fingerprint(), ClusterKey.open(file).fingerprint());
        assertEquals(32, made.fingerprint().split(":").length, "SHA-256: " + made.fingerprint());
        assertNotEquals(made.fingerprint(), ClusterKey.create(tmp.resolve("other.p12")).fingerprint(), "keys differ");
        try (var left = Files.list(file.getParent())) {
            assertEquals(List.of(file), left.toList(), "no scratch file is left beside it");
        }
    }

    @Test
    void anExistingKeyIsNeverOverwritten() throws Exception {
        Path file = tmp.resolve("cluster.p12");
        ClusterKey.create(file);
        byte[] before = Files.readAllBytes(file);

        ClusterException refused = assertThrows(ClusterException.class, () -> ClusterKey.create(file));

        assertTrue(refused.getMessage().contains("exists already"), refused.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file));
    }

    @Test
    void aKeyOthersCanReadAMissingOneAndAnythingElseAreRefusedClearly() throws Exception {
        Path shared = tmp.resolve("shared.p12");
        ClusterKey.create(shared);
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rw-r--r--"));
        Path garbage = tmp.resolve("garbage.p12");
        Files.writeString(garbage, "not a key store\n");
        Files.setPosixFilePermissions(garbage, PosixFilePermissions.fromString("rw-------"));

        String readable = assertThrows(ClusterException.class, () -> ClusterKey.open(shared)).getMessage();
        String missing = assertThrows(ClusterException.class, () -> ClusterKey.open(tmp.resolve("none.p12"))).getMessage();
        String notAKey = assertThrows(ClusterException.class, () -> ClusterKey.open(garbage)).getMessage();

        assertTrue(readable.contains("readable by others") && readable.contains("chmod 600"), readable);
        assertTrue(missing.startsWith("no cluster key at ") && missing.contains("troupe cluster-key"), missing);
        assertTrue(notAKey.contains("is not a troupe cluster key"), notAKey);
    }

    @Test
    void onlyLoopbackRunsWithoutAKey() throws IOException, ClusterException {
        NodeAddress loopback = NodeAddress.parse("127.0.0.1:25520", "--cluster");
        NodeAddress everywhere = NodeAddress.parse("0.0.0.0:25520", "--cluster");

        ClusterConfig.node(loopback, List.of(), ClusterConfig.Role.LEAD, Optional.empty(), Duration.ofSeconds(5),
                ConfigFactory.load());
        String refused = assertThrows(ClusterException.class, () -> ClusterConfig.node(everywhere, List.of(),
                ClusterConfig.Role.LEAD, Optional.empty(), Duration.ofSeconds(5), ConfigFactory.load())).getMessage();

        assertTrue(refused.startsWith("a cluster on 0.0.0.0:25520 needs a key"), refused);
        assertEquals("tls-tcp", ClusterConfig.node(everywhere, List.of(), ClusterConfig.Role.LEAD,
                Optional.of(ClusterKey.create(tmp.resolve("k.p12"))), Duration.ofSeconds(5), ConfigFactory.load())
                .getString("akka.remote.artery.transport"));
    }

    @Test
    void addressesAreHostAndPort() throws ClusterException {
        assertEquals(new NodeAddress("lead-host", 25520), NodeAddress.parse("lead-host:25520", "--join"));
        assertEquals(new NodeAddress("::1", 25520), NodeAddress.parse("[::1]:25520", "--join"));
        assertEquals("--join 'lead-host' is not host:port (e.g. 127.0.0.1:25520)",
                assertThrows(ClusterException.class, () -> NodeAddress.parse("lead-host", "--join")).getMessage());
        assertEquals("--join 'h:x': the port is not a number",
                assertThrows(ClusterException.class, () -> NodeAddress.parse("h:x", "--join")).getMessage());
        assertEquals("--cluster 'h:70000': the port must be 0 to 65535",
                assertThrows(ClusterException.class, () -> NodeAddress.parse("h:70000", "--cluster")).getMessage());
    }
}
