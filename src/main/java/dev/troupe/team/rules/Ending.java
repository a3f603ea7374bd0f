package dev.troupe.team.rules;

import dev.troupe.journal.RunOutcome;
import dev.troupe.journal.TeamEvent;
import dev.troupe.journal.Usage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** When the run is over (every task merged, failed or skipped, or the planning failed) and how it ended. */
final class Ending {

    private final RunContext run;
    private final TaskTable tasks;
    private final Budget budget;
    private final Decisions out;
    private boolean over;
    /** Why the run winds down early (sync.check cannot run): the summary says so, exit 1. */
    private Optional<String> windingDown = Optional.empty();
    /** {@code troupe stop}: the run ends once nothing is in flight, what was not run left for resume. */
    private boolean stopping;
    /** Planning in rounds: the planner said the goal is met, which is the run's success (exit 0); its summary. */
    private Optional<String> goalMet = Optional.empty();

    Ending(RunContext run, TaskTable tasks, Budget budget, Decisions out) {
        this.run = run;
        this.tasks = tasks;
        this.budget = budget;
        this.out = out;
    }

    boolean isOver() {
        return over;
    }

    /** The run winds down for {@code reason} (the summary says so, exit 1) once what is running has settled. */
    void windDown(String reason) {
        windingDown = Optional.of(reason);
    }

    /** Something ends the run early (sync.check cannot run): no new round is planned. */
    boolean endsEarly() {
        return windingDown.isPresent();
    }

    boolean isStopping() {
        return stopping;
    }

    /** The planner said the goal is met ({@code summary}): once every task is settled the run ends, exit 0. */
    void goalMet(String summary) {
        goalMet = Optional.of(summary);
    }

    boolean isGoalMet() {
        return goalMet.isPresent();
    }

    void finishIfSettled(Instant now) {
        if (!over && (!tasks.isEmpty() || goalMet.isPresent()) && tasks.allSettled()) {
            finish(outcome(windingDown, null), now);
        } else if (!over && stopping && tasks.all().stream().noneMatch(TaskState::isInFlight)) {
            stopNow(now);
        }
    }

    /**
     * {@code troupe stop} took effect: the run ends with {@code RunStopped}, which resume goes on from; between two
     * rounds nothing is left in this one, but the next is (exit 130 all the same).
     */
    void stopNow(Instant now) {
        over = true;
        RunOutcome settled = outcome(windingDown, null);
        RunOutcome outcome = new RunOutcome(settled.runId(), settled.integrationBranch(), settled.tasks(),
                settled.costUsd(), settled.usage(), 130, settled.budgetSpent(), false, Optional.empty(),
                settled.setupFailure());
        out.add(new Decision.Finish(outcome, new TeamEvent.RunStopped(now, run.runId(),
                (int) outcome.count(RunOutcome.Fate.MERGED), (int) outcome.count(RunOutcome.Fate.LEFT),
                outcome.costUsd())));
    }

    /**
     * {@code troupe stop}: once no attempt is under way and no finished work is on its way in, the run ends; what
     * was not run is left for {@code troupe resume} (exit 130, as for an interrupted run).
     */
    void stopWhenIdle() {
        stopping = true;
    }

    /**
     * Setup failed on every worker's workspace: the run stops early, exit 1, rather than fail its tasks one by one;
     * what is not settled fails with {@code reason}.
     */
    void setupFailed(String reason, Instant now) {
        finish(outcome(Optional.of(reason), reason), now);
    }

    /** No usable plan: exit 2, nothing ran. */
    void planFailed(Optional<String> problem, Instant now) {
        finish(new RunOutcome(run.runId(), run.integrationBranch(), List.of(), budget.spentUsd(), Usage.NONE, 2, false,
                run.planOnly(), problem, Optional.empty()), now);
    }

    /** {@code --plan-only}: the plan is made and journaled, and that is all. */
    void planOnly(Usage plannerUsage, Instant now) {
        finish(new RunOutcome(run.runId(), run.integrationBranch(), List.of(), budget.spentUsd(), plannerUsage, 0, false,
                true, Optional.empty(), Optional.empty()), now);
    }

    private void finish(RunOutcome outcome, Instant now) {
        over = true;
        out.add(new Decision.Finish(outcome, new TeamEvent.RunFinished(now, run.runId(),
                (int) outcome.count(RunOutcome.Fate.MERGED), (int) outcome.count(RunOutcome.Fate.FAILED),
                (int) outcome.count(RunOutcome.Fate.SKIPPED), outcome.costUsd(), outcome.exitCode())));
    }

    /** @param unsettledReason why the tasks not settled did not merge, when the run says (else their own reason) */
    private RunOutcome outcome(Optional<String> setupFailure, String unsettledReason) {
        List<RunOutcome.TaskOutcome> outcomes = new ArrayList<>();
        Usage usage = Usage.NONE;
        for (TaskState task : tasks.all()) {
            RunOutcome.Fate fate = switch (task.status()) {
                case MERGED -> RunOutcome.Fate.MERGED;
                case SKIPPED -> RunOutcome.Fate.SKIPPED;
                case CANCELLED -> RunOutcome.Fate.CANCELLED;
                case WAITING, QUEUED -> stopping ? RunOutcome.Fate.LEFT : RunOutcome.Fate.FAILED;
                default -> RunOutcome.Fate.FAILED;
            };
            usage = usage.plus(task.usage());
            outcomes.add(new RunOutcome.TaskOutcome(task.id(), fate, task.life().tries(), task.costUsd(), task.usage(),
                    task.durationMs(), task.mergeCommit() == null ? "" : task.mergeCommit().name(), task.filesChanged(),
                    fate == RunOutcome.Fate.MERGED ? ""
                            : unsettledReason != null && !task.isSettled() ? unsettledReason : task.reason(),
                    task.life().agents()));
        }
        boolean allMerged = outcomes.stream()
                .allMatch(t -> t.fate() == RunOutcome.Fate.MERGED || t.fate() == RunOutcome.Fate.CANCELLED);
        boolean left = outcomes.stream().anyMatch(t -> t.fate() == RunOutcome.Fate.LEFT);
        int exitCode = left ? 130 : (allMerged || goalMet.isPresent()) && setupFailure.isEmpty() ? 0 : 1;
        return new RunOutcome(run.runId(), run.integrationBranch(), List.copyOf(outcomes), budget.spentUsd(), usage,
                exitCode, budget.isSpent(), false, Optional.empty(), setupFailure, goalMet);
    }
}
