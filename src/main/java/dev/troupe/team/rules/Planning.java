package dev.troupe.team.rules;

import dev.troupe.goal.Goal;
import dev.troupe.goal.GoalLoader;
import dev.troupe.journal.TeamEvent;
import dev.troupe.journal.Usage;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A goal that lists no tasks is planned first: a read-only agent answers with the tasks, the lead checks them
 * as a goal file, and a refused plan gets one more try with the problem in the prompt; after that the run
 * stops (exit 2, nothing merged). Planned in rounds ({@code plan: {rounds: N}}), the planner is asked again each
 * time every task of a round is settled, with the results: it says the goal is met, or plans the next round
 * (refused twice, no round follows and the run ends as it stands).
 */
final class Planning {

    /** The planner gets two tries a round. */
    private static final int TRIES = 2;

    private final RunContext run;
    private final TaskTable tasks;
    private final Roster roster;
    private final Budget budget;
    private final Ending ending;
    private final Dispatch dispatch;
    private final Rounds rounds;
    private final Decisions out;
    /** The round the planner is at work on, or 0 while it is not. */
    private int planning;
    /** Tries the planner has had at this round. */
    private int tries;
    /** The attempt number of its run now under way. */
    private int attempt;

    Planning(RunContext run, TaskTable tasks, Roster roster, Budget budget, Ending ending, Dispatch dispatch,
            Rounds rounds, Decisions out) {
        this.run = run;
        this.tasks = tasks;
        this.roster = roster;
        this.budget = budget;
        this.ending = ending;
        this.dispatch = dispatch;
        this.rounds = rounds;
        this.out = out;
    }

    /**
     * Plans {@code round}. Plans refused before a stop count; an attempt the stop cut short does not.
     */
    void begin(int round, Instant now) {
        planning = round;
        tries = rounds.refusals(round);
        Optional<String> problem = rounds.lastProblem(round);
        if (tries >= TRIES) {
            gaveUp(problem.orElse("the planner gave no usable plan"), now);
        } else {
            ask(problem.orElse(null), now);
        }
    }

    /**
     * Between two rounds (planning in rounds): true while the next round's planner is at work, or once it is asked
     * now that every task is settled, so the run goes on. A stop asked for here ends the run, for resume.
     */
    boolean betweenRounds(Instant now) {
        boolean next = planning > 1 || planning == 0 && rounds.another(tasks, budget, ending);
        if (!next) {
            return false;
        }
        if (ending.isStopping()) {
            ending.stopNow(now);
        } else if (planning == 0) {
            begin(rounds.current() + 1, now);
            // Refused twice before a stop, the round is given up at once: the run ends as it stands.
            return planning > 0;
        }
        return true;
    }

    /** Asks the planner for the round's tasks; {@code problems}: why its last plan was refused. */
    private void ask(String problems, Instant now) {
        tries++;
        attempt = rounds.nextAttempt();
        String worker = roster.hasIdle() ? roster.firstIdle() : roster.spawn();
        roster.take(worker, GoalLoader.RESERVED_ID);
        String prompt = rounds.inRounds()
                ? Prompts.round(run.goal().text(), run.goal().team().size(), planning, rounds.limit(),
                        planning == 1 ? List.of() : rounds.past(tasks, run), problems)
                : Prompts.plan(run.goal().text(), run.goal().team().size(), problems);
        Goal.TaskSpec planner = new Goal.TaskSpec(GoalLoader.RESERVED_ID, "planner", prompt, List.of(),
                Optional.empty()).readOnly();
        out.journal(new TeamEvent.PlanStarted(now, attempt, worker, planning));
        // A later round's planner reads the integration head, and is shown what changed since the run began.
        out.add(new Decision.Assign(worker, new Assignment(planner, attempt, "", dispatch.head(), planner.prompt(),
                Assignment.Role.PLANNER, planning > 1 ? Optional.of(rounds.firstCommit()) : Optional.empty())));
    }

