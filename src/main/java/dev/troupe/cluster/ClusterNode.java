package dev.troupe.cluster;

import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Adapter;
import akka.cluster.Cluster;
import com.typesafe.config.Config;
import java.net.BindException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Starts a node of a troupe cluster and waits until it is a member: the lead (no seed nodes) makes the cluster by
 * joining itself, any other node joins the lead. Every way this can fail is one clear {@link ClusterException}: an
 * address in use, nobody answering (or refusing this node's key) within the join timeout, another troupe version.
 */
public final class ClusterNode {

    private ClusterNode() {}

    /**
     * Blocking: the node's actor system, up in the cluster.
     *
     * @param config from {@link ClusterConfig#node}, whose join timeout also bounds the wait here
     */
    public static <T> ActorSystem<T> start(Behavior<T> guardian, Config config) throws ClusterException {
        String where = config.getString("akka.remote.artery.canonical.hostname") + ":"
                + config.getInt("akka.remote.artery.canonical.port");
        List<String> seeds = config.getStringList("akka.cluster.seed-nodes");
        Duration joinTimeout = config.getDuration("akka.cluster.shutdown-after-unsuccessful-join-seed-nodes");
        ActorSystem<T> system;
        try {
            system = ActorSystem.create(guardian, ClusterConfig.SYSTEM, config);
        } catch (RuntimeException e) {
            if (causedBy(e, BindException.class)) {
                throw new ClusterException("cannot listen on " + where + ": the address is in use (another troupe "
                        + "node?); give another port");
            }
            throw new ClusterException("cannot start a cluster node on " + where + ": " + e.getMessage());
        }
        Cluster cluster = Cluster.get(Adapter.toClassic(system));
        CompletableFuture<Void> up = new CompletableFuture<>();
        cluster.registerOnMemberUp(() -> up.complete(null));
        if (seeds.isEmpty()) {
            cluster.join(cluster.selfAddress());
        }
        CompletableFuture<Object> ended = CompletableFuture.anyOf(up, system.getWhenTerminated().toCompletableFuture());
        try {
            ended.get(joinTimeout.toMillis() + 30_000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            system.terminate();
            throw new ClusterException("the node on " + where + " did not come up: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            system.terminate();
            throw new ClusterException("interrupted while the node on " + where + " joined");
        }
        if (!up.isDone()) {
            throw refused(system, config, seeds, joinTimeout);
        }
        try {
            awaitOwnViewUp(cluster);
        } catch (ClusterException e) {
            system.terminate();
            throw e;
        }
        return system;
    }

    /**
     * The member-up callback can run before the node's own view of the cluster (what {@code selfMember()} reads)
     * has caught up; callers read that view, so wait the moment it takes.
     */
    private static void awaitOwnViewUp(Cluster cluster) throws ClusterException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (cluster.selfMember().status() != akka.cluster.MemberStatus.up()) {
            if (System.nanoTime() > deadline) {
                throw new ClusterException("the node on " + cluster.selfAddress() + " joined, yet does not see itself up");
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ClusterException("interrupted while the node on " + cluster.selfAddress() + " joined");
            }
        }
    }

    private static ClusterException refused(ActorSystem<?> system, Config config, List<String> seeds,
            Duration joinTimeout) {
        Optional<CoordinatedShutdown.Reason> reason = CoordinatedShutdown.get(Adapter.toClassic(system)).getShutdownReason();
        Optional<String> versions = VersionCheck.refusal(config.getString(VersionCheck.NODE));
        String lead = seeds.isEmpty() ? "itself" : seeds.get(0).substring(seeds.get(0).indexOf('@') + 1);
        if (versions.isPresent()) {
            return new ClusterException("refused by the lead at " + lead + ": " + versions.get());
        }
        if (reason.isPresent() && reason.get() == CoordinatedShutdown.incompatibleConfigurationDetectedReason()) {
            return new ClusterException("refused by the lead at " + lead + ": its settings differ from this node's "
                    + "(is it the same troupe version?)");
        }
        return new ClusterException("could not join the lead at " + lead + " within " + joinTimeout.toSeconds()
                + " s: nothing answered there (is `troupe run --cluster` running, and the port open?), or it refused "
                + "this node's key (every node needs the same --key file)");
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause) || (cause.getMessage() != null && cause.getMessage().contains("Address already in use"))) {
                return true;
            }
        }
        return false;
    }
}
