package dev.troupe.view;

import dev.troupe.goal.Goal;
import dev.troupe.journal.Journal;
import dev.troupe.journal.Money;
import dev.troupe.journal.TeamEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * {@code notify:} of the goal file: tells people when the run needs them, so nobody has to watch it. On a task
 * failed for good ({@code task-failed}), the run's end ({@code run-finished}), a pause for a rate limit or the
 * budget ({@code run-paused}) and an agent refused tools ({@code agent-blocked}), it rings the terminal bell
 * ({@code bell: true}) and runs {@code command} with {@code bash -c} in the repository: the event in
 * {@code TROUPE_EVENT}, {@code TROUPE_RUN}, {@code TROUPE_TASK} and {@code TROUPE_MESSAGE}, its journal line
 * on stdin. Commands run off the journal's thread, one at a time, at most {@link #COMMAND_TIMEOUT} each;
 * what they print and how they failed goes to {@code notify.log} in the run directory. A notification never
 * changes the run.
 */
public final class Notifier implements Journal.Listener {

    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    /** A pause is extended with each retry the API asks for: within this long of the last, it is not news. */
    static final Duration PAUSE_QUIET = Duration.ofMinutes(5);

    private final Goal.Notify settings;
    private final String runId;
    private final Path repo;
    private final Path log;
    private final PrintStream terminal;
    private final Executor executor;
    private final java.util.function.Consumer<Map<String, String>> usersEnvironment;
    /** The notifications sent, in order; each runs after the one before. */
    private volatile CompletableFuture<Void> last = CompletableFuture.completedFuture(null);
    /** When a pause was last told of; only the journal's thread touches it. */
    private Instant lastPause = Instant.MIN;

    /**
     * @param terminal where the bell rings (the console's stream)
     * @param executor for the commands: blocking work
     * @param usersEnvironment makes troupe's environment the user's again for a command (bin/troupe's own settings out)
     */
    public Notifier(Goal.Notify settings, String runId, Path repo, Path runDir, PrintStream terminal, Executor executor,
            java.util.function.Consumer<Map<String, String>> usersEnvironment) {
        this.settings = settings;
        this.runId = runId;
        this.repo = repo;
        this.log = runDir.resolve("notify.log");
        this.terminal = terminal;
        this.executor = executor;
        this.usersEnvironment = usersEnvironment;
    }

    /** The kind of notification an event is, or null when it is none. */
    static String kindOf(TeamEvent event) {
        if (event instanceof TeamEvent.TaskFailed) {
            return "task-failed";
        } else if (event instanceof TeamEvent.RunFinished) {
            return "run-finished";
        } else if (event instanceof TeamEvent.TeamPaused || event instanceof TeamEvent.BudgetSpent) {
            return "run-paused";
        } else if (event instanceof TeamEvent.TaskSucceeded done && done.permissionDenials() > 0) {
            return "agent-blocked";
        }
        return null;
    }

    @Override
    public void written(TeamEvent event, String json) {
        String kind = kindOf(event);
        if (kind == null) {
            return;
        }
        if (kind.equals("run-paused")) {
            if (event.time().isBefore(lastPause.plus(PAUSE_QUIET))) {
                return;
            }
            lastPause = event.time();
        }
        if (settings.bell()) {
            terminal.print('\u0007');
            terminal.flush();
        }
        settings.command().ifPresent(command -> {
            String task = event instanceof TeamEvent.TaskFailed e ? e.task()
                    : event instanceof TeamEvent.TaskSucceeded e ? e.task() : "";
            String message = describe(event);
            last = last.thenRunAsync(() -> run(command, kind, task, message, json), executor);
        });
    }

    private static String describe(TeamEvent event) {
        String line = ConsoleView.describe(event);
        if (line != null) {
            return line;
        }
        return event instanceof TeamEvent.RunFinished e ? "run " + e.run() + " finished: " + e.merged() + " merged, "
                + e.failed() + " failed, " + e.skipped() + " skipped, " + Money.format(e.costUsd()) + " spent" : "";
    }

    private void run(String command, String kind, String task, String message, String json) {
        try {
            ProcessBuilder builder = new ProcessBuilder("bash", "-c", command).directory(repo.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            usersEnvironment.accept(builder.environment());
            builder.environment().putAll(Map.of("TROUPE_EVENT", kind, "TROUPE_RUN", runId, "TROUPE_TASK", task,
                    "TROUPE_MESSAGE", message));
            Process process = builder.start();
            // Written apart: a command that neither reads nor exits must not hold the write past the timeout.
            Thread feed = new Thread(() -> {
                try (OutputStream stdin = process.getOutputStream()) {
                    stdin.write((json + "\n").getBytes(StandardCharsets.UTF_8));
                } catch (IOException closedEarly) {
                    // A command that does not read its stdin is fine.
                }
            }, "troupe-notify-stdin");
            feed.setDaemon(true);
            feed.start();
            if (!process.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                note("the notify command for " + kind + " ran longer than " + COMMAND_TIMEOUT.toSeconds() + " s and was stopped");
            } else if (process.exitValue() != 0) {
                note("the notify command for " + kind + " exited with code " + process.exitValue());
            }
        } catch (IOException e) {
            note("the notify command for " + kind + " could not start: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void note(String line) {
        try {
            Files.writeString(log, Instant.now() + " troupe: " + line + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            // Nowhere left to say it; the run goes on.
        }
    }

    /** Waits for the notifications sent so far (the run's end among them), at most {@code limit}. */
    public void await(Duration limit) {
        try {
            last.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception timedOutOrFailed) {
            note("not every notification was sent before troupe ended");
        }
    }
}
