package dev.troupe.team.rules;

import dev.troupe.journal.TeamEvent;
import java.time.Duration;
import java.time.Instant;

/**
 * When the next agent may start: {@code team.stagger} after the last launch and not while the team is paused
 * (a rate limit or an overloaded API); and how long a failed task waits before its next attempt.
 */
final class Pace {

    private final Duration stagger;
    private final Tuning tuning;
    private final Decisions out;
    private Instant lastLaunch = Instant.MIN;
    private Instant pausedUntil = Instant.MIN;

    Pace(Duration stagger, Tuning tuning, Decisions out) {
        this.stagger = stagger;
        this.tuning = tuning;
        this.out = out;
    }

    /** Holds every launch until {@code until}; a shorter pause than the one running changes nothing. */
    void pause(Instant until, String reason, Instant now) {
        if (until.isAfter(pausedUntil)) {
            pausedUntil = until;
            out.journal(new TeamEvent.TeamPaused(now, until, reason));
        }
    }

    /** After an attempt ended on a rate limit: as long as the agent said, else {@code retry.rate-limit-pause}. */
    void pauseForRateLimit(long retryAfterMs, Instant now) {
        Duration wait = retryAfterMs >= 0 ? Duration.ofMillis(retryAfterMs) : tuning.rateLimitPause();
        pause(now.plus(wait), "an attempt ended on a rate limit or overload", now);
    }

    /** Not while the team is paused, nor sooner than {@code team.stagger} after the last launch. */
    Instant nextLaunchAllowed() {
        return later(pausedUntil, lastLaunch == Instant.MIN ? Instant.MIN : lastLaunch.plus(stagger));
    }

    void launched(Instant now) {
        lastLaunch = now;
    }

    /** {@code retry.backoff} doubled for each attempt after the first, at most {@code retry.backoff-max}. */
    Duration backoff(int attemptsDone) {
        Duration wait = tuning.retryBackoff().multipliedBy(1L << Math.min(20, Math.max(0, attemptsDone - 1)));
        return wait.compareTo(tuning.retryBackoffMax()) > 0 ? tuning.retryBackoffMax() : wait;
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
