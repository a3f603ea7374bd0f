package dev.troupe.cli;

import dev.troupe.goal.Goal;
import dev.troupe.team.rules.RunContext;
import java.io.IOException;
import java.nio.file.Files;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

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

    @Mixin
    Launcher.OutputOptions display = new Launcher.OutputOptions();

    @picocli.CommandLine.Mixin
    ClusterOptions clusterOptions = new ClusterOptions();

    @Mixin
    WebOption web = new WebOption();

    @Option(names = "--plan-only", description = "for a goal without tasks: let the planner make them, write them"
            + " as a goal file beside GOAL (GOAL.plan.yaml) to edit and run, and stop")
    boolean planOnly;

    @Option(names = "--allow-dirty", description = "run even with uncommitted changes in tracked files (they are left alone)")
    boolean allowDirty;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws TroupeException {
        PrintStream out = WriterStream.printStream(spec.commandLine().getOut());
        PrintStream err = WriterStream.printStream(spec.commandLine().getErr());
        Launcher.Output output = display.output();
        web.check();
        Goal goal = withTeamSize(Preflight.goalOrEveryProblem(ValidateCommand.read(goalFile), Optional.ofNullable(into),
                allowDirty ? Preflight.Uncommitted.ALLOW : Preflight.Uncommitted.REFUSE));
        Optional<ClusterOptions.Lead> cluster = clusterOptions.lead(goal);
        if (cluster.isPresent()) {
            cluster.get().checkPortFree();
        }
        Path planFile = planOnly ? planFile(goal) : null;
        RunSetup setup = RunSetup.check(goal, Optional.ofNullable(into), allowDirty);
        setup.warnings().forEach(w -> err.println("troupe: warning: " + w));
        try (WebOption.Served page = web.start(setup.runDir().getParent(), setup.runId(), Launcher.secretsOf(goal), err)
                .orElse(null)) {
            try {
                setup.createFootprint();
            } catch (IOException e) {
                throw new TroupeException(ExitCodes.INTERNAL, "cannot create " + setup.runDir() + ": " + e.getMessage());
            }
            try (RunLock lock = RunLock.acquire(setup.runDir())) {
                int exit = Launcher.run(setup, Optional.empty(), List.of(), output, planOnly, cluster, out, err);
                if (planOnly && exit == ExitCodes.OK) {
                    savePlan(setup.runDir().resolve(RunContext.PLANNED_GOAL), planFile, out);
                }
                return exit;
            }
        }
    }

    /**
     * Where {@code --plan-only} writes the plan: beside the goal, so its relative paths still hold. Refused before
     * anything starts when it would overwrite a file, or when there is nothing to plan.
     */
    private Path planFile(Goal goal) throws TroupeException {
        if (!goal.tasks().isEmpty() || goal.fanout().isPresent()) {
            throw TroupeException.badInput("--plan-only is for a goal without tasks, and " + goalFile
                    + " lists its tasks" + (goal.fanout().isPresent() ? " (fanout)" : "") + "; run it as it is");
        }
        String name = goalFile.getFileName().toString();
        String stem = name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name;
        Path target = goalFile.toAbsolutePath().resolveSibling(stem + ".plan.yaml");
        if (Files.exists(target)) {
            throw TroupeException.badInput(target + " exists; move it away first (or run it: troupe run " + target + ")");
        }
        return target;
    }

    private static void savePlan(Path plan, Path target, PrintStream out) throws TroupeException {
        try {
            Files.copy(plan, target);
        } catch (IOException e) {
            throw new TroupeException(ExitCodes.INTERNAL, "cannot write the plan to " + target + ": " + e.getMessage()
                    + "; it is in " + plan);
        }
        out.println("  Plan:        " + target);
        out.println("  Next:        edit it if you like, then: troupe run " + target);
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
}
