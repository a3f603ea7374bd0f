package dev.troupe.team;

import akka.actor.typed.ActorRef;
import akka.stream.UniqueKillSwitch;
import dev.troupe.agent.AgentMessage;
import dev.troupe.agent.AgentProcess;
import dev.troupe.goal.Goal;
import dev.troupe.team.rules.Assignment;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/** A worker's attempt in progress: confined to its {@link Worker}, except the output clock the stream updates. */
final class WorkerAttempt {
    final Assignment assignment;
    final ActorRef<WorkerProtocol.Report> replyTo;
    final String sessionId = UUID.randomUUID().toString();
    final Instant started = Instant.now();
    final AtomicLong lastOutputNanos = new AtomicLong(System.nanoTime());
    AgentProcess process;
    /** The talk with the agent; null before it runs. */
    AgentConversation conversation;
    /** Told while the agent was being launched: said right after its prompt. */
    final List<WorkerProtocol.Tell> toldEarly = new ArrayList<>();
    /** {@code troupe cancel} came while the agent was being launched: it is stopped as soon as it runs. */
    boolean cancelled;
    /** Where the agent runs, and what there is the workspace's own (copied files, setup output). */
    Path workspace;
    List<String> leaveOut = List.of();
    UniqueKillSwitch output;
    AgentMessage.Result result;
    /** The delay of the last rate-limit retry the agent reported, or -1. */
    long retryAfterMs = -1;
    Integer exitCode;
    boolean outputEnded;
    boolean processGone;
    /** Set once the attempt is decided: null while running, and for success. */
    String failure;

    WorkerAttempt(Assignment assignment, ActorRef<WorkerProtocol.Report> replyTo) {
        this.assignment = assignment;
        this.replyTo = replyTo;
    }

    Goal.TaskSpec task() {
        return assignment.task();
    }

    WorkerProtocol.AttemptId id() {
        return WorkerProtocol.AttemptId.of(assignment);
    }

    /** HTTP statuses that say the API is saturated (rate limit, overload), not that the task went wrong. */
    private static final Set<Integer> RATE_LIMITS = Set.of(429, 529);

    /**
     * The CLI retries an API request: when the API is saturated (a rate limit, an overload), the report that holds
     * the other launches too, and the delay is kept for this attempt's failure.
     */
    Optional<WorkerProtocol.ApiPressure> apiRetried(AgentMessage.ApiRetry retry,
            ActorRef<WorkerProtocol.Command> worker) {
        if (!retry.errorStatus().map(RATE_LIMITS::contains).orElse(false)
                && !"rate_limit".equals(retry.error()) && !"overloaded".equals(retry.error())) {
            return Optional.empty();
        }
        retryAfterMs = retry.delayMs();
        return Optional.of(new WorkerProtocol.ApiPressure(worker, id(), retry.error(), retry.delayMs()));
    }

    /** The report of this attempt failed for {@code reason}, with what its agent spent. */
    WorkerProtocol.AttemptFailed failed(ActorRef<WorkerProtocol.Command> worker, String reason) {
        boolean rateLimited = result != null && result.apiErrorStatus().map(RATE_LIMITS::contains).orElse(false);
        WorkerProtocol.Spend spent = result == null ? WorkerProtocol.Spend.NONE
                : new WorkerProtocol.Spend(result.costUsd(), result.usage());
        return new WorkerProtocol.AttemptFailed(worker, id(), reason, spent, rateLimited, false, retryAfterMs);
    }

    /**
     * Why {@code tell} cannot be said to this attempt's agent now: it works on another task, or reviews, or takes no
     * live input. Empty when it can.
     */
    Optional<String> whyNotTold(WorkerProtocol.Tell tell, String worker) {
        if (!task().id().equals(tell.taskId()) || assignment.role() != Assignment.Role.WRITER) {
            return Optional.of(worker + " runs " + (assignment.role() == Assignment.Role.WRITER ? "task '"
                    + task().id() + "'" : "a " + assignment.role().name().toLowerCase(Locale.ROOT)
                    + " of it") + " now");
        }
        return conversation.whyNotLive();
    }
}
