package dev.troupe.cli;

import dev.troupe.journal.TaskLife;
import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.agent.StreamJson;
import dev.troupe.journal.JournalReader;
import dev.troupe.journal.RunHistory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
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

    /** How often a followed file is looked at. */
    private static final long FOLLOW_POLL_MS = 200;
    /** How often --follow checks that the run still has a live troupe. */
    private static final long LIVENESS_CHECK_MS = 2000;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws TroupeException {
        RunDirs dirs = RunDirs.of(selection);
        Path runDir = dirs.pick(selection.run());
        long journalRead = journalSize(runDir);
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
                if (tail != null) {
                    printTail(runDir, t, tail, out);
                }
            }
            if (follow) {
                follow(runDir, history, journalRead, out);
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

    private static void printTail(Path runDir, TaskLife task, int lines, PrintWriter out) throws IOException {
        Optional<Path> latest = latestOutput(runDir, task);
        if (latest.isEmpty()) {
            out.println("(no agent output yet)");
            return;
        }
        out.println("## Last " + lines + " lines of " + latest.get().getFileName());
        out.println();
        Deque<String> last = new ArrayDeque<>();
        // The agent's bytes as it printed them: not always UTF-8.
        try (BufferedReader reader = JournalReader.lenientReader(latest.get()); Stream<String> all = reader.lines()) {
            all.forEach(line -> {
                last.add(line);
                if (last.size() > lines) {
                    last.removeFirst();
                }
            });
        }
        last.forEach(line -> out.println(readable(line)));
        out.println();
    }

    private static long journalSize(Path runDir) throws TroupeException {
        try {
            return FileTail.sizeOf(runDir.resolve("events.jsonl"));
        } catch (IOException e) {
            throw new TroupeException(ExitCodes.INTERNAL, "cannot read " + runDir + ": " + e.getMessage());
        }
    }

    /**
     * Shows the task's agent output as it is written, moving on to each new attempt's, and keeps the run's
     * history current from the journal's new lines, until the task is settled or the run has no live troupe.
     */
    private void follow(Path runDir, RunHistory history, long journalRead, PrintWriter out)
            throws IOException, InterruptedException {
        FileTail journal = new FileTail(runDir.resolve("events.jsonl"), journalRead);
        Optional<Path> latest = latestOutput(runDir, history.tasks().get(task));
        FileTail agent = latest.isPresent() ? new FileTail(latest.get(), FileTail.sizeOf(latest.get())) : null;
        out.println("## Following " + task + " (Ctrl-C to stop)");
        out.flush();
        long lastLivenessCheck = System.nanoTime();
        while (true) {
            journal.newLines().forEach(line -> JournalReader.parse(line).ifPresent(history::apply));
            // A task not yet assigned gets its slug with its first assignment.
            Optional<Path> now = latestOutput(runDir, history.tasks().get(task));
            if (now.isPresent() && (agent == null || !agent.file().equals(now.get()))) {
                show(agent, out);
                agent = new FileTail(now.get(), 0);
                out.println("## " + now.get().getFileName());
            }
            show(agent, out);
            out.flush();
            TaskLife followed = history.tasks().get(task);
            boolean settled = followed.state().isSettled();
            boolean stopped = history.finished().isPresent();
            if (!settled && !stopped && System.nanoTime() - lastLivenessCheck > LIVENESS_CHECK_MS * 1_000_000) {
                lastLivenessCheck = System.nanoTime();
                stopped = !RunLock.isLive(runDir);
            }
            if (settled || stopped) {
                show(agent, out);
                out.println("(" + task + " is " + followed.state().name().toLowerCase()
                        + (settled ? "" : "; the run is not going on") + ")");
                out.flush();
                return;
            }
            Thread.sleep(FOLLOW_POLL_MS);
        }
    }

    /** Prints what was added to a followed agent output since it was last looked at (none yet: nothing). */
    private static void show(FileTail agent, PrintWriter out) throws IOException {
        if (agent != null) {
            agent.newLines().forEach(line -> out.println(readable(line)));
        }
    }

    /** The task's newest agent output file, found by the slug the run gave it. */
    private static Optional<Path> latestOutput(Path runDir, TaskLife task) throws IOException {
        Path agents = runDir.resolve("agents");
        if (task.slug().isEmpty() || !Files.isDirectory(agents)) {
            return Optional.empty();
        }
        String slug = task.slug().get();
        try (Stream<Path> files = Files.list(agents)) {
            return files.filter(p -> p.getFileName().toString().matches(java.util.regex.Pattern.quote(slug) + "-\\d+\\.jsonl"))
                    .max(java.util.Comparator.comparingInt(ResultsCommand::attemptOf));
        }
    }

    private static int attemptOf(Path file) {
        String name = file.getFileName().toString();
        return Integer.parseInt(name.substring(name.lastIndexOf('-') + 1, name.length() - ".jsonl".length()));
    }

    /** One stream-json line as a person would want to read it. */
    static String readable(String line) {
        JsonNode json = StreamJson.decode(line).json();
        if (json == null) {
            return line;
        }
        String type = json.path("type").asText();
        switch (type) {
            case "assistant", "user" -> {
                StringBuilder text = new StringBuilder();
                for (JsonNode block : json.path("message").path("content")) {
                    String kind = block.path("type").asText();
                    if (kind.equals("text")) {
                        text.append(type).append(": ").append(block.path("text").asText());
                    } else if (kind.equals("tool_use")) {
                        text.append("tool ").append(block.path("name").asText()).append(' ').append(block.path("input"));
                    } else if (kind.equals("tool_result")) {
                        text.append("tool result: ").append(block.path("content").isTextual()
                                ? block.path("content").asText() : block.path("content").toString());
                    }
                }
                return text.length() > 0 ? shorten(text.toString()) : "[" + type + "]";
            }
            case "result" -> {
                return "result: " + (json.path("is_error").asBoolean(true) ? "error" : "success") + " - "
                        + shorten(json.path("result").asText(String.join("; ", json.path("errors").findValuesAsText(""))));
            }
            case "system" -> {
                return "[system/" + json.path("subtype").asText() + "]";
            }
            default -> {
                return "[" + type + "]";
            }
        }
    }

    private static String shorten(String text) {
        String flat = text.replace('\n', ' ');
        return flat.length() > 300 ? flat.substring(0, 297) + "..." : flat;
    }
}
