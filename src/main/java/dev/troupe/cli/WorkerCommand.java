package dev.troupe.cli;

import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.ClusterEvent;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Subscribe;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.troupe.agent.LiveAgents;
import dev.troupe.agent.Secrets;
import dev.troupe.cluster.ClusterConfig;
import dev.troupe.cluster.ClusterException;
import dev.troupe.cluster.ClusterKey;
import dev.troupe.cluster.ClusterNode;
import dev.troupe.cluster.NodeAddress;
import dev.troupe.git.GitException;
import dev.troupe.journal.Journal;
import dev.troupe.remote.NodeContext;
import dev.troupe.remote.NodeDesk;
import dev.troupe.remote.NodeRepository;
import dev.troupe.team.rules.Tuning;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code troupe worker --join HOST:PORT}: this machine offers agent slots to a lead ({@code troupe run --cluster}),
 * runs the tasks it sends in workspaces of its own repository under {@code --work-dir}; when the lead leaves it
 * waits for the next one (or, with {@code --once}, stops). API keys are this machine's own: nothing of them crosses
 * the cluster.
 */
@Command(name = "worker", description = "Offer this machine's agents to a lead: join `troupe run --cluster` and run "
        + "the tasks it sends (docs/cluster.md).")
final class WorkerCommand implements Callable<Integer> {

    @Option(names = "--join", required = true, paramLabel = "HOST:PORT", description = "the lead's --cluster address")
    String join;

    @Option(names = "--slots", paramLabel = "N", defaultValue = "2", description = "agents at once (default: 2)")
    int slots;

    @Option(names = "--work-dir", paramLabel = "DIR", required = true,
            description = "where this node keeps its repository, workspaces and journals")
    Path workDir;

    @Option(names = "--key", paramLabel = "FILE", description = "the cluster's key; needed unless all is on 127.0.0.1")
    Path key;

    @Option(names = "--listen", paramLabel = "HOST:PORT",
            description = "where this node listens (default: any free port, on 127.0.0.1 for a lead there, else on every interface)")
    String listen;

    @Option(names = "--join-timeout", paramLabel = "DURATION", defaultValue = "30s",
            description = "how long to wait for the lead (default: 30s)")
    String joinTimeout;

    @Option(names = "--once", description = "stop when the lead leaves, instead of waiting for the next one")
    boolean once;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws TroupeException {
        PrintWriter err = spec.commandLine().getErr();
        if (slots < 1) {
            throw TroupeException.badInput("--slots must be 1 or more, not " + slots);
        }
        Duration timeout = parseTimeout();
        Config config;
        NodeAddress lead;
        NodeRepository repository;
        try {
            lead = NodeAddress.parse(join, "--join");
            NodeAddress self = listen != null ? NodeAddress.parse(listen, "--listen")
                    : new NodeAddress(lead.isLoopback() ? "127.0.0.1" : "0.0.0.0", 0);
            Optional<ClusterKey> clusterKey = key == null ? Optional.empty() : Optional.of(ClusterKey.open(key));
            config = ClusterConfig.node(self, List.of(lead), ClusterConfig.Role.WORKER, clusterKey, timeout,
                    ConfigFactory.load());
            Files.createDirectories(workDir);
            repository = NodeRepository.open(workDir);
        } catch (ClusterException | GitException e) {
            throw TroupeException.badInput(e.getMessage());
        } catch (IOException e) {
            throw TroupeException.badInput("cannot make the work dir " + workDir + ": " + e.getMessage());
        }
        boolean joined = false;
        while (true) {
            Optional<Ending> ended = serve(config, repository, lead, err, joined);
            if (ended.isEmpty()) {
                return ExitCodes.INTERRUPTED;
            }
            joined = true;
            err.println("troupe: " + ended.get().message);
            if (once) {
                return ended.get() == Ending.LEAD_LEFT ? ExitCodes.OK : ExitCodes.TASKS_FAILED;
            }
            err.println("troupe: waiting for the next lead at " + lead + " (Ctrl-C stops this node)");
            err.flush();
        }
    }

    /** How a stint with one lead ended. */
    private enum Ending {
        LEAD_LEFT("the lead left the cluster (its run is over, or it stopped)"),
        LOST("this node and the lead lost sight of each other (the lead was killed, or this node or the network "
                + "stalled): this node's agents are stopped, and what they ran is run again by the lead's other "
                + "workers, or by troupe resume");

