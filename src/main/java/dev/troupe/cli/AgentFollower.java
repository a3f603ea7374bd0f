package dev.troupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.agent.StreamJson;
import dev.troupe.journal.FileTail;
import dev.troupe.journal.JournalReader;
import dev.troupe.journal.RunHistory;
import dev.troupe.journal.TaskLife;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A task's agent output as readable lines, for {@code troupe results --tail/--follow} and {@code troupe attach}: the
 * end of its newest attempt's file, then what is written to it and to each later attempt's, until the task is
 * settled, the run has no live troupe, or the one following lets go. A file it cannot read ends the follow.
 */
final class AgentFollower {

    /** Why following stopped. */
    enum Ending { SETTLED, RUN_OVER, LET_GO }

    /** How often a followed file is looked at. */
    private static final long POLL_MS = 200;
    /** How often a follow checks that the run still has a live troupe. */
    private static final long LIVENESS_CHECK_MS = 2000;

    private final Path runDir;
    private final RunHistory history;
    private final String task;
    private final FileTail journal;
    /** The newest attempt's output, read up to where it was last shown; null while the task has none. */
    private FileTail agent;

    /**
     * @param history the run as its journal told it, up to {@code journalRead} bytes; kept current from there
     * @param task a task {@code history} knows
     */
    AgentFollower(Path runDir, RunHistory history, long journalRead, String task) throws IOException {
        this.runDir = runDir;
        this.history = history;
        this.task = task;
        this.journal = new FileTail(runDir.resolve("events.jsonl"), journalRead);
        Optional<Path> latest = latestOutput();
        this.agent = latest.isPresent() ? new FileTail(latest.get(), FileTail.sizeOf(latest.get())) : null;
    }

    /** Prints the last {@code lines} lines of the newest attempt's output; a follow goes on from where they end. */
    void printTail(int lines, PrintWriter out) throws IOException {
        Optional<Path> latest = latestOutput();
        if (latest.isEmpty()) {
            out.println("(no agent output yet)");
            return;
        }
        out.println("## Last " + lines + " lines of " + latest.get().getFileName());
        out.println();
        // Read through the same tail a follow goes on with, so no line falls between the two.
        agent = new FileTail(latest.get(), 0);
        Deque<String> last = new ArrayDeque<>();
        for (List<String> read = agent.newLines(); !read.isEmpty(); read = agent.newLines()) {
            for (String line : read) {
                last.add(line);
                if (last.size() > lines) {
                    last.removeFirst();
                }
            }
        }
        last.forEach(line -> out.println(readable(line)));
        out.println();
    }

    /** Follows until the task is settled or the run is not going on. */
    Ending follow(PrintWriter out) throws IOException, InterruptedException {
        return follow(out, new CountDownLatch(1));
    }

    /**
     * Shows the agent's output as it is written, moving on to each new attempt's, and keeps the run's history
     * current from the journal's new lines, until the task is settled, the run is not going on, or {@code letGo}
     * is counted down. The first two end with a line saying so.
     */
    Ending follow(PrintWriter out, CountDownLatch letGo) throws IOException, InterruptedException {
        long lastLivenessCheck = System.nanoTime();
        while (true) {
            journal.newLines().forEach(line -> JournalReader.parse(line).ifPresent(history::apply));
            // A task not yet assigned gets its slug with its first assignment.
            Optional<Path> now = latestOutput();
            if (now.isPresent() && (agent == null || !agent.file().equals(now.get()))) {
                show(out);
                agent = new FileTail(now.get(), 0);
                out.println("## " + now.get().getFileName());
            }
            show(out);
            out.flush();
            TaskLife followed = history.tasks().get(task);
            boolean settled = followed.state().isSettled();
            boolean stopped = history.finished().isPresent();
            if (!settled && !stopped && System.nanoTime() - lastLivenessCheck > LIVENESS_CHECK_MS * 1_000_000) {
                lastLivenessCheck = System.nanoTime();
                stopped = !RunLock.isLive(runDir);
            }
            if (settled || stopped) {
                show(out);
                out.println("(" + task + " is " + followed.state().name().toLowerCase()
                        + (settled ? "" : "; the run is not going on") + ")");
                out.flush();
                return settled ? Ending.SETTLED : Ending.RUN_OVER;
            }
            if (letGo.await(POLL_MS, TimeUnit.MILLISECONDS)) {
                show(out);
                out.flush();
                return Ending.LET_GO;
            }
        }
    }

    /** Prints what was added to the followed output since it was last looked at (none yet: nothing). */
    private void show(PrintWriter out) throws IOException {
        if (agent != null) {
            agent.newLines().forEach(line -> out.println(readable(line)));
        }
    }

    /** The task's newest agent output file, found by the slug the run gave it. */
    private Optional<Path> latestOutput() throws IOException {
        TaskLife life = history.tasks().get(task);
        Path agents = runDir.resolve("agents");
        if (life.slug().isEmpty() || !Files.isDirectory(agents)) {
            return Optional.empty();
        }
        Pattern attempts = Pattern.compile(Pattern.quote(life.slug().get()) + "-\\d+\\.jsonl");
        try (Stream<Path> files = Files.list(agents)) {
            return files.filter(p -> attempts.matcher(p.getFileName().toString()).matches())
                    .max(Comparator.comparingInt(AgentFollower::attemptOf));
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
                // What the agent was told (its prompt, a message) comes back as plain text, not as blocks.
                if (json.path("message").path("content").isTextual()) {
                    return shorten(type + ": " + json.path("message").path("content").asText());
                }
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
