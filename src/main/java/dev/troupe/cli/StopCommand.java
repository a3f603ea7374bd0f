package dev.troupe.cli;

import dev.troupe.team.ControlChannel;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
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

    /** How long the live run has to take the request: it looks twice a second. */
    static final Duration ANSWER = Duration.ofSeconds(15);

    @Mixin
    RunDirs.Selection selection = new RunDirs.Selection();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws TroupeException {
        RunDirs runs = RunDirs.of(selection);
        Path runDir = selection.run().isPresent() ? runs.pick(selection.run()) : newestLive(runs);
        String run = runDir.getFileName().toString();
        if (!RunLock.isLive(runDir)) {
            throw TroupeException.badInput("run " + run + " is not live: nothing to stop (troupe status " + run
                    + " says what it is)");
        }
        try {
            String id = ControlChannel.send(runDir, "stop", null, null);
            Optional<ControlChannel.Reply> reply = ControlChannel.awaitReply(runDir, id, ANSWER);
            if (reply.isEmpty()) {
                ControlChannel.withdraw(runDir, id);
                if (!RunLock.isLive(runDir)) {
                    throw TroupeException.badInput("run " + run + " ended before it read the request");
                }
                throw new TroupeException(ExitCodes.INTERNAL, "run " + run + " did not answer within "
                        + ANSWER.toSeconds() + " s");
            }
            if (!reply.get().accepted()) {
                throw TroupeException.badInput(reply.get().message());
            }
            spec.commandLine().getOut().println("troupe: " + reply.get().message()
                    + ". Finish it later with: troupe resume " + run);
            return ExitCodes.OK;
        } catch (IOException e) {
            throw new TroupeException(ExitCodes.INTERNAL, "cannot ask run " + run + " to stop: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TroupeException(ExitCodes.INTERRUPTED, "interrupted");
        }
    }

    private static Path newestLive(RunDirs runs) throws TroupeException {
        for (Path runDir : runs.all()) {
            if (RunLock.isLive(runDir)) {
                return runDir;
            }
        }
        throw TroupeException.badInput("no live run in " + runs.top + ": nothing to stop");
    }
}
