package dev.troupe.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The Akka settings that make a troupe node of a cluster: Artery on the given address, the lead's role or a
 * worker's, the Split Brain Resolver keeping the side with the lead (the oldest node of role {@code lead}, so a lost
 * lead takes its workers down and not the other way round), Jackson CBOR for {@link ClusterMessage}s, and TLS with
 * mutual authentication by the cluster's key. Only on loopback may a cluster run without a key.
 */
public final class ClusterConfig {

    /** The name every node's actor system has; nodes of other names cannot join. */
    public static final String SYSTEM = "troupe";

    /** A node's part in the team. */
    public enum Role {
        LEAD("lead"), WORKER("worker");

        private final String name;

        Role(String name) {
            this.name = name;
        }

        public String roleName() {
            return name;
        }
    }

    private ClusterConfig() {}

    /**
     * Settings for a node at {@code self} (port 0: any free port) that joins {@code seeds} (none: it starts the
     * cluster), layered over {@code fallback}. A node that could not join within {@code joinTimeout} stops.
     */
    public static Config node(NodeAddress self, List<NodeAddress> seeds, Role role, Optional<ClusterKey> key,
            Duration joinTimeout, Config fallback) throws ClusterException {
        return node(self, seeds, role, key, joinTimeout, fallback, dev.troupe.Version.TROUPE);
    }

    /** The same, for a node that says it runs troupe {@code version} (tests of the version check). */
    static Config node(NodeAddress self, List<NodeAddress> seeds, Role role, Optional<ClusterKey> key,
            Duration joinTimeout, Config fallback, String version) throws ClusterException {
        if (key.isEmpty()) {
            Optional<NodeAddress> exposed = Stream.concat(Stream.of(self), seeds.stream())
                    .filter(address -> !address.isLoopback()).findFirst();
            if (exposed.isPresent()) {
                throw new ClusterException("a cluster on " + exposed.get() + " needs a key, or anyone who reaches that "
                        + "address can join: make one with `troupe cluster-key FILE`, copy it to every node and pass "
                        + "--key FILE (only 127.0.0.1 may run without)");
            }
        }
        Config own = ConfigFactory.parseString("""
                akka.actor.provider = cluster
                # What one message may carry: a task's copied files (at most 1 MiB), its prompt, an agent's report
                # and each journal line a node forwards are kept below this; bundles travel in 64 KiB chunks.
                akka.remote.artery.advanced.maximum-frame-size = 2 MiB
                akka.remote.artery.advanced.buffer-pool-size = 32
                akka.actor.allow-java-serialization = off
                akka.actor.serialization-bindings {
                  "dev.troupe.cluster.ClusterMessage" = jackson-cbor
                }
                akka.cluster {
                  downing-provider-class = "akka.cluster.sbr.SplitBrainResolverProvider"
                  split-brain-resolver {
                    active-strategy = keep-oldest
                    # Akka's advice for clusters of up to 5 nodes: a node unreachable this long (after the failure
                    # detector's few seconds) is downed, and its tasks go to other workers (docs/cluster.md).
                    stable-after = 7s
                    keep-oldest.role = lead
                    # The lead alone on its side keeps running: it loses workers, not the run.
                    keep-oldest.down-if-alone = off
                  }
                  jmx.multi-mbeans-in-same-jvm = on
                  configuration-compatibility-check.checkers.troupe = "dev.troupe.cluster.VersionCheck"
                }
                """)
                .withValue(VersionCheck.VERSION, ConfigValueFactory.fromAnyRef(version))
                .withValue(VersionCheck.NODE, ConfigValueFactory.fromAnyRef(java.util.UUID.randomUUID().toString()))
                .withValue("akka.remote.artery.canonical.hostname", ConfigValueFactory.fromAnyRef(canonicalHost(self)))
                .withValue("akka.remote.artery.bind.hostname", ConfigValueFactory.fromAnyRef(self.host()))
                .withValue("akka.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(self.port()))
                .withValue("akka.cluster.roles", ConfigValueFactory.fromIterable(List.of(role.roleName())))
                .withValue("akka.cluster.seed-nodes", ConfigValueFactory.fromIterable(
                        seeds.stream().map(seed -> "akka://" + SYSTEM + "@" + seed).toList()))
                .withValue("akka.cluster.shutdown-after-unsuccessful-join-seed-nodes",
                        ConfigValueFactory.fromAnyRef(joinTimeout.toMillis() + "ms"));
        Config secured = key.map(k -> k.transport().withFallback(own)).orElse(own);
        return secured.withFallback(fallback).resolve();
    }

    /**
     * The host other nodes reach this one at: the one it listens on, or for a node that listens on every interface
     * ({@code 0.0.0.0}), this machine's address.
     */
    static String canonicalHost(NodeAddress self) throws ClusterException {
        if (!self.host().equals("0.0.0.0") && !self.host().equals("::")) {
            return self.host();
        }
        // Not InetAddress.getLocalHost(): on Debian that is 127.0.1.1, which no other machine reaches.
        try {
            return java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces()).stream()
                    .filter(ClusterConfig::isUp)
                    .flatMap(nic -> java.util.Collections.list(nic.getInetAddresses()).stream())
                    .filter(address -> address instanceof java.net.Inet4Address && !address.isLoopbackAddress()
                            && !address.isLinkLocalAddress())
                    .map(java.net.InetAddress::getHostAddress).findFirst()
                    .orElseThrow(() -> new ClusterException("this machine has no address other machines could reach "
                            + "for " + self + "; listen on the address the other nodes reach instead"));
        } catch (java.net.SocketException e) {
            throw new ClusterException("cannot list this machine's addresses for " + self + ": " + e.getMessage()
                    + "; listen on the address the other nodes reach instead");
        }
    }

    private static boolean isUp(java.net.NetworkInterface nic) {
        try {
            return nic.isUp() && !nic.isLoopback();
        } catch (java.net.SocketException e) {
            return false;
        }
    }
}
