package dev.troupe.team.rules;

import dev.troupe.journal.TeamEvent;
import java.time.Instant;
import java.util.Optional;

/** What the run has spent, and whether {@code limits.budget-usd} is reached: then no attempt starts. */
final class Budget {

    private final Optional<Double> limitUsd;
    private final Decisions out;
    private double spentUsd;
    private boolean spent;

    Budget(Optional<Double> limitUsd, Decisions out) {
        this.limitUsd = limitUsd;
        this.out = out;
    }

    /** What an agent spent (a task's, whose own spend its events journal, or the planner's) counts against the limit. */
    void spend(double cost, Instant now) {
        spentUsd += cost;
        if (!spent && reached()) {
            spent = true;
            out.journal(new TeamEvent.BudgetSpent(now, spentUsd, limitUsd.get()));
        }
    }

    /** Everything a stopped run spent, the planner's share included (on resume). */
    void restore(double spentBefore) {
        spentUsd = spentBefore;
        spent = reached();
    }

    private boolean reached() {
        return limitUsd.map(limit -> spentUsd >= limit).orElse(false);
    }

    boolean isSpent() {
        return spent;
    }

    double spentUsd() {
        return spentUsd;
    }

    double limitUsd() {
        return limitUsd.orElse(0.0);
    }
}
