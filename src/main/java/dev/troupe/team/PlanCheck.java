package dev.troupe.team;

import dev.troupe.goal.AddedTasks;
import dev.troupe.goal.Goal;
import dev.troupe.goal.GoalException;
import dev.troupe.goal.GoalLoader;
import dev.troupe.goal.PlannedGoal;
import dev.troupe.team.rules.AttemptResult;
import dev.troupe.team.rules.RunContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * A planner's answer checked as a goal file is, off the actor. The first round of a goal that listed no tasks becomes
 * the planned goal ({@code plan.yaml}); a later round's tasks are added to the run's goal file as {@code troupe add}'s
 * are, so their ids must not collide with any earlier task's. Either way the file is what resume reads. Blocking.
 */
final class PlanCheck {

    /** The tasks that passed and the goal file that holds them now. */
    record Checked(List<Goal.TaskSpec> tasks, Path file) {}

    private PlanCheck() {}

    static Checked check(GoalLoader goals, RunContext run, int attempt, int round, AttemptResult answer)
            throws IOException, GoalException {
        Path file = run.runDir().resolve("planner").resolve("plan-" + attempt + ".yaml");
        Files.createDirectories(file.getParent());
        Path relativeTo = run.goal().file().toAbsolutePath().getParent();
        Path planned = run.runDir().resolve(RunContext.PLANNED_GOAL);
        if (round > 1) {
            Path goalFile = run.tasksGoalFile();
            return new Checked(AddedTasks.addPlanned(goals, goalFile, answer.answer().orElseThrow(), file, relativeTo),
                    goalFile);
        }
        Goal goal = PlannedGoal.write(goals, run.goalCopy(), answer.answer().orElseThrow(), file, relativeTo);
        if (!goal.tasks().isEmpty()) {
            Files.copy(file, planned, StandardCopyOption.REPLACE_EXISTING);
        }
        return new Checked(goal.tasks(), planned);
    }
}
