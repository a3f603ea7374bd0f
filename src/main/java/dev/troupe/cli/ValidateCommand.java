package dev.troupe.cli;

import com.typesafe.config.ConfigFactory;
import dev.troupe.goal.Goal;
import dev.troupe.goal.GoalReading;
import dev.troupe.goal.GoalLoader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code troupe validate GOAL}: checks the goal file and, as {@code troupe run} would before starting, its repository,
 * base, agent and globs; reports every problem at once and creates nothing. Uncommitted changes are a warning here.
 */
@Command(name = "validate", description = "Check a goal file and what run would check before starting; start nothing.")
final class ValidateCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "GOAL", description = "the goal file (YAML, or JSON for .json)")
    Path goalFile;

    @Option(names = "--into", paramLabel = "BRANCH", description = "check the integration branch run --into would use")
    String into;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws TroupeException {
        GoalReading reading = read(goalFile);
        Preflight.Findings found = Preflight.check(reading, Optional.ofNullable(into), Preflight.Uncommitted.MENTION);
        PrintWriter err = spec.commandLine().getErr();
        found.warnings().forEach(w -> err.println("troupe: warning: " + w));
        if (!found.problems().isEmpty()) {
            throw TroupeException.badInput(String.join("\n", found.problems()));
        }
        RunSetup setup = found.setup().orElseThrow();
        Goal goal = reading.goal().orElseThrow();
        boolean planned = goal.tasks().isEmpty() && goal.fanout().isEmpty();
        int fannedOut = setup.goal().tasks().size() - goal.tasks().size();
        String work = planned ? "no tasks: the planner makes them from the goal text"
                : goal.tasks().size() + (goal.tasks().size() == 1 ? " task" : " tasks")
                        + goal.fanout().map(f -> " and a fan-out over '" + f.files() + "' (" + fannedOut
                                + (fannedOut == 1 ? " file)" : " files)")).orElse("");
        int rounds = goal.plan().rounds();
        if (goal.plan().inRounds()) {
            work += planned ? ", in up to " + rounds + " rounds" : " in round 1, then up to " + (rounds - 1)
                    + (rounds == 2 ? " more round" : " more rounds") + " planned";
        }
        spec.commandLine().getOut().printf("%s: valid: %s, team of %d, agent %s, from %s at %s%n", goalFile, work,
                goal.team().size(), String.join(" ", goal.agent().command()), setup.base(), setup.baseCommit().substring(0, 12));
        return ExitCodes.OK;
    }

    /** The goal file as far as it reads: the goal, or its problems and what the run's checks can still be made on. */
    static GoalReading read(Path file) {
        return new GoalLoader(ConfigFactory.load()).read(file);
    }
}
