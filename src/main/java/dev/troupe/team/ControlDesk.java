package dev.troupe.team;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lead's ear for {@code troupe stop} and its kin: looks into the run's {@link ControlChannel} twice a second
 * (off the actor, on the blocking executor), hands each request to the lead, and writes the lead's answer back.
 */
final class ControlDesk extends AbstractBehavior<ControlDesk.Command> {

    interface Command {}

    /** The lead's answer to request {@code id}. */
    record Answer(String id, ControlChannel.Reply reply) implements Command {}

    private record Look() implements Command {}

    private record Taken(List<ControlChannel.Request> requests, Throwable failure) implements Command {}

    static final Duration INTERVAL = Duration.ofMillis(500);

    private static final Logger LOG = LoggerFactory.getLogger(ControlDesk.class);

    private final ControlChannel channel;
    private final ActorRef<TeamLead.Command> lead;
    private final Executor blocking;
    private boolean looking;

    private ControlDesk(ActorContext<Command> context, TimerScheduler<Command> timers, ControlChannel channel,
            ActorRef<TeamLead.Command> lead, Executor blocking) {
        super(context);
        this.channel = channel;
        this.lead = lead;
        this.blocking = blocking;
        timers.startTimerWithFixedDelay(new Look(), INTERVAL);
    }

    static Behavior<Command> create(ControlChannel channel, ActorRef<TeamLead.Command> lead, Executor blocking) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers ->
                new ControlDesk(context, timers, channel, lead, blocking)));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Look.class, look -> look())
                .onMessage(Taken.class, this::onTaken)
                .onMessage(Answer.class, this::onAnswer)
                .build();
    }

    private Behavior<Command> look() {
        if (!looking) {
            looking = true;
            getContext().pipeToSelf(Blocking.call(blocking, channel::take), Taken::new);
        }
        return this;
    }

    private Behavior<Command> onTaken(Taken taken) {
        looking = false;
        if (taken.failure() != null) {
            LOG.warn("cannot read the run's control requests: {}", Blocking.describe(taken.failure()));
            return this;
        }
        taken.requests().forEach(request -> lead.tell(new TeamLead.Control(request, getContext().getSelf())));
        return this;
    }

    private Behavior<Command> onAnswer(Answer answer) {
        Blocking.call(blocking, () -> {
            channel.reply(answer.id(), answer.reply());
            return null;
        }).whenComplete((done, failure) -> {
            if (failure != null) {
                LOG.warn("cannot answer control request {}: {}", answer.id(), Blocking.describe(failure));
            }
        });
        return this;
    }
}
