package dev.troupe.journal;

import java.util.List;
import java.util.Optional;

/**
 * How a run ended: every task's fate, the spend, and the exit code the command line returns.
 *
 * @param budgetSpent the run stopped starting attempts because {@code limits.budget-usd} was reached
 * @param planOnly the run only planned ({@code --plan-only}); the plan is in the run directory
 * @param planFailure why the planner gave no usable plan, when it did not (exit 2, no task ran)
 * @param setupFailure why the run stopped early: {@code workspace.setup} failed on every workspace (exit 1)
 * @param goalMet planning in rounds: the planner's summary when it said the goal is met (exit 0)
 */
public record RunOutcome(String runId, String integrationBranch, List<TaskOutcome> tasks, double costUsd,
        Usage usage, int exitCode, boolean budgetSpent, boolean planOnly, Optional<String> planFailure,
        Optional<String> setupFailure, Optional<String> goalMet) {

    /** A run whose planner did not say the goal is met. */
    public RunOutcome(String runId, String integrationBranch, List<TaskOutcome> tasks, double costUsd, Usage usage,
            int exitCode, boolean budgetSpent, boolean planOnly, Optional<String> planFailure,
            Optional<String> setupFailure) {
        this(runId, integrationBranch, tasks, costUsd, usage, exitCode, budgetSpent, planOnly, planFailure, setupFailure,
                Optional.empty());
    }

    /**
     * LEFT: not run, because the run was stopped ({@code troupe stop}); {@code troupe resume} runs it. CANCELLED:
     * by {@code troupe cancel}, which is no failure of the run.
     */
    public enum Fate { MERGED, FAILED, SKIPPED, LEFT, CANCELLED }

    /**
     * @param reason why the task failed or was skipped; empty when merged
     * @param agents the agent CLIs and models its attempts ran with ({@link TeamEvent.TaskAssigned#agent})
     */
    public record TaskOutcome(String id, Fate fate, int attempts, double costUsd, Usage usage, long durationMs,
            String mergeCommit, List<String> filesChanged, String reason, List<String> agents) {

        public TaskOutcome(String id, Fate fate, int attempts, double costUsd, Usage usage, long durationMs,
                String mergeCommit, List<String> filesChanged, String reason) {
            this(id, fate, attempts, costUsd, usage, durationMs, mergeCommit, filesChanged, reason, List.of());
        }
    }

    /** Stopped by {@code troupe stop} with tasks left to run: {@code troupe resume} finishes it. */
    public boolean stopped() {
        return count(Fate.LEFT) > 0;
    }

    public long count(Fate fate) {
        return tasks.stream().filter(t -> t.fate() == fate).count();
    }
}
