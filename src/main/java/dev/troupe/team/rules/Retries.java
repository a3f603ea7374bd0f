package dev.troupe.team.rules;

import dev.troupe.journal.TeamEvent;
import dev.troupe.journal.Usage;
import java.time.Duration;
import java.time.Instant;

/**
 * What a failed attempt leads to: back to the queue after a backoff while {@code limits.attempts} and the budget
 * allow, else the task fails. An attempt a rate limit ended is free, up to {@code retry.rate-limited-attempts-free}.
 */
final class Retries {

    private final int attemptsAllowed;
    private final int freeOnRateLimit;
    private final TaskTable tasks;
    private final Pace pace;
    private final Budget budget;
    private final Decisions out;

    Retries(RunContext run, TaskTable tasks, Pace pace, Budget budget, Decisions out) {
        this.attemptsAllowed = run.goal().limits().attempts();
        this.freeOnRateLimit = run.tuning().rateLimitedAttemptsFree();
        this.tasks = tasks;
        this.pace = pace;
        this.budget = budget;
        this.out = out;
    }

    /**
     * Whether the attempt is not counted against the task: it ended on a rate limit (or its node's fault) and free
     * ones are left. The attempt's failure, journaled as not counted, takes the free one.
     */
    boolean takeFreeAttempt(TaskState task, boolean rateLimited) {
        return rateLimited && task.freeAttempts() < freeOnRateLimit;
    }

    /** Back to the queue after a backoff while attempts (and budget) remain; otherwise the task fails. */
    void retryOrFail(TaskState task, String reason, double attemptCost, Usage attemptUsage, boolean counted,
            Instant now) {
        boolean attemptsLeft = !counted || task.countedAttempts() < attemptsAllowed;
        if (!attemptsLeft || budget.isSpent()) {
            out.journal(new TeamEvent.AttemptFailed(now, task.id(), task.attempts(), reason, attemptCost, attemptUsage, -1,
                    counted));
            tasks.fail(task, budget.isSpent() && attemptsLeft ? reason + "; no attempt left in the budget" : reason,
                    now);
            return;
        }
        Duration backoff = counted ? pace.backoff(task.countedAttempts()) : Duration.ZERO;
        task.notBefore(now.plus(backoff));
        out.journal(new TeamEvent.AttemptFailed(now, task.id(), task.attempts(), reason, attemptCost, attemptUsage,
                backoff.toMillis(), counted));
        tasks.requeue(task);
    }
}
