package dev.troupe.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code troupe add [RUN] FILE}: tasks join a live run (the syntax of a goal's {@code tasks:}; {@code after} may
 * name the run's tasks). The run checks them as it checks a goal file; a file it refuses changes nothing (exit 2).
 */
@Command(name = "add", description = "Add tasks to a live run (a list of tasks, as under a goal's tasks:).")
final class AddCommand implements Callable<Integer> {

    @Parameters(arity = "1..2", paramLabel = "[RUN] FILE", description = "the run (default: the newest live one) and the file of tasks")
    List<String> args;

    @Mixin
    RepoOption repo = new RepoOption();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws TroupeException {
        Path file = Path.of(args.get(args.size() - 1)).toAbsolutePath();
        LiveRun run = LiveRun.of(repo, args, "add to");
        spec.commandLine().getOut().println("troupe: " + run.ask("add", null, file.toString()));
        return ExitCodes.OK;
    }
}
