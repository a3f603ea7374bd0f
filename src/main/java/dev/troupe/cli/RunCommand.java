package dev.troupe.cli;

import dev.troupe.goal.Goal;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code troupe run GOAL}: checks the goal and the repository, then launches the team and waits for the run
 * to end. Progress goes to stderr, the summary to stdout ({@code --json}: every event to stdout instead).
 */
@Command(name = "run", description = "Launch a team on a goal file and see it through.")
final class RunCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "GOAL", description = "the goal file (YAML, or JSON for .json)")
    Path goalFile;

    @Option(names = "--team", paramLabel = "N", description = "number of workers (overrides team.size)")
    Integer team;

    @Option(names = "--into", paramLabel = "BRANCH", description = "integration branch (default troupe/<run>)")
    String into;

    @Option(names = "--json", description = "print every event as JSON Lines on stdout instead of the summary")
    boolean json;

    @Option(names = "--quiet", description = "print only the final summary")
    boolean quiet;

    @Option(names = "--allow-dirty", description = "run even with uncommitted changes in tracked files (they are left alone)")
    boolean allowDirty;

    private final PrintStream out;
    private final PrintStream err;

    RunCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws TroupeException {
        Launcher.Output output = output();
        Goal goal = withTeamSize(ValidateCommand.load(goalFile));
        RunSetup setup = RunSetup.check(goal, Optional.ofNullable(into), allowDirty);
        setup.warnings().forEach(w -> err.println("troupe: warning: " + w));
        try {
            setup.createFootprint();
        } catch (IOException e) {
            throw new TroupeException(ExitCodes.INTERNAL, "cannot create " + setup.runDir() + ": " + e.getMessage());
        }
        try (RunLock lock = RunLock.acquire(setup.runDir())) {
            return Launcher.run(setup, Optional.empty(), output, out, err);
        }
    }

    private Goal withTeamSize(Goal goal) throws TroupeException {
        if (team == null) {
            return goal;
        }
        if (team < 1) {
            throw TroupeException.badInput("--team must be at least 1, not " + team);
        }
        return goal.withTeam(new Goal.Team(team, goal.team().stagger()));
    }

    private Launcher.Output output() throws TroupeException {
        if (json && quiet) {
            throw TroupeException.badInput("--json and --quiet do not go together");
        }
        return json ? Launcher.Output.JSON : quiet ? Launcher.Output.QUIET : Launcher.Output.LINES;
    }
}