        final String message;

        Ending(String message) {
            this.message = message;
        }
    }

    /**
     * Joins the lead and works for it until the lead goes or this node is taken out; empty once interrupted. After
     * the first stint, a lead that is not there yet is waited for, a join timeout at a time.
     */
    private Optional<Ending> serve(Config config, NodeRepository repository, NodeAddress lead, PrintWriter err,
            boolean waitForLead) throws TroupeException {
        LiveAgents agents = new LiveAgents();
        Tuning tuning = Tuning.from(config);
        AtomicReference<Ending> ending = new AtomicReference<>(Ending.LOST);
        // The lead enlists a node it sees up, which may be before the node sees itself up: a lead lost in between
        // ends a stint that began, not a join that failed.
        AtomicBoolean enlisted = new AtomicBoolean();
        RunSession<ClusterEvent.MemberRemoved> session = null;
        while (session == null) {
            try {
                session = RunSession.start(agents, tuning.killGrace(),
                        () -> ClusterNode.start(guardian(repository, agents, tuning, ending, enlisted), config));
            } catch (ClusterException e) {
                if (enlisted.get()) {
                    agents.stopAll(tuning.killGrace());
                    return Optional.of(Ending.LOST);
                }
                if (!waitForLead || !e.getMessage().startsWith("could not join")) {
                    throw TroupeException.badInput(e.getMessage());
                }
            }
            if (Thread.currentThread().isInterrupted()) {
                return Optional.empty();
            }
        }
        err.printf("troupe: worker node %s joined the lead at %s with %d %s (work dir %s)%n",
                session.system().address().hostPort(), lead, slots, slots == 1 ? "slot" : "slots",
                workDir.toAbsolutePath());
        err.flush();
        // However the stint ends (the lead gone, this node downed, SIGTERM or Ctrl-C), the session's shutdown stops
        // the node's agents before its actor system is gone.
        session.awaitEnd();
        if (Thread.currentThread().isInterrupted()) {
            agents.stopAll(tuning.killGrace());
            return Optional.empty();
        }
        // A JVM that is exiting (Ctrl-C, SIGTERM) serves no further lead.
        return session.interrupted() ? Optional.empty() : Optional.of(ending.get());
    }

    /**
     * The node's guardian: its desk for the lead, and the end of the stint when the lead leaves the cluster (its
     * removal, a cluster event, is all it takes).
     */
    private Behavior<ClusterEvent.MemberRemoved> guardian(NodeRepository repository, LiveAgents agents,
            Tuning tuning, AtomicReference<Ending> ending, AtomicBoolean enlisted) {
        return Behaviors.setup(context -> {
            NodeContext node = new NodeContext(context.getSystem(), workDir.toAbsolutePath(), repository, agents,
                    Secrets.fromEnvironment(), context.getSystem().dispatchers()
                            .lookup(DispatcherSelector.fromConfig(Journal.BLOCKING_DISPATCHER)), tuning);
            context.spawn(NodeDesk.create(node, context.getSystem().address().hostPort(), slots,
                    () -> enlisted.set(true)), "desk");
            Cluster.get(context.getSystem()).subscriptions().tell(Subscribe.create(context.getSelf(),
                    ClusterEvent.MemberRemoved.class));
            return Behaviors.receive(ClusterEvent.MemberRemoved.class)
                    .onMessage(ClusterEvent.MemberRemoved.class, removed -> {
                        if (removed.member().hasRole(ClusterConfig.Role.LEAD.roleName())) {
                            // A lead that leaves goes through Exiting; one that is lost does not.
                            ending.set(removed.previousStatus() == MemberStatus.exiting() ? Ending.LEAD_LEFT
                                    : Ending.LOST);
                            // The system's shutdown stops the agents, off this actor.
                            context.getSystem().terminate();
                        }
                        return Behaviors.same();
                    })
                    .build();
        });
    }

    private Duration parseTimeout() throws TroupeException {
        try {
            Optional<Duration> parsed = dev.troupe.goal.Durations.parse(joinTimeout);
            if (parsed.isPresent() && !parsed.get().isZero() && !parsed.get().isNegative()) {
                return parsed.get();
            }
        } catch (RuntimeException e) {
            // Said below.
        }
        throw TroupeException.badInput("--join-timeout '" + joinTimeout + "' is not a duration such as 30s");
    }
}
