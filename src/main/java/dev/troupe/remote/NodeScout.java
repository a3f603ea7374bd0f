package dev.troupe.remote;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.receptionist.Receptionist;
import akka.stream.SinkRef;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.StreamRefs;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.troupe.journal.Json;
import dev.troupe.journal.TeamEvent;
import dev.troupe.team.rules.RunContext;
import dev.troupe.team.TeamLead;
import dev.troupe.team.WorkerProtocol;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lead's lookout for worker nodes: it follows the Receptionist's list of nodes, enlists each new one for the
 * run (its journal lines streaming into the run's journal) and hands its slots to the team lead as
 * {@link RemoteWorker}s. A node that goes is noticed by those workers, which watch it.
 */
public final class NodeScout extends AbstractBehavior<NodeScout.Command> {

    /** What the scout hears; nobody else tells it anything. */
    public sealed interface Command {}

    /** The Receptionist's list of nodes, through the scout's message adapter. */
    private record Listed(Receptionist.Listing listing) implements Command {}

    private record Offered(ActorRef<NodeProtocol.ToNode> node, NodeProtocol.Enlisted offer) implements Command {}

    private record NotEnlisted(ActorRef<NodeProtocol.ToNode> node, Throwable failure) implements Command {}

    private record Gone(ActorRef<NodeProtocol.ToNode> node) implements Command {}

    /** Time to ask a node again that did not answer in time. */
    private record AskAgain(ActorRef<NodeProtocol.ToNode> node) implements Command {}

    private static final Logger LOG = LoggerFactory.getLogger(NodeScout.class);

    /** How long a node has to answer; one that does not is asked again later. */
    private static final Duration ENLIST_TIMEOUT = Duration.ofSeconds(30);
    /** How long after a node's first unanswered enlisting it is asked again; the wait doubles each time. */
    private static final Duration FIRST_ASK_AGAIN = Duration.ofSeconds(5);
    private static final Duration LONGEST_ASK_AGAIN = Duration.ofMinutes(1);

    private final RunContext run;
    private final ActorRef<TeamLead.Command> lead;
    private final TimerScheduler<Command> timers;
    private final Duration enlistTimeout;
    private final Duration firstAskAgain;
    /** The nodes enlisted (or being), by their desk, with the name the run gives each. */
    private final Map<ActorRef<NodeProtocol.ToNode>, String> nodes = new HashMap<>();
    /** The nodes the Receptionist lists now. */
    private final Set<ActorRef<NodeProtocol.ToNode>> listed = new HashSet<>();
    /** How long to wait before asking again each node that has not answered yet. */
    private final Map<ActorRef<NodeProtocol.ToNode>, Duration> askAgainIn = new HashMap<>();
    /** The nodes asked to the run whose answer (or its timeout) has not come yet. */
    private final Set<ActorRef<NodeProtocol.ToNode>> asking = new HashSet<>();

    private NodeScout(ActorContext<Command> context, RunContext run, ActorRef<TeamLead.Command> lead,
            TimerScheduler<Command> timers, Duration enlistTimeout, Duration firstAskAgain) {
        super(context);
        this.run = run;
        this.lead = lead;
        this.timers = timers;
        this.enlistTimeout = enlistTimeout;
        this.firstAskAgain = firstAskAgain;
        ActorRef<Receptionist.Listing> listings = context.messageAdapter(Receptionist.Listing.class, Listed::new);
        context.getSystem().receptionist().tell(Receptionist.subscribe(NodeProtocol.NODES, listings));
    }

    public static Behavior<Command> create(RunContext run, ActorRef<TeamLead.Command> lead) {
        return create(run, lead, ENLIST_TIMEOUT, FIRST_ASK_AGAIN);
    }

    /** The same, with how long a node has to answer and how soon one that did not is asked again. */
    static Behavior<Command> create(RunContext run, ActorRef<TeamLead.Command> lead, Duration enlistTimeout,
            Duration firstAskAgain) {
        return Behaviors.withTimers(timers -> Behaviors.setup(context -> new NodeScout(context, run, lead, timers,
                enlistTimeout, firstAskAgain)));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Listed.class, listed -> onListing(listed.listing()))
                .onMessage(Offered.class, this::onOffered)
                .onMessage(Gone.class, gone -> {
                    run.journal().append(new TeamEvent.NodeLost(java.time.Instant.now(), nodes.get(gone.node()),
                            gone.node().path().address().toString(), null));
                    return Behaviors.same();
                })
                .onMessage(NotEnlisted.class, this::onNotEnlisted)
                .onMessage(AskAgain.class, this::onAskAgain)
                .build();
    }

    /**
     * A node newly listed is asked to the run; one that has not answered yet and is listed again (the Receptionist
     * leaves out a node while it is unreachable) is asked again at once unless an ask or a wait is under way.
     */
    private Behavior<Command> onListing(Receptionist.Listing listing) {
        listed.clear();
        listed.addAll(listing.getServiceInstances(NodeProtocol.NODES));
        for (ActorRef<NodeProtocol.ToNode> node : listed) {
            if (!nodes.containsKey(node)) {
                nodes.put(node, "node" + (nodes.size() + 1));
                askAgainIn.put(node, firstAskAgain);
                enlist(node);
            } else if (askAgainIn.containsKey(node) && !asking.contains(node) && !timers.isTimerActive(node)) {
                enlist(node);
            }
        }
        return Behaviors.same();
    }

    /** A node still waiting to be asked again: asked now if it is listed; else when it is listed again. */
    private Behavior<Command> onAskAgain(AskAgain again) {
        if (listed.contains(again.node()) && askAgainIn.containsKey(again.node())) {
            enlist(again.node());
        }
        return Behaviors.same();
    }

    /**
     * A node that did not answer in time (busy, its disk slow, a message lost) is asked again while the Receptionist
     * still lists it, after a wait that doubles up to a minute.
     */
    private Behavior<Command> onNotEnlisted(NotEnlisted not) {
        asking.remove(not.node());
        Duration wait = askAgainIn.get(not.node());
        if (wait == null || !listed.contains(not.node())) {
            return Behaviors.same();
        }
        LOG.warn("{} at {} did not take the run's work ({}); it is asked again in {} s", nodes.get(not.node()),
                not.node().path().address(), not.failure().getMessage(), wait.toSeconds());
        askAgainIn.put(not.node(), wait.multipliedBy(2).compareTo(LONGEST_ASK_AGAIN) > 0 ? LONGEST_ASK_AGAIN
                : wait.multipliedBy(2));
        timers.startSingleTimer(not.node(), new AskAgain(not.node()), wait);
        return Behaviors.same();
    }

    private void enlist(ActorRef<NodeProtocol.ToNode> node) {
        asking.add(node);
        String name = nodes.get(node);
        SinkRef<String> events = StreamRefs.<String>sinkRef()
                .batch(256, line -> new ArrayList<>(List.of(line)), (lines, line) -> {
                    lines.add(line);
                    return lines;
                })
                .mapAsync(1, lines -> run.journal().appendAll(read(lines, name)))
                .to(Sink.ignore())
                .run(getContext().getSystem());
        // An ask, not a message adapter: an adapter is one per message class, and would take every node's offer
        // for the last node's.
        getContext().ask(NodeProtocol.Enlisted.class, node, enlistTimeout,
                replyTo -> new NodeProtocol.Enlist(run.runId(), events, replyTo),
                (offer, failure) -> failure == null ? new Offered(node, offer) : new NotEnlisted(node, failure));
        LOG.info("{} at {} is asked to work for run {}", name, node.path().address(), run.runId());
    }

    /**
     * A node's journal lines as events, its workers named as the run names them ({@code worker-2} there is
     * {@code node1-worker-2} here). Only what a node's workers journal is taken: a node never decides the run's
     * course (a task's success, a merge, the run's end). A line that cannot be read is dropped, with a warning.
     */
    static List<TeamEvent> read(List<String> lines, String node) {
        List<TeamEvent> events = new ArrayList<>(lines.size());
        for (String line : lines) {
            try {
                TeamEvent event = Json.MAPPER.readValue(line, TeamEvent.class);
                if (event instanceof TeamEvent.AgentStarted || event instanceof TeamEvent.AgentOutput
                        || event instanceof TeamEvent.AgentRetry) {
                    events.add(event);
                } else if (event instanceof TeamEvent.SetupStarted e) {
                    events.add(new TeamEvent.SetupStarted(e.time(), node + "-" + e.worker(), node + "-" + e.workspace(),
                            e.task(), e.command(), e.log()));
                } else if (event instanceof TeamEvent.SetupDone e) {
                    events.add(new TeamEvent.SetupDone(e.time(), node + "-" + e.worker(), node + "-" + e.workspace(),
                            e.task(), e.durationMs(), e.exitCode(), e.failure(), e.log()));
                } else if (event instanceof TeamEvent.WorkspaceLeftovers e) {
                    events.add(new TeamEvent.WorkspaceLeftovers(e.time(), node + "-" + e.worker(),
                            node + "-" + e.workspace(), e.branch()));
                } else {
                    LOG.warn("{} sent a {} for the run's journal, which only the lead writes; it is left out", node,
                            event.getClass().getSimpleName());
                }
            } catch (JsonProcessingException e) {
                LOG.warn("a journal line of {} could not be read, and is left out: {}", node, e.getOriginalMessage());
            }
        }
        return events;
    }

    private Behavior<Command> onOffered(Offered offered) {
        asking.remove(offered.node());
        String name = nodes.get(offered.node());
        if (name == null || askAgainIn.remove(offered.node()) == null || offered.offer().slots() <= 0) {
            return Behaviors.same();
        }
        RemoteWorker.NodeHaves haves = new RemoteWorker.NodeHaves(offered.offer().haves());
        NodeHealth health = new NodeHealth(name);
        List<Behavior<WorkerProtocol.Command>> slots = new ArrayList<>();
        for (int slot = 0; slot < offered.offer().slots(); slot++) {
            slots.add(RemoteWorker.create(run, offered.node(), slot, haves, health));
        }
        getContext().watchWith(offered.node(), new Gone(offered.node()));
        lead.tell(new TeamLead.SlotsOffered(name, offered.offer().node(), slots));
        return Behaviors.same();
    }
}
