package dev.troupe.journal;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a journal says about a run: its start, its rounds and planner, and each task's {@link TaskLife}. The state
 * of a run that died is only the journal's word; {@code troupe resume} checks merges against the integration
 * branch, whose trailers win.
 */
public final class RunHistory {

    /**
     * One round of a run: its tasks in goal order and what the planner said when it planned it (empty for a round
     * the goal listed). A run not planned in rounds has one.
     */
    public record Round(int number, List<String> tasks, String summary) {}

    private final TeamEvent.RunStarted started;
    private final Map<String, TaskLife> tasks = new LinkedHashMap<>();
    private final Map<String, List<String>> after = new LinkedHashMap<>();
    private TeamEvent.PlanMade plan;
    private TeamEvent.RunFinished finished;
    /** Each task's round; the goal's own tasks are round 1. */
    private final Map<String, Integer> roundOf = new LinkedHashMap<>();
    /** What the planner said of each round it planned, by round; round 1 is there from the start. */
    private final java.util.TreeMap<Integer, String> summaries = new java.util.TreeMap<>(Map.of(1, ""));
    private final Map<Integer, Integer> planRefusals = new LinkedHashMap<>();
    private final Map<Integer, String> lastPlanProblem = new LinkedHashMap<>();
    private int plannerAttempts;
    private TeamEvent.GoalMet goalMet;
    private double plannerCostUsd;
    private Instant lastEvent;
    /** The run's last event is journaled (run-finished, or run-stopped), and no resume followed it. */
    private boolean over;

    private RunHistory(TeamEvent.RunStarted started) {
        this.started = started;
        started.tasks().forEach(id -> tasks.put(id, new TaskLife(id)));
        started.tasks().forEach(id -> roundOf.put(id, 1));
        if (started.after() != null) {
            after.putAll(started.after());
        }
        lastEvent = started.time();
    }

    /** Empty when the events do not begin with a run start (not a journal, or an empty one). */
    public static Optional<RunHistory> of(List<TeamEvent> events) {
        if (events.isEmpty() || !(events.get(0) instanceof TeamEvent.RunStarted started)) {
            return Optional.empty();
        }
        RunHistory history = new RunHistory(started);
        events.forEach(history::apply);
        return Optional.of(history);
    }

    /** Brings the history up to date with one more event of the same run. */
    public void apply(TeamEvent event) {
        lastEvent = event.time();
        if (event instanceof TeamEvent.OfTask ofTask) {
            Optional.ofNullable(tasks.get(ofTask.task())).ifPresent(task -> task.apply(event));
        } else if (event instanceof TeamEvent.TasksAdded e) {
            e.tasks().forEach(id -> tasks.putIfAbsent(id, new TaskLife(id)));
            e.tasks().forEach(id -> roundOf.putIfAbsent(id, lastRound()));
            if (e.after() != null) {
                after.putAll(e.after());
            }
        } else if (event instanceof TeamEvent.PlanMade e) {
            if (e.round() == 1) {
                plan = e;
            }
            summaries.put(e.round(), e.summary());
            e.tasks().forEach(id -> tasks.putIfAbsent(id, new TaskLife(id)));
            e.tasks().forEach(id -> roundOf.putIfAbsent(id, e.round()));
            if (e.after() != null) {
                after.putAll(e.after());
            }
            plannerAttempts = Math.max(plannerAttempts, e.attempt());
            plannerCostUsd += e.costUsd();
        } else if (event instanceof TeamEvent.PlanRejected e) {
            plannerCostUsd += e.costUsd();
            plannerAttempts = Math.max(plannerAttempts, e.attempt());
            planRefusals.merge(e.round(), 1, Integer::sum);
            lastPlanProblem.put(e.round(), e.problem());
        } else if (event instanceof TeamEvent.GoalMet e) {
            goalMet = e;
            plannerAttempts = Math.max(plannerAttempts, e.attempt());
            plannerCostUsd += e.costUsd();
        } else if (event instanceof TeamEvent.RunFinished e) {
            finished = e;
            over = true;
        } else if (event instanceof TeamEvent.RunStopped) {
            over = true;
        } else if (event instanceof TeamEvent.RunResumed) {
            finished = null;
            over = false;
            tasks.values().forEach(task -> task.apply(event));
        }
    }

    public TeamEvent.RunStarted started() {
        return started;
    }

    public Map<String, TaskLife> tasks() {
        return tasks;
    }

    /** Whether the journal ends the run (finished, or stopped as {@code troupe stop} asked) and no resume followed. */
    public boolean over() {
        return over;
    }

    public Optional<TeamEvent.RunFinished> finished() {
        return Optional.ofNullable(finished);
    }

    /** What the run spent: its tasks' agents and its planner's. */
    public double costUsd() {
        return plannerCostUsd + tasks.values().stream().mapToDouble(TaskLife::costUsd).sum();
    }

    public Instant lastEvent() {
        return lastEvent;
    }

    /** The tasks {@code task} comes after, as the run began (or as the planner made them). */
    public List<String> after(String task) {
        return after.getOrDefault(task, List.of());
    }

    /** The planner's accepted plan of the first round, for a goal that listed no tasks. */
    public Optional<TeamEvent.PlanMade> plan() {
        return Optional.ofNullable(plan);
    }

    /** How many plans for {@code round} were refused (an attempt cut short by a stop is not one of them). */
    public int planRefusals(int round) {
        return planRefusals.getOrDefault(round, 0);
    }

    /** Why the last plan for {@code round} was refused. */
    public Optional<String> lastPlanProblem(int round) {
        return Optional.ofNullable(lastPlanProblem.get(round));
    }

    /** The highest attempt number the planner's answers (made, refused, goal met) were journaled under. */
    public int plannerAttempts() {
        return plannerAttempts;
    }

    /** The latest round whose tasks are known: 1 until the planner planned a second. */
    public int lastRound() {
        return summaries.lastKey();
    }

    /** The round {@code task} belongs to (1 for a task the journal does not place). */
    public int roundOf(String task) {
        return roundOf.getOrDefault(task, 1);
    }

    /** The rounds so far, first to last, each with its tasks in goal order. */
    public List<Round> rounds() {
        return summaries.entrySet().stream().map(round -> new Round(round.getKey(), tasks.keySet().stream()
                .filter(id -> roundOf(id) == round.getKey()).toList(), round.getValue())).toList();
    }

    /** The planner said the goal is met (planning in rounds): no round follows. */
    public Optional<TeamEvent.GoalMet> goalMet() {
        return Optional.ofNullable(goalMet);
    }

    public long count(TaskLife.State state) {
        return tasks.values().stream().filter(t -> t.state() == state).count();
    }
}
