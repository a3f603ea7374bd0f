package dev.troupe.remote;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.receptionist.Receptionist;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker node's face to the cluster: registered with the Receptionist under {@link NodeProtocol#NODES}, it
 * offers the node's slots to the lead that enlists it and passes each attempt to its slot's {@link NodeSlot}.
 */
public final class NodeDesk extends AbstractBehavior<NodeProtocol.AtDesk> {

    /** A run's folder and journal are open here (null when they already were), and what the node has. */
    private record Opened(NodeProtocol.Enlist enlist, NodeRun run, java.util.List<String> haves)
            implements NodeProtocol.AtDesk {}

    private static final Logger LOG = LoggerFactory.getLogger(NodeDesk.class);

    private final NodeContext node;
    private final String nodeName;
    private final int slots;
    private final Runnable onEnlisted;
    private final Map<String, NodeRun> runs = new HashMap<>();
    /** The runs whose folder and journal are being opened, and the latest call to each that came meanwhile. */
    private final Set<String> opening = new HashSet<>();
    private final Map<String, NodeProtocol.Enlist> waiting = new HashMap<>();
    private static final long CLOSE_TIMEOUT_SECONDS = 30;
    private final Map<String, ActorRef<NodeSlot.Command>> slotActors = new HashMap<>();

    private NodeDesk(ActorContext<NodeProtocol.AtDesk> context, NodeContext node, String nodeName,
            int slots, Runnable onEnlisted) {
        super(context);
        this.onEnlisted = onEnlisted;
        this.node = node;
        this.nodeName = nodeName;
        this.slots = slots;
        context.getSystem().receptionist().tell(Receptionist.register(NodeProtocol.NODES,
                context.getSelf().<NodeProtocol.ToNode>narrow()));
    }

    /**
     * @param nodeName how the node calls itself (its address), for the lead's journal
     * @param slots how many agents the node runs at once
     * @param onEnlisted told each time a lead enlists the node (on the actor: it must not block)
     */
    public static Behavior<NodeProtocol.ToNode> create(NodeContext node, String nodeName, int slots,
            Runnable onEnlisted) {
        return Behaviors.<NodeProtocol.AtDesk>setup(context -> new NodeDesk(context, node, nodeName, slots,
                onEnlisted)).narrow();
    }

    @Override
    public Receive<NodeProtocol.AtDesk> createReceive() {
        return newReceiveBuilder()
                .onMessage(NodeProtocol.Enlist.class, this::onEnlist)
                .onMessage(Opened.class, this::onOpened)
                .onMessage(NodeProtocol.RunAttempt.class, this::onRunAttempt)
                .onMessage(NodeProtocol.CancelAttempt.class, this::onCancel)
                .onMessage(NodeProtocol.TellAgent.class, this::onTell)
                .onSignal(PostStop.class, stop -> {
                    runs.values().forEach(NodeRun::close);
                    return Behaviors.same();
                })
                .build();
    }

    /**
     * The lead enlists the node for a run. Asked again for a run whose slots have had no attempt yet (the lead asks
     * again when the first answer came too late for it), the run's journal is opened anew, streaming to the lead's
     * new sink: the lead gave up on the first.
     */
    private Behavior<NodeProtocol.AtDesk> onEnlist(NodeProtocol.Enlist enlist) {
        onEnlisted.run();
        String runId = enlist.runId();
        if (!opening.add(runId)) {
            // One opening of a run at a time; of the calls that come meanwhile, the latest is taken after it.
            waiting.put(runId, enlist);
            return Behaviors.same();
        }
        boolean used = slotActors.keySet().stream().anyMatch(key -> key.startsWith(runId + "/"));
        NodeRun earlier = used ? null : runs.remove(runId);
        boolean keep = runs.containsKey(runId);
        // Off the actor: opening the run's folder and journal, and asking git what the node has.
        getContext().pipeToSelf(dev.troupe.team.Blocking.call(node.blocking(), () -> {
            if (earlier != null) {
                earlier.close().toCompletableFuture().get(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
            return new Opened(enlist, keep ? null : NodeRun.open(runId, enlist.events(), node), node.repository().has());
        }), (opened, failure) -> failure == null ? opened : new Opened(enlist, null, null));
        return Behaviors.same();
    }

    private Behavior<NodeProtocol.AtDesk> onOpened(Opened opened) {
        String runId = opened.enlist().runId();
        opening.remove(runId);
        NodeProtocol.Enlist later = waiting.remove(runId);
        if (later != null) {
            getContext().getSelf().tell(later);
        }
        if (opened.haves() == null) {
            LOG.error("cannot work for run {}: its folder, journal or repository could not be opened", runId);
            return Behaviors.same();
        }
        if (opened.run() != null && runs.putIfAbsent(runId, opened.run()) != null) {
            opened.run().close();
        }
        opened.enlist().replyTo().tell(new NodeProtocol.Enlisted(nodeName, slots, opened.haves()));
        LOG.info("enlisted by the lead for run {} with {} slots", runId, slots);
        return Behaviors.same();
    }

    private Behavior<NodeProtocol.AtDesk> onRunAttempt(NodeProtocol.RunAttempt request) {
        NodeRun run = runs.get(request.runId());
        if (run == null || request.slot() < 0 || request.slot() >= slots) {
            request.replyTo().tell(NodeProtocol.Answer.nodesFault(getContext().getSystem().ignoreRef(), request,
                    "the node was not enlisted for run " + request.runId() + " with slot " + (request.slot() + 1),
                    null));
            return Behaviors.same();
        }
        slotActors.computeIfAbsent(request.runId() + "/" + request.slot(), key -> getContext().spawn(
                NodeSlot.create(run, node, request.slot()), "run-" + request.runId() + "-slot-" + (request.slot() + 1)))
                .tell(new NodeSlot.Attempt(request));
        return Behaviors.same();
    }

    private Behavior<NodeProtocol.AtDesk> onTell(NodeProtocol.TellAgent tell) {
        ActorRef<NodeSlot.Command> slot = slotActors.get(tell.runId() + "/" + tell.slot());
        if (slot != null) {
            slot.tell(new NodeSlot.Tell(tell));
        }
        return Behaviors.same();
    }

    private Behavior<NodeProtocol.AtDesk> onCancel(NodeProtocol.CancelAttempt cancel) {
        ActorRef<NodeSlot.Command> slot = slotActors.get(cancel.runId() + "/" + cancel.slot());
        if (slot != null) {
            slot.tell(new NodeSlot.Cancel());
        }
        return Behaviors.same();
    }
}