    /**
     * The planner answered: the goal is met (planning in rounds), or its plan is read as a goal file off the actor,
     * and comes back to {@link #checked}.
     */
    void answered(int attempt, AttemptResult answer, Instant now) {
        budget.spend(answer.costUsd(), now);
        Answers.Round said = Answers.round(answer.answer().orElseThrow());
        if (rounds.inRounds() && said.met()) {
            rounds.answered(attempt);
            out.journalDurably(new TeamEvent.GoalMet(now, attempt, planning - 1, said.summary(),
                    answer.costUsd(), answer.usage()));
            planning = 0;
            ending.goalMet(said.summary());
            return;
        }
        if (planning > 1 && answer.answer().get().path("tasks").isEmpty()) {
            rejected(attempt, "the plan has no tasks and does not say the goal is met; plan the next round's tasks,"
                    + " or answer met: true", answer.costUsd(), answer.usage(), now);
            return;
        }
        // The goal file's checks cannot see a fan-out's tasks, made from the repository: the table can, before the
        // plan is written into the run's goal file.
        List<String> taken = answer.answer().get().path("tasks").findValuesAsText("id").stream()
                .filter(id -> tasks.get(id) != null).toList();
        if (planning > 1 && !taken.isEmpty()) {
            rejected(attempt, "task ids taken by earlier tasks: " + String.join(", ", taken) + "; give new tasks new ids",
                    answer.costUsd(), answer.usage(), now);
            return;
        }
        out.add(new Decision.CheckPlan(attempt, planning, answer));
    }

    /**
     * @param planned the plan's tasks read as a goal file's, or null when they could not be ({@code problem} says
     *     why); {@code file} the goal file that holds them now
     * @return whether the plan's tasks are in the table and may start
     */
    boolean checked(int attempt, AttemptResult answer, List<Goal.TaskSpec> planned, Path file, String problem,
            Instant now) {
        if (problem != null || planned.isEmpty()) {
            rejected(attempt, problem != null ? problem : "the plan has no tasks", answer.costUsd(), answer.usage(), now);
            return false;
        }
        int round = planning;
        planning = 0;
        rounds.answered(attempt);
        tasks.add(planned);
        List<String> ids = planned.stream().map(Goal.TaskSpec::id).toList();
        Map<String, List<String>> after = new LinkedHashMap<>();
        planned.stream().filter(spec -> !spec.after().isEmpty()).forEach(spec -> after.put(spec.id(), spec.after()));
        String summary = Answers.round(answer.answer().orElseThrow()).summary();
        rounds.planned(round, ids, summary, tasks);
        // On disk before any task starts: a resume reads the plan, never plans again.
        out.journalDurably(new TeamEvent.PlanMade(now, attempt, ids, after, file.toString(),
                answer.costUsd(), answer.usage(), round, summary));
        if (run.planOnly()) {
            ending.planOnly(answer.usage(), now);
            return false;
        }
        tasks.skipAfterUnmerged(planned, now);
        return true;
    }

    void failed(int attempt, String reason, double cost, Usage usage, Instant now) {
        budget.spend(cost, now);
        rejected(attempt, "the planner failed: " + reason, cost, usage, now);
    }

    void workerLost(Instant now) {
        rejected(attempt, "the planner's worker stopped unexpectedly", 0, Usage.NONE, now);
    }

    /** A second try with the problem in the prompt; after that no plan comes. */
    private void rejected(int attempt, String problem, double cost, Usage usage, Instant now) {
        rounds.answered(attempt);
        boolean retrying = tries < TRIES && !budget.isSpent();
        if (tries < TRIES && budget.isSpent()) {
            problem += "; the budget (limits.budget-usd) is spent, so the planner is not asked again";
        }
        out.journal(new TeamEvent.PlanRejected(now, attempt, problem, cost, usage, retrying, planning));
        if (retrying) {
            ask(problem, now);
        } else {
            gaveUp(problem, now);
        }
    }

    /**
     * No usable plan: with no task at all the run stops, exit 2, nothing merged; a later round's is not planned, and
     * the run ends as the rounds so far left it.
     */
    private void gaveUp(String problem, Instant now) {
        planning = 0;
        if (tasks.isEmpty()) {
            ending.planFailed(Optional.of(problem), now);
        } else {
            rounds.close("the planner gave no usable plan for round " + (rounds.current() + 1) + ": " + problem);
        }
    }
}
