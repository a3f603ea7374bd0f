package dev.troupe.cli;

import dev.troupe.journal.TaskLife;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.goal.Durations;
import dev.troupe.journal.Json;
import dev.troupe.journal.Money;
import dev.troupe.journal.RunHistory;
import dev.troupe.journal.TeamEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code troupe status [RUN]}: each task's state, attempts, worker and cost, and the run's totals, live or after. */
@Command(name = "status", description = "Show a run's tasks, workers, progress and cost.")
final class StatusCommand implements Callable<Integer> {

    @Mixin
    RunDirs.Selection selection = new RunDirs.Selection();

    @Option(names = "--json", description = "one JSON object on one line")
    boolean json;

    @Spec
    CommandSpec spec;

    /** Whether a run is going on, finished, or stopped without finishing (and so can be resumed). */
    enum Liveness { LIVE, FINISHED, STOPPED }

    @Override
    public Integer call() throws TroupeException {
        Path runDir = RunDirs.of(selection).pick(selection.run());
        RunHistory history = RunDirs.history(runDir);
        Liveness liveness = liveness(runDir, history);
        var out = spec.commandLine().getOut();
        if (json) {
            out.println(asJson(history, liveness));
        } else {
            print(history, liveness, runDir, out);
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** By the run's lock, not its pid: a killed troupe can linger as a zombie, but it holds no lock. */
    static Liveness liveness(Path runDir, RunHistory history) {
        if (RunLock.isLive(runDir)) {
            return Liveness.LIVE;
        }
        return history.finished().isPresent() ? Liveness.FINISHED : Liveness.STOPPED;
    }

    private static void print(RunHistory history, Liveness liveness, Path runDir, java.io.PrintWriter out) {
        var started = history.started();
        out.printf(Locale.ROOT, "Run %s into %s: %s%n", started.run(), started.integrationBranch(), switch (liveness) {
            case LIVE -> "live (troupe pid " + RunLock.owner(runDir).orElse("?") + ")";
            case FINISHED -> "finished, exit " + history.finished().get().exitCode();
            case STOPPED -> "stopped before it finished; finish it with: troupe resume " + started.run();
        });
        int total = history.tasks().size();
        long merged = history.count(TaskLife.State.MERGED);
        long held = history.count(TaskLife.State.HELD);
        out.printf(Locale.ROOT, "%s%s %d/%d merged, %d running, %d queued,%s %d failed, %d skipped%s. Spent %s.%n%n",
                history.lastRound() > 1 ? "Round " + history.lastRound() + ": " : "", bar(merged, total), merged, total,
                history.count(TaskLife.State.RUNNING) + history.count(TaskLife.State.REVIEWING)
                        + history.count(TaskLife.State.MERGING),
                history.count(TaskLife.State.QUEUED) + history.count(TaskLife.State.WAITING),
                held == 0 ? "" : " " + held + " held for the sync point,",
                history.count(TaskLife.State.FAILED), history.count(TaskLife.State.SKIPPED),
                history.count(TaskLife.State.CANCELLED) == 0 ? ""
                        : ", " + history.count(TaskLife.State.CANCELLED) + " cancelled",
                Money.format(history.costUsd()));
        int width = Math.max(4, history.tasks().keySet().stream().mapToInt(String::length).max().orElse(4));
        String row = "  %-" + width + "s  %-9s  %8s  %-10s  %9s  %8s  %s%n";
        out.printf(Locale.ROOT, row, "TASK", "STATE", "ATTEMPTS", "WORKER", "COST", "FOR", "NOTE");
        Instant now = liveness == Liveness.LIVE ? Instant.now() : history.lastEvent();
        for (TaskLife task : history.tasks().values()) {
            // A task whose merge is being checked shows how long the check has run, the slow part of a merge.
            Instant from = task.checking().map(TeamEvent.CheckStarted::time).orElse(task.since());
            String since = from == null ? "-" : Durations.format(Duration.between(from, now));
            out.printf(Locale.ROOT, row, task.id(), stateOf(task), task.tries(),
                    task.worker().isEmpty() ? "-" : task.worker(), Money.format(task.costUsd()), since,
                    task.checking().map(check -> "sync.check: " + check.command()).orElse(task.reason()));
        }
    }

    /** Its state's name, or {@code checking} while its merge (or a variant's trial) is being checked. */
    private static String stateOf(TaskLife task) {
        return task.checking().isPresent() ? "checking" : task.state().label();
    }

    private static String bar(long done, int total) {
        int width = 20;
        int filled = total == 0 ? width : (int) (done * width / total);
        return "[" + "#".repeat(filled) + ".".repeat(width - filled) + "]";
    }

    private static String asJson(RunHistory history, Liveness liveness) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        var started = history.started();
        root.put("run", started.run()).put("state", liveness.name().toLowerCase(Locale.ROOT))
                .put("integrationBranch", started.integrationBranch()).put("costUsd", history.costUsd());
        history.finished().ifPresent(f -> root.put("exitCode", f.exitCode()));
        root.put("round", history.lastRound());
        ObjectNode totals = root.putObject("totals");
        for (TaskLife.State state : TaskLife.State.values()) {
            totals.put(state.label(), history.count(state));
        }
        ArrayNode tasks = root.putArray("tasks");
        for (TaskLife task : history.tasks().values()) {
            ObjectNode row = tasks.addObject().put("id", task.id())
                    .put("state", task.state().label()).put("attempts", task.tries())
                    .put("agentRuns", task.attempts()).put("round", history.roundOf(task.id()))
                    .put("worker", task.worker()).put("costUsd", task.costUsd())
                    .put("tokens", task.usage().total()).put("mergeCommit", task.mergeCommit())
                    .put("reason", task.reason());
            task.checking().ifPresent(check -> row.put("checkingSince", check.time().toString()));
        }
        try {
            return Json.MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
