package dev.troupe.cli;

import com.typesafe.config.ConfigFactory;
import dev.troupe.goal.Goal;
import dev.troupe.goal.GoalException;
import dev.troupe.goal.GoalLoader;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code troupe validate GOAL}: checks a goal file and starts nothing. */
@Command(name = "validate", description = "Check a goal file; start nothing.")
final class ValidateCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "GOAL", description = "the goal file (YAML, or JSON for .json)")
    Path goalFile;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws TroupeException {
        Goal goal = load(goalFile);
        boolean planned = goal.tasks().isEmpty() && goal.fanout().isEmpty();
        String work = planned ? "no tasks: the planner makes them from the goal text"
                : goal.tasks().size() + (goal.tasks().size() == 1 ? " task" : " tasks")
                        + goal.fanout().map(f -> " and a fan-out over '" + f.files() + "'").orElse("");
        spec.commandLine().getOut().printf("%s: valid: %s, team of %d, agent %s%n", goalFile, work, goal.team().size(),
                String.join(" ", goal.agent().command()));
        return ExitCodes.OK;
    }

    static Goal load(Path file) throws TroupeException {
        try {
            return new GoalLoader(ConfigFactory.load()).load(file);
        } catch (GoalException e) {
            throw TroupeException.badInput(e.getMessage());
        }
    }
}
