package dev.troupe.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code troupe tell [RUN] TASK MESSAGE}: a message for a task's agent in a live run. It reaches the agent with the
 * task's next attempt (its first, if it has not started); an agent at work runs on without it, and the reply says so.
 */
@Command(name = "tell", description = "Tell a task's agent something: it goes with the task's next attempt.")
final class TellCommand implements Callable<Integer> {

    @Parameters(arity = "2..3", paramLabel = "[RUN] TASK MESSAGE",
            description = "the run (default: the newest live one), the task id and the message")
    List<String> args;

    @Mixin
    RepoOption repo = new RepoOption();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws TroupeException {
        String message = args.get(args.size() - 1);
        if (message.isBlank()) {
            throw TroupeException.badInput("the message is empty: say what the agent is to be told");
        }
        List<String> runAndTask = args.subList(0, args.size() - 1);
        LiveRun run = LiveRun.of(repo, runAndTask, "tell");
        spec.commandLine().getOut().println("troupe: " + run.ask("tell", runAndTask.get(runAndTask.size() - 1),
                message.strip()));
        return ExitCodes.OK;
    }
}
