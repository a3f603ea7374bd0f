package dev.troupe.team;

import akka.actor.typed.ActorRef;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.troupe.journal.Usage;
import dev.troupe.team.rules.Assignment;
import dev.troupe.team.rules.AttemptResult;

/**
 * What a worker and the team lead say to each other, whichever worker it is: a {@link Worker} here, a
 * {@code RemoteWorker} for a slot of another node, and the {@link Worker} in that slot there. A worker takes the
 * {@link Command}s, one attempt at a time, and answers each {@link Assign} with {@link Report}s to its
 * {@code replyTo}. The reports cross the cluster as they are (inside the node's answer), so they hold no credential.
 */
public interface WorkerProtocol {

    /** Everything a worker actor takes: the {@link Command}s, and each kind of worker's own private messages. */
    interface Message {}

    /** What others tell a worker. */
    sealed interface Command extends Message permits Assign, Cancel, Tell {}

    /** Run {@code assignment}, and tell {@code replyTo} how it went. */
    record Assign(Assignment assignment, ActorRef<Report> replyTo) implements Command {}

    /** {@code troupe cancel}: stop the attempt under way, which then fails as cancelled. */
    record Cancel() implements Command {}

    /**
     * {@code troupe tell}: say {@code text} to the agent at work on {@code taskId} now, if it takes live input;
     * {@code redirect}: cut its turn under way short first. Answered with {@link MessageHeard} once the agent took it
     * in, or {@link MessageNotHeard}.
     */
    record Tell(String taskId, String messageId, String text, boolean redirect, ActorRef<Report> replyTo)
            implements Command {

        /**
         * Answers that {@code worker} could not say it, for {@code reason}; {@code attempt} is the one it runs, or null
         * when it runs none.
         */
        public void notHeard(ActorRef<Command> worker, AttemptId attempt, String reason) {
            replyTo.tell(new MessageNotHeard(worker, attempt != null ? attempt
                    : new AttemptId(taskId, 0, Assignment.Role.WRITER), messageId, reason));
        }
    }

    /**
     * Which attempt a report is of. {@code role}: whose run it was: the task's writer, its reviewer, a judge or the
     * planner.
     */
    record AttemptId(String taskId, int attempt, Assignment.Role role) {

        public static AttemptId of(Assignment assignment) {
            return new AttemptId(assignment.task().id(), assignment.attempt(), assignment.role());
        }
    }

    /** What an attempt spent, as far as its agent reported it. */
    record Spend(double costUsd, Usage usage) {

        public static final Spend NONE = new Spend(0, Usage.NONE);
    }

    /**
     * What a worker says of an attempt. Each names the worker and the attempt, so a report that comes after its
     * attempt was given up can be told apart.
     */
    @JsonTypeInfo(use = JsonTypeInfo.Id.SIMPLE_NAME)
    @JsonSubTypes({@JsonSubTypes.Type(AttemptSucceeded.class), @JsonSubTypes.Type(AttemptFailed.class),
            @JsonSubTypes.Type(SetupFailed.class), @JsonSubTypes.Type(ApiPressure.class),
            @JsonSubTypes.Type(MessageHeard.class), @JsonSubTypes.Type(MessageNotHeard.class)})
    sealed interface Report permits AttemptSucceeded, AttemptFailed, SetupFailed, ApiPressure, MessageHeard,
            MessageNotHeard {

        ActorRef<Command> worker();

        AttemptId attempt();

        /** The same report, as {@code worker} says it (a node's worker's, passed on by the lead's worker for it). */
        Report from(ActorRef<Command> worker);
    }

    record AttemptSucceeded(ActorRef<Command> worker, AttemptId attempt, AttemptResult result) implements Report {

        @Override
        public AttemptSucceeded from(ActorRef<Command> worker) {
            return new AttemptSucceeded(worker, attempt, result);
        }
    }

    /**
     * {@code rateLimited}: the API refused it (429) or was overloaded (529), which is no fault of the task;
     * {@code retryAfterMs}: how long the agent last said to wait for that (-1 or 0: it did not say).
     * {@code nodesFault}: it ended for its worker node's own reason (a bundle not taken in or handed back, a node
     * that never answered), no fault of the task's either: the attempt is free.
     */
    record AttemptFailed(ActorRef<Command> worker, AttemptId attempt, String reason, Spend spend, boolean rateLimited,
            boolean nodesFault, long retryAfterMs) implements Report {

        /** An attempt a node could not run or hand back: nothing spent, and free. */
        public static AttemptFailed nodesFault(ActorRef<Command> worker, AttemptId attempt, String reason) {
            return new AttemptFailed(worker, attempt, reason, Spend.NONE, false, true, 0);
        }

        /** An attempt that ended before its agent said anything: nothing spent, and the task's fault. */
        public static AttemptFailed unspent(ActorRef<Command> worker, AttemptId attempt, String reason) {
            return new AttemptFailed(worker, attempt, reason, Spend.NONE, false, false, 0);
        }

        @Override
        public AttemptFailed from(ActorRef<Command> worker) {
            return new AttemptFailed(worker, attempt, reason, spend, rateLimited, nodesFault, retryAfterMs);
        }
    }

    /** The worker's workspace setup failed before the agent could start; the worker has no workspace now. */
    record SetupFailed(ActorRef<Command> worker, AttemptId attempt, String reason) implements Report {

        @Override
        public SetupFailed from(ActorRef<Command> worker) {
            return new SetupFailed(worker, attempt, reason);
        }
    }

    /** An agent's CLI is waiting {@code delayMs} on a rate limit or overload: hold the other launches too. */
    record ApiPressure(ActorRef<Command> worker, AttemptId attempt, String error, long delayMs) implements Report {

        @Override
        public ApiPressure from(ActorRef<Command> worker) {
            return new ApiPressure(worker, attempt, error, delayMs);
        }
    }

    /**
     * The agent took in message {@code messageId} of a {@link Tell} (the CLI echoed it): during its turn under way,
     * or ({@code ownTurn}) as a turn of its own.
     */
    record MessageHeard(ActorRef<Command> worker, AttemptId attempt, String messageId, boolean ownTurn)
            implements Report {

        @Override
        public MessageHeard from(ActorRef<Command> worker) {
            return new MessageHeard(worker, attempt, messageId, ownTurn);
        }
    }

    /** Message {@code messageId} of a {@link Tell} did not reach a running agent, and {@code reason} says why. */
    record MessageNotHeard(ActorRef<Command> worker, AttemptId attempt, String messageId, String reason)
            implements Report {

        @Override
        public MessageNotHeard from(ActorRef<Command> worker) {
            return new MessageNotHeard(worker, attempt, messageId, reason);
        }
    }
}
