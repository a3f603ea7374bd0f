package dev.troupe.team;

import dev.troupe.journal.Usage;
import java.util.List;

/**
 * How a run ended: every task's fate, the spend, and the exit code the command line returns.
 *
 * @param budgetSpent the run stopped starting attempts because {@code limits.budget-usd} was reached
 */
public record RunOutcome(String runId, String integrationBranch, List<TaskOutcome> tasks, double costUsd,
        Usage usage, int exitCode, boolean budgetSpent) {

    public enum Fate { MERGED, FAILED, SKIPPED }

    /** @param reason why the task failed or was skipped; empty when merged */
    public record TaskOutcome(String id, Fate fate, int attempts, double costUsd, Usage usage, long durationMs,
            String mergeCommit, List<String> filesChanged, String reason) {}

    public long count(Fate fate) {
        return tasks.stream().filter(t -> t.fate() == fate).count();
    }
}
