package dev.troupe.team;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import dev.troupe.team.WorkerProtocol.Message;
import java.util.Optional;

/**
 * What a {@link Worker} does with a {@code troupe tell} in each of its states: kept for an agent being launched,
 * said to the agent at work when it takes live input, and otherwise answered at once with why not. Every tell is
 * answered, heard or not. Confined to its worker.
 */
final class WorkerTells {

    /** Why a message told to an agent whose attempt is over did not reach it. */
    static final String ENDED = "its agent's attempt ended before it took the message in";

    private final ActorRef<WorkerProtocol.Command> worker;
    private final String name;

    WorkerTells(ActorRef<WorkerProtocol.Command> worker, String name) {
        this.worker = worker;
        this.name = name;
    }

    Behavior<Message> whileIdle(WorkerProtocol.Tell tell) {
        return notHeard(tell, null, "no agent of task '" + tell.taskId() + "' runs on " + name + " now");
    }

    /** Said once the agent has its prompt ({@link #started}); answered as not heard if it never starts. */
    Behavior<Message> whileLaunching(WorkerAttempt attempt, WorkerProtocol.Tell tell) {
        attempt.toldEarly.add(tell);
        return Behaviors.same();
    }

    /** The agent has its prompt: what came while it was launched is said now. */
    void started(WorkerAttempt attempt) {
        attempt.toldEarly.forEach(tell -> whileRunning(attempt, tell));
        attempt.toldEarly.clear();
    }

    /** The agent could not be started. */
    void notStarted(WorkerAttempt attempt) {
        attempt.toldEarly.forEach(tell -> notHeard(tell, attempt, "its agent could not be started"));
        attempt.toldEarly.clear();
    }

    /** Said now, if the agent at work takes live input and works on that task as its writer. */
    Behavior<Message> whileRunning(WorkerAttempt attempt, WorkerProtocol.Tell tell) {
        Optional<String> whyNot = attempt.whyNotTold(tell, name);
        if (whyNot.isPresent()) {
            return notHeard(tell, attempt, whyNot.get());
        }
        attempt.conversation.tell(tell);
        return Behaviors.same();
    }

    Behavior<Message> afterTheEnd(WorkerAttempt attempt, WorkerProtocol.Tell tell) {
        return notHeard(tell, attempt, ENDED);
    }

    /** The attempt is decided: what its agent was told and never took in is answered so. */
    void ended(WorkerAttempt attempt) {
        attempt.conversation.unheardTells().forEach(tell -> afterTheEnd(attempt, tell));
    }

    private Behavior<Message> notHeard(WorkerProtocol.Tell tell, WorkerAttempt attempt, String reason) {
        tell.notHeard(worker, attempt != null ? attempt.id() : null, reason);
        return Behaviors.same();
    }
}
