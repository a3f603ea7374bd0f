package dev.troupe.cli;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import com.typesafe.config.Config;
import dev.troupe.cluster.ClusterConfig;
import dev.troupe.cluster.ClusterException;
import dev.troupe.cluster.ClusterKey;
import dev.troupe.cluster.ClusterNode;
import dev.troupe.cluster.NodeAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code --cluster HOST:PORT [--key FILE]}: the run's lead takes workers from other nodes (docs/cluster.md). */
final class ClusterOptions {

    @Option(names = "--cluster", paramLabel = "HOST:PORT",
            description = "take workers from other machines too: listen here for `troupe worker --join` (docs/cluster.md)")
    String cluster;

    @Option(names = "--key", paramLabel = "FILE",
            description = "the cluster's key (from `troupe cluster-key`); needed unless the cluster is on 127.0.0.1")
    Path key;

    /**
     * The lead's node, when the run is to have one; checked before anything of the run is made. A goal whose
     * {@code agent.env} sets an API credential is refused: the goal file goes to every node, and API keys never do.
     */
    Optional<Lead> lead(dev.troupe.goal.Goal goal) throws TroupeException {
        Optional<Lead> lead = lead();
        if (lead.isPresent()) {
            Optional<String> credential = dev.troupe.agent.Secrets.API_CREDENTIALS.stream()
                    .filter(goal.agent().env()::containsKey).findFirst();
            if (credential.isPresent()) {
                throw TroupeException.badInput(goal.file() + ": agent.env sets " + credential.get() + ", and a run with "
                        + "--cluster sends its goal file to every worker node: troupe never sends API keys over the "
                        + "cluster; export it on each machine instead");
            }
        }
        return lead;
    }

    /** The lead's node, when the run is to have one. */
    Optional<Lead> lead() throws TroupeException {
        if (cluster == null) {
            if (key != null) {
                throw TroupeException.badInput("--key is for a cluster: give --cluster HOST:PORT too");
            }
            return Optional.empty();
        }
        try {
            return Optional.of(new Lead(NodeAddress.parse(cluster, "--cluster"),
                    key == null ? Optional.empty() : Optional.of(ClusterKey.open(key))));
        } catch (ClusterException e) {
            throw TroupeException.badInput(e.getMessage());
        }
    }

    /** The lead's node of a cluster: where it listens, and the key every node must hold. */
    record Lead(NodeAddress address, Optional<ClusterKey> key) {

        /**
         * Refuses, before anything of the run is made or changed, a port another program holds (the node binds it
         * later; in between someone may still take it, which the node's start then says).
         */
        void checkPortFree() throws TroupeException {
            if (address.port() == 0) {
                return;
            }
            try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
                probe.setReuseAddress(true);
                probe.bind(new java.net.InetSocketAddress(address.host(), address.port()));
            } catch (java.io.IOException e) {
                throw TroupeException.badInput("cannot listen on " + address + ": the address is in use (another "
                        + "troupe node?) or not this machine's (" + e.getMessage() + "); give another");
            }
        }

        /** Blocking: the lead's actor system, up as the cluster's first member. */
        <T> ActorSystem<T> start(Behavior<T> guardian, Config fallback) throws TroupeException {
            try {
                return ClusterNode.start(guardian, ClusterConfig.node(address, List.of(), ClusterConfig.Role.LEAD, key,
                        Duration.ofSeconds(30), fallback));
            } catch (ClusterException e) {
                throw TroupeException.badInput(e.getMessage());
            }
        }
    }
}
