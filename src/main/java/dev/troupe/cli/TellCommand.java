package dev.troupe.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code troupe tell [RUN] TASK MESSAGE}: a message for a task's agent in a live run. An agent at work that takes
 * live input (Claude Code, the demo agent) hears it now, during its turn or as a turn of its own; every attempt of
 * the task that starts from now on is given it too. The reply says which it was. {@code --interrupt} cuts the
 * agent's turn under way short and gives it the message next: "stop that; do this instead".
 */
@Command(name = "tell", description = {"Tell a task's agent something: an agent at work hears it now (Claude Code,"
        + " the demo agent), and each later attempt of the task is told it too.",
        "The reply says whether the agent took it in, or why not."})
final class TellCommand implements Callable<Integer> {

    @picocli.CommandLine.Option(names = "--interrupt", description = "cut the agent's turn under way short and give it"
            + " the message next (the attempt goes on; it is no failure)")
    boolean interrupt;

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
        spec.commandLine().getOut().println("troupe: " + run.tell(runAndTask.get(runAndTask.size() - 1), message.strip(), interrupt));
        return ExitCodes.OK;
    }
}
