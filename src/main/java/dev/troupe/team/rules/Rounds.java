package dev.troupe.team.rules;

import dev.troupe.journal.RunHistory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.eclipse.jgit.lib.ObjectId;

/**
 * The rounds of a goal planned in rounds ({@code plan: {rounds: N}}): which round the run is in, which task belongs
 * to which, what the planner said of each, and whether another may be planned. A goal planned once has one round and
 * never another. Part of the {@link RunState}; {@link Planning} asks the planner.
 */
final class Rounds {

    private final int limit;
    private final boolean inRounds;
    /** Where the integration branch stood when the run began (not when it was resumed): the diff stat's start. */
    private ObjectId firstCommit;
    private int current = 1;
    private final Map<String, Integer> roundOf = new HashMap<>();
    private final TreeMap<Integer, String> summaries = new TreeMap<>(Map.of(1, ""));
    /** The highest attempt number of the planner's journaled answers: the next run of it is one more. */
    private int answeredAttempts;
    /** Why no further round is planned although the limit is not reached (the planner gave up), if so. */
    private Optional<String> closed = Optional.empty();
    private RunHistory past;

    Rounds(RunContext run) {
        this.limit = run.goal().plan().rounds();
        this.inRounds = run.goal().plan().inRounds();
        this.firstCommit = run.startCommit();
    }

    /** A stopped run's rounds, as its journal tells them. */
    void restore(RunHistory history) {
        past = history;
        firstCommit = ObjectId.fromString(history.started().baseCommit());
        current = history.lastRound();
        answeredAttempts = history.plannerAttempts();
        history.rounds().forEach(round -> {
            summaries.put(round.number(), round.summary());
            round.tasks().forEach(id -> roundOf.put(id, round.number()));
        });
    }

    boolean inRounds() {
        return inRounds;
    }

    int limit() {
        return limit;
    }

    /** The round whose tasks are in the table (1 until the planner planned another). */
    int current() {
        return current;
    }

    ObjectId firstCommit() {
        return firstCommit;
    }

    /** The attempt number the planner's next run gets. */
    int nextAttempt() {
        return answeredAttempts + 1;
    }

    void answered(int attempt) {
        answeredAttempts = Math.max(answeredAttempts, attempt);
    }

    /** Plans refused for {@code round} before a stop (they count), and why the last was. */
    int refusals(int round) {
        return past == null ? 0 : past.planRefusals(round);
    }

    Optional<String> lastProblem(int round) {
        return past == null ? Optional.empty() : past.lastPlanProblem(round);
    }

    /**
     * Another round is planned now: the goal is planned in rounds, not met, not closed, every task of this round is
     * settled, a round is left and the budget is not spent.
     */
    boolean another(TaskTable tasks, Budget budget, Ending ending) {
        return inRounds && current < limit && closed.isEmpty() && !ending.isGoalMet() && !ending.endsEarly()
                && !tasks.isEmpty() && tasks.allSettled() && !budget.isSpent();
    }

    /** No round follows this one: the planner gave no usable plan for the next. */
    void close(String why) {
        closed = Optional.of(why);
    }

    /** The planner's tasks for {@code round} are in the table; tasks of no round so far (added ones) are this one's. */
    void planned(int round, List<String> ids, String summary, TaskTable tasks) {
        tasks.all().forEach(task -> roundOf.putIfAbsent(task.id(), current));
        ids.forEach(id -> roundOf.put(id, round));
        summaries.put(round, summary);
        current = round;
    }

    /** The rounds so far as the next round's planner reads them. */
    List<Prompts.PastRound> past(TaskTable tasks, RunContext run) {
        List<Prompts.PastRound> rounds = new ArrayList<>();
        for (Map.Entry<Integer, String> round : summaries.entrySet()) {
            List<Prompts.Outcome> outcomes = tasks.all().stream()
                    .filter(task -> roundOf.getOrDefault(task.id(), current) == round.getKey())
                    .map(task -> new Prompts.Outcome(task.id(), task.status().name().toLowerCase(java.util.Locale.ROOT),
                            task.resultText(), task.reason(), run.resultFile(task.spec())))
                    .toList();
            rounds.add(new Prompts.PastRound(round.getKey(), round.getValue(), outcomes));
        }
        return rounds;
    }
}
