package dev.troupe.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code troupe stop [RUN]}: asks a live run to stop gracefully: nothing more is launched, what is under way
 * finishes (reviewed, merged), then the run ends, exit 130, and {@code troupe resume} runs what is left.
 */
@Command(name = "stop", description = "Stop a live run gracefully: no new launches; running tasks finish; resume later.")
final class StopCommand implements Callable<Integer> {

    @Mixin
    RunDirs.Selection selection = new RunDirs.Selection();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws TroupeException {
        LiveRun run = LiveRun.find(RunDirs.of(selection), selection.run(), "stop");
        spec.commandLine().getOut().println("troupe: " + run.ask("stop", null) + ". Finish it later with: troupe resume "
                + run.id());
        return ExitCodes.OK;
    }
}
