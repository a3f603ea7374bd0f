package dev.troupe.cli;

import dev.troupe.team.ControlChannel;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * A live run, as {@code troupe stop}, {@code cancel}, {@code add} and {@code tell} reach it: found in the
 * repository, asked through its {@link ControlChannel}, its answer awaited.
 */
final class LiveRun {

    /** How long the live run has to take a request: it looks twice a second. */
    static final Duration ANSWER = Duration.ofSeconds(15);

    final Path runDir;

    private LiveRun(Path runDir) {
        this.runDir = runDir;
    }

    String id() {
        return runDir.getFileName().toString();
    }

    /**
     * For commands taking {@code [RUN] X}: the run {@code args} name (two of them) or the newest live one (one),
     * in the repository {@code repo}.
     */
    static LiveRun of(RepoOption repo, java.util.List<String> args, String forWhat) throws TroupeException {
        return find(RunDirs.of(repo), args.size() == 2 ? Optional.of(args.get(0)) : Optional.empty(), forWhat);
    }

    /** The run in {@code runDir}, which must be live. */
    static LiveRun at(Path runDir, String forWhat) throws TroupeException {
        if (!RunLock.isLive(runDir)) {
            throw TroupeException.badInput("run " + runDir.getFileName() + " is not live: nothing to " + forWhat);
        }
        return new LiveRun(runDir);
    }

    /** The named run, which must be live; without a name, the newest live run of the repository. */
    static LiveRun find(RunDirs runs, Optional<String> run, String forWhat) throws TroupeException {
        if (run.isPresent()) {
            Path runDir = runs.pick(run);
            if (!RunLock.isLive(runDir)) {
                throw TroupeException.badInput("run " + run.get() + " is not live: nothing to " + forWhat
                        + " (troupe status " + run.get() + " says what it is)");
            }
            return new LiveRun(runDir);
        }
        for (Path runDir : runs.all()) {
            if (RunLock.isLive(runDir)) {
                return new LiveRun(runDir);
            }
        }
        throw TroupeException.badInput("no live run in " + runs.top + ": nothing to " + forWhat);
    }

    /** Sends {@code command} and returns the run's answer; a refusal is bad input (exit 2), no answer exit 3. */
    String ask(String command, String task) throws TroupeException {
        return ask(command, task, null);
    }

    /**
     * {@code troupe tell}: {@code message} for {@code task}'s agent; {@code interrupt}: its turn under way cut short
     * first. The run's answer, as {@link #ask(String, String, String)} gives it.
     */
    String tell(String task, String message, boolean interrupt) throws TroupeException {
        return ask(interrupt ? "redirect" : "tell", task, message);
    }

    /** The same, with {@code message} (for {@code add}: the file of tasks; for {@code tell}: what to tell). */
    String ask(String command, String task, String message) throws TroupeException {
        try {
            String request = ControlChannel.send(runDir, command, task, message);
            Optional<ControlChannel.Reply> reply = ControlChannel.awaitReply(runDir, request, ANSWER);
            if (reply.isEmpty()) {
                ControlChannel.withdraw(runDir, request);
                if (!RunLock.isLive(runDir)) {
                    throw TroupeException.badInput("run " + id() + " ended before it read the request");
                }
                throw new TroupeException(ExitCodes.INTERNAL, "run " + id() + " did not answer within "
                        + ANSWER.toSeconds() + " s");
            }
            if (!reply.get().accepted()) {
                throw TroupeException.badInput(reply.get().message());
            }
            return reply.get().message();
        } catch (IOException e) {
            throw new TroupeException(ExitCodes.INTERNAL, "cannot reach run " + id() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TroupeException(ExitCodes.INTERRUPTED, "interrupted");
        }
    }
}
