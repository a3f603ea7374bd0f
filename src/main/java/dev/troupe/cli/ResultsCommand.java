package dev.troupe.cli;

import dev.troupe.journal.TaskLife;
import dev.troupe.journal.RunHistory;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code troupe results [RUN] [--task ID] [--tail N] [--follow]}: what each task did (its result text and files
 * changed), and the end of an agent's output as readable lines; with {@code --follow}, the agent's output as it
 * comes, through later attempts, until the task is settled or the run stops.
 */
@Command(name = "results", description = "Show what each task did, or the tail of an agent's output.")
final class ResultsCommand implements Callable<Integer> {

    @Mixin
    RunDirs.Selection selection = new RunDirs.Selection();

    @Option(names = "--task", paramLabel = "ID", description = "only this task")
    String task;

    @Option(names = "--tail", paramLabel = "N", description = "also the last N lines of the task's latest agent output")
    Integer tail;

    @Option(names = "--follow", description = "with --task: go on showing the agent's output as it comes, until the"
            + " task is merged, failed or skipped, or the run stops")
    boolean follow;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws TroupeException {
        RunDirs dirs = RunDirs.of(selection);
        Path runDir = dirs.pick(selection.run());
        long journalRead = RunDirs.journalSize(runDir);
        RunHistory history = RunDirs.history(runDir);
        if (task != null && !history.tasks().containsKey(task)) {
            throw TroupeException.badInput("run " + history.started().run() + " has no task '" + task + "'");
        }
        if (tail != null && (task == null || tail < 1)) {
            throw TroupeException.badInput("--tail needs --task and a number of lines of at least 1");
        }
        if (follow && task == null) {
            throw TroupeException.badInput("--follow needs --task: the agent to follow");
        }
        if (follow && tail == null) {
            tail = 10;
        }
        PrintWriter out = spec.commandLine().getOut();
        List<TaskLife> tasks = task == null ? List.copyOf(history.tasks().values())
                : List.of(history.tasks().get(task));
        try {
            for (TaskLife t : tasks) {
                printResult(runDir, t, out);
                VariantTable.print(dirs.top, t, out);
            }
            if (tail != null) {
                AgentFollower agent = new AgentFollower(runDir, history, journalRead, task);
                agent.printTail(tail, out);
                if (follow) {
                    out.println("## Following " + task + " (Ctrl-C to stop)");
                    out.flush();
                    agent.follow(out);
                }
            }
        } catch (IOException e) {
            throw new TroupeException(ExitCodes.INTERNAL, "cannot read " + runDir + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.INTERRUPTED;
        }
        out.flush();
        return ExitCodes.OK;
    }

    private static void printResult(Path runDir, TaskLife task, PrintWriter out) throws IOException {
        // A task whose change was picked among variants has its winner's report.
        Optional<Path> result = task.slug().map(slug -> runDir.resolve("results").resolve(task.chosen()
                .map(chosen -> slug + ".variant-" + chosen.winner()).orElse(slug) + ".md"));
        if (result.isPresent() && Files.exists(result.get())) {
            if (task.state() != TaskLife.State.MERGED) {
                // The file tells of a successful attempt; the task itself may not have merged.
                out.println("(" + task.id() + " is " + task.state().name().toLowerCase()
                        + (task.reason().isEmpty() ? "" : ": " + task.reason()) + ")");
            }
            out.println(Files.readString(result.get(), StandardCharsets.UTF_8).stripTrailing());
        } else {
            out.println("# " + task.id());
            out.println();
            out.println(task.state().name().toLowerCase() + (task.reason().isEmpty() ? "" : ": " + task.reason()));
        }
        out.println();
    }
}
