package dev.troupe.team;

import dev.troupe.goal.Goal;
import dev.troupe.goal.GoalLoader;
import dev.troupe.journal.TeamEvent;
import dev.troupe.journal.Usage;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A goal that lists no tasks is planned first: a read-only agent answers with the tasks, the lead checks them
 * as a goal file, and a refused plan gets one more try with the problem in the prompt; after that the run
 * stops (exit 2, nothing merged).
 */
final class Planning {

    /** The planner gets two tries. */
    private static final int TRIES = 2;

    private final RunContext run;
    private final TaskTable tasks;
    private final Roster roster;
    private final Budget budget;
    private final Ending ending;
    private final Decisions out;
    /** Attempts the planner has had. */
    private int attempts;

    Planning(RunContext run, TaskTable tasks, Roster roster, Budget budget, Ending ending, Decisions out) {
        this.run = run;
        this.tasks = tasks;
        this.roster = roster;
        this.budget = budget;
        this.ending = ending;
        this.out = out;
    }

    /**
     * Plans refused before a stop count; an attempt the stop cut short does not.
     *
     * @param refused plans refused so far; {@code problem} why the last one was
     */
    void begin(int refused, Optional<String> problem, Instant now) {
        attempts = refused;
        if (attempts >= TRIES) {
            ending.planFailed(problem, now);
        } else {
            ask(problem.orElse(null), now);
        }
    }

    /** Asks the planner for the tasks; {@code problems}: why its last plan was refused. */
    private void ask(String problems, Instant now) {
        attempts++;
        String worker = roster.hasIdle() ? roster.firstIdle() : roster.spawn();
        roster.take(worker, GoalLoader.RESERVED_ID);
        Goal.TaskSpec planner = new Goal.TaskSpec(GoalLoader.RESERVED_ID, "planner",
                Prompts.plan(run.goal().text(), run.goal().team().size(), problems), List.of(), Optional.empty()).readOnly();
        out.journal(new TeamEvent.PlanStarted(now, attempts, worker));
        out.add(new Decision.Assign(worker, new Assignment(planner, attempts, "", run.startCommit(), planner.prompt(),
                Assignment.Role.PLANNER, Optional.empty())));
    }

    /** The planner answered: its plan is read as a goal file off the actor, and comes back to {@link #checked}. */
    void answered(int attempt, AttemptResult answer, Instant now) {
        budget.spend(null, answer.costUsd(), answer.usage(), now);
        out.add(new Decision.CheckPlan(attempt, answer));
    }

    /**
     * @param planned the plan read as a goal, or null when it could not be ({@code problem} says why)
     * @return whether the plan's tasks are in the table and may start
     */
    boolean checked(int attempt, AttemptResult answer, Goal planned, String problem, Instant now) {
        if (problem != null || planned.tasks().isEmpty()) {
            rejected(attempt, problem != null ? problem : "the plan has no tasks", answer.costUsd(), answer.usage(), now);
            return false;
        }
        tasks.add(planned.tasks());
        // On disk before any task starts: a resume reads the plan, never plans again.
        out.add(new Decision.JournalDurably(new TeamEvent.PlanMade(now, attempt, tasks.ids(), tasks.dependencies(),
                run.runDir().resolve(RunContext.PLANNED_GOAL).toString(), answer.costUsd(), answer.usage())));
        if (run.planOnly()) {
            ending.planOnly(answer.usage(), now);
            return false;
        }
        return true;
    }

    void failed(int attempt, String reason, double cost, Usage usage, Instant now) {
        budget.spend(null, cost, usage, now);
        rejected(attempt, "the planner failed: " + reason, cost, usage, now);
    }

    void workerLost(Instant now) {
        rejected(attempts, "the planner's worker stopped unexpectedly", 0, Usage.NONE, now);
    }

    /** A second try with the problem in the prompt; after that the run stops, exit 2, nothing merged. */
    private void rejected(int attempt, String problem, double cost, Usage usage, Instant now) {
        boolean retrying = attempt < TRIES && !budget.isSpent();
        if (attempt < TRIES && budget.isSpent()) {
            problem += "; the budget (limits.budget-usd) is spent, so the planner is not asked again";
        }
        out.journal(new TeamEvent.PlanRejected(now, attempt, problem, cost, usage, retrying));
        if (retrying) {
            ask(problem, now);
        } else {
            ending.planFailed(Optional.of(problem), now);
        }
    }
}
