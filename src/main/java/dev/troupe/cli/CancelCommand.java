package dev.troupe.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code troupe cancel [RUN] TASK}: a task of a live run will not run (again): its agent, if one works on it, is
 * stopped, its work kept on its failed branch; the task is cancelled, not failed; what comes after it is skipped.
 */
@Command(name = "cancel", description = "Cancel a task of a live run: stop its agent, skip what comes after it.")
final class CancelCommand implements Callable<Integer> {

    @Parameters(arity = "1..2", paramLabel = "[RUN] TASK", description = "the run (default: the newest live one) and the task id")
    List<String> args;

    @Mixin
    RepoOption repo = new RepoOption();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws TroupeException {
        LiveRun run = LiveRun.of(repo, args, "cancel");
        spec.commandLine().getOut().println("troupe: " + run.ask("cancel", args.get(args.size() - 1)));
        return ExitCodes.OK;
    }
}
