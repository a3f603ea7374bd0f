package dev.troupe.cli;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.ChildFailed;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import dev.troupe.journal.RunOutcome;
import dev.troupe.remote.NodeScout;
import dev.troupe.team.TeamLead;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The guardian of a lead's actor system: told to {@link Start}, it spawns the team lead (and in a cluster the
 * lookout for worker nodes) and watches it, so that a lead that fails ends the run with its cause instead of leaving
 * it waiting. The run is told in {@code finished}: the lead's outcome, or why there is none.
 */
final class RunGuardian {

    private RunGuardian() {}

    sealed interface Command {}

    /**
     * The run is ready (its journal open, its context made on this actor system): {@code lead} runs it and tells its
     * outcome to the ref it is given; {@code scout}, given the lead, finds the cluster's nodes.
     */
    record Start(Function<ActorRef<RunOutcome>, Behavior<TeamLead.Command>> lead,
            Optional<Function<ActorRef<TeamLead.Command>, Behavior<NodeScout.Command>>> scout) implements Command {}

    /** The lead's outcome, through the guardian's message adapter. */
    private record Finished(RunOutcome outcome) implements Command {}

    static Behavior<Command> create(CompletableFuture<RunOutcome> finished) {
        return Behaviors.receive(Command.class)
                .onMessage(Start.class, start -> Behaviors.setup(context -> running(context, start, finished)))
                .build();
    }

    private static Behavior<Command> running(ActorContext<Command> context, Start start,
            CompletableFuture<RunOutcome> finished) {
        ActorRef<RunOutcome> outcomes = context.messageAdapter(RunOutcome.class, Finished::new);
        ActorRef<TeamLead.Command> lead = context.spawn(start.lead().apply(outcomes), "lead");
        context.watch(lead);
        start.scout().ifPresent(nodes -> context.spawn(nodes.apply(lead), "nodes"));
        return Behaviors.receive(Command.class)
                .onMessage(Finished.class, done -> {
                    finished.complete(done.outcome());
                    return Behaviors.same();
                })
                .onSignal(ChildFailed.class, failed -> {
                    finished.completeExceptionally(failed.cause());
                    return Behaviors.stopped();
                })
                .onSignal(Terminated.class, stopped -> {
                    finished.completeExceptionally(new IllegalStateException("the team lead stopped"));
                    return Behaviors.stopped();
                })
                .build();
    }
}
