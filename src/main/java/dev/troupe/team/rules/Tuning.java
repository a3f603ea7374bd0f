package dev.troupe.team.rules;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The runtime's own settings (not the goal's), from {@code troupe.*} in application.conf.
 *
 * @param killGrace how long a SIGTERMed agent gets before SIGKILL
 * @param idleCheckInterval how often a running attempt looks at its idle deadline and its process tree
 * @param maxLineBytes the longest agent stdout line
 * @param retryBackoff the wait before a failed task's second attempt; doubled for each further one
 * @param retryBackoffMax the longest wait between two attempts
 * @param rateLimitPause how long an account stops launching after an attempt failed on a rate limit or overload, or
 *     its CLI retried one without saying how long it waits (unless the agent said how long to wait)
 * @param rateLimitedAttemptsFree how many attempts per task a rate limit may end before they count as failures
 * @param mergeRetries how a merge that failed for another reason than a conflict is tried again
 * @param resumeWait how long a retry that continues a session waits for the worker that holds it
 */
public record Tuning(Duration killGrace, Duration idleCheckInterval, int maxLineBytes, Duration retryBackoff,
        Duration retryBackoffMax, Duration rateLimitPause, int rateLimitedAttemptsFree, MergeRetries mergeRetries,
        int workspaceBuilds, int checkoutWorkers, Duration resumeWait) {

    public static Tuning from(Config config) {
        return new Tuning(
                config.getDuration("troupe.worker.kill-grace"),
                config.getDuration("troupe.worker.idle-check-interval"),
                config.getInt("troupe.journal.max-line-bytes"),
                config.getDuration("troupe.retry.backoff"),
                config.getDuration("troupe.retry.backoff-max"),
                config.getDuration("troupe.retry.rate-limit-pause"),
                config.getInt("troupe.retry.rate-limited-attempts-free"),
                new MergeRetries(config.getInt("troupe.retry.merge-retries"), config.getDuration("troupe.retry.merge-backoff")),
                config.getInt("troupe.workspace.parallel-builds"),
                config.getInt("troupe.workspace.checkout-workers"),
                config.getDuration("troupe.retry.resume-wait"));
    }

    /** How this run prepares its workspaces. */
    public dev.troupe.workspace.Workspaces.Settings workspaces(dev.troupe.goal.Goal goal) {
        // A setup is bounded like a task: limits.task-timeout.
        return new dev.troupe.workspace.Workspaces.Settings(goal.workspace(), goal.limits().taskTimeout(), killGrace,
                workspaceBuilds, checkoutWorkers);
    }

    /**
     * How often a merge that failed for a reason other than a conflict is tried again, and the wait before the
     * first retry (doubled for each further one).
     */
    public record MergeRetries(int times, java.time.Duration backoff) {
        public static final MergeRetries NONE = new MergeRetries(0, java.time.Duration.ZERO);
    }
}
