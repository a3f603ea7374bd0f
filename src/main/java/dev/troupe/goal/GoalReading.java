package dev.troupe.goal;

import java.util.List;
import java.util.Optional;

/**
 * A goal file as {@link GoalLoader#read} found it: the goal, or every problem of the file together with what the
 * run's checks can still be made against ({@link RunTarget}; nothing when the file could not be read at all).
 */
public final class GoalReading {

    private final Optional<Goal> goal;
    private final Optional<RunTarget> target;
    private final Optional<GoalException> problems;

    private GoalReading(Optional<Goal> goal, Optional<RunTarget> target, Optional<GoalException> problems) {
        this.goal = goal;
        this.target = target;
        this.problems = problems;
    }

    public static GoalReading of(Goal goal) {
        return new GoalReading(Optional.of(goal), Optional.of(RunTarget.of(goal)), Optional.empty());
    }

    /** A file with problems, the parts in {@code target} read all the same. */
    static GoalReading refused(RunTarget target, GoalException problems) {
        return new GoalReading(Optional.empty(), Optional.of(target), Optional.of(problems));
    }

    /** A file that could not be read at all (missing, not YAML, a value of the wrong type). */
    static GoalReading unreadable(GoalException problem) {
        return new GoalReading(Optional.empty(), Optional.empty(), Optional.of(problem));
    }

    /** The goal, when the file has no problem. */
    public Optional<Goal> goal() {
        return goal;
    }

    /** The goal, or every problem of the file. */
    public Goal goalOrThrow() throws GoalException {
        if (problems.isPresent()) {
            throw problems.get();
        }
        return goal.orElseThrow();
    }

    public Optional<RunTarget> target() {
        return target;
    }

    /** The file's problems, in file order; none when the goal was read. */
    public List<GoalException> problems() {
        return problems.map(GoalException::problems).orElse(List.of());
    }
}
