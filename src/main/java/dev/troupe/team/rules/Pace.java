package dev.troupe.team.rules;

import java.time.Duration;
import java.time.Instant;

/**
 * When the next agent may start: {@code team.stagger} after the last launch; and how long a failed task waits before
 * its next attempt.
 */
final class Pace {

    private final Duration stagger;
    private final Tuning tuning;
    private Instant lastLaunch = Instant.MIN;

    Pace(Duration stagger, Tuning tuning) {
        this.stagger = stagger;
        this.tuning = tuning;
    }

    /** Not sooner than {@code team.stagger} after the last launch (an account's pause is {@link Accounts}'). */
    Instant nextLaunchAllowed() {
        return lastLaunch == Instant.MIN ? Instant.MIN : lastLaunch.plus(stagger);
    }

    /** The earlier of two instants, either of which may be null (no time). */
    static Instant earlier(Instant a, Instant b) {
        return a == null || (b != null && b.isBefore(a)) ? b : a;
    }

    void launched(Instant now) {
        lastLaunch = now;
    }

    /** {@code retry.backoff} doubled for each attempt after the first, at most {@code retry.backoff-max}. */
    Duration backoff(int attemptsDone) {
        Duration wait = tuning.retryBackoff().multipliedBy(1L << Math.min(20, Math.max(0, attemptsDone - 1)));
        return wait.compareTo(tuning.retryBackoffMax()) > 0 ? tuning.retryBackoffMax() : wait;
    }
}
