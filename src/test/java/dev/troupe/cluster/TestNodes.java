package dev.troupe.cluster;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.cluster.typed.Cluster;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Real nodes of a cluster in this JVM, on 127.0.0.1 (any free port), all stopped by {@link #close}. */
final class TestNodes implements AutoCloseable {

    private final List<ActorSystem<?>> systems = new ArrayList<>();

    /** A node that joins {@code join}'s cluster, or (none) starts one, as {@code role}. */
    <T> ActorSystem<T> start(Behavior<T> behavior, ClusterConfig.Role role, Optional<ActorSystem<?>> join,
            Optional<ClusterKey> key, Duration joinTimeout) throws ClusterException {
        List<NodeAddress> seeds = join.map(lead -> List.of(addressOf(lead))).orElse(List.of());
        return start(behavior, ClusterConfig.node(new NodeAddress("127.0.0.1", 0), seeds, role, key, joinTimeout,
                ConfigFactory.load()));
    }

    <T> ActorSystem<T> start(Behavior<T> behavior, Config config) throws ClusterException {
        ActorSystem<T> system = ClusterNode.start(behavior, config);
        systems.add(system);
        return system;
    }

    static NodeAddress addressOf(ActorSystem<?> system) {
        akka.actor.Address address = Cluster.get(system).selfMember().address();
        return new NodeAddress(address.getHost().get(), (Integer) address.getPort().get());
    }

    @Override
    public void close() throws Exception {
        systems.forEach(ActorSystem::terminate);
        for (ActorSystem<?> system : systems) {
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }
}
