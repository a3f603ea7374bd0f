package dev.troupe.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.journal.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The built-in demo agent ({@code agent.command: [demo]}): takes the same arguments as {@code claude -p}
 * and speaks the same stream-json, but needs no model. It makes one small, deterministic edit: the first
 * path in the prompt outside quotes ({@code greetings/fr.txt}) gets the prompt's first double-quoted text as a new line
 * (or a note naming the task, when the prompt quotes nothing). A prompt naming no file adds a line to DEMO.md.
 * A prompt that says "(takes 5s)" has it work five seconds first, to watch a team at work and steer it. What
 * {@code troupe tell} said to the task, when it quotes a text, is written instead of the prompt's own.
 *
 * <p>Its prompt is the argument after {@code --}; with {@code --input-format stream-json} it is the first user
 * message on stdin instead, and {@link DemoConversation} carries on the conversation from there.
 *
 * <p>Asked for structured output ({@code --json-schema}), it answers instead ({@link DemoAnswers}), as the planner,
 * a reviewer or the judge of a task's variants. A variant whose {@code --append-system-prompt} quotes a text writes
 * that text instead of the prompt's (so variants differ without a model).
 *
 * <p>It keeps its sessions as the prompts they were given ({@link DemoSessions}): with {@code --resume ID} (and
 * {@code --fork-session}) it goes on with the task of that session's first prompt, the new prompt being what it is
 * told next, and fails as the CLI does when it knows no such session.
 */
public final class DemoAgent {

    /** "(takes 5s)" in a prompt: the agent works that long first, saying so every second (for steering demos). */
    private static final Pattern TAKES = Pattern.compile("\\(takes (\\d{1,3}) ?s\\)");
    private static final String NO_FILE = "DEMO.md";

    /** What the agent is told while a turn runs, heard between its steps. */
    interface Steering {

        /** An agent that hears nothing while it works: its prompt was all it got. */
        Steering NONE = millis -> {
            Thread.sleep(millis);
            return List.of();
        };

        /**
         * Waits about {@code millis}, then gives the messages taken in meanwhile, in order.
         *
         * @throws Aborted when told to stop the turn
         */
        List<String> await(long millis) throws Aborted, IOException, InterruptedException;

        /** The turn was interrupted: its steps stop where they are. */
        final class Aborted extends Exception {
            Aborted() {
                super("interrupted", null, false, false);
            }
        }
    }

    /** Ends the process with an exit code, its message on stderr; mapped to the exit in {@link #main} only. */
    static final class Exit extends RuntimeException {
        final int code;

        Exit(int code, String message) {
            super(message);
            this.code = code;
        }
    }

    private final DemoStream stream;
    private final long paceMillis;
    private final Steering steering;
    private final Optional<String> schema;
    /** The prompts of the session it resumed; empty when it began one. */
    private final List<String> earlier;
    private final Optional<String> systemPrompt;

    private DemoAgent(DemoStream stream, long paceMillis, Steering steering, Optional<String> schema,
            List<String> earlier, Optional<String> systemPrompt) {
        this.stream = stream;
        this.paceMillis = paceMillis;
        this.steering = steering;
        this.schema = schema;
        this.earlier = earlier;
        this.systemPrompt = systemPrompt;
    }

    public static void main(String[] args) throws Exception {
        try {
            run(List.of(args));
        } catch (Exit exit) {
            System.err.println(exit.getMessage());
            System.exit(exit.code);
        }
    }

    private static void run(List<String> argv) throws IOException, InterruptedException {
        boolean live = "stream-json".equals(option(argv, "--input-format"));
        int end = argv.indexOf("--");
        String prompt = end >= 0 && end + 1 < argv.size() ? argv.get(end + 1) : null;
        if (!argv.contains("-p") || (prompt == null && !live) || !"stream-json".equals(option(argv, "--output-format"))) {
            throw new Exit(1, "usage: demo -p [--input-format stream-json [--replay-user-messages]]"
                    + " --output-format stream-json --verbose ... [-- PROMPT, unless the input is stream-json]");
        }
        String resumed = option(argv, "--resume");
        String sessionId = option(argv, "--session-id");
        if (sessionId == null) {
            sessionId = resumed != null && !argv.contains("--fork-session") ? resumed : UUID.randomUUID().toString();
        }
        long pace = Long.parseLong(System.getenv().getOrDefault("TROUPE_DEMO_PACE_MS", "400"));
        DemoStream stream = new DemoStream(new PrintStream(System.out, true, StandardCharsets.UTF_8), sessionId);
        DemoSessions sessions = DemoSessions.here();
        List<String> before = List.of();
        if (resumed != null) {
            before = sessions.prompts(resumed).orElseThrow(() -> noSuchSession(stream, resumed));
        }
        Optional<String> schema = Optional.ofNullable(option(argv, "--json-schema"));
        Optional<String> systemPrompt = Optional.ofNullable(option(argv, "--append-system-prompt"));
        if (live) {
            DemoConversation conversation = new DemoConversation(DemoInbox.reading(System.in), stream,
                    argv.contains("--replay-user-messages"), sessions, sessionId, before);
            conversation.run(new DemoAgent(stream, pace, conversation, schema, before, systemPrompt));
            return;
        }
        List<String> conversation = new ArrayList<>(before);
        conversation.add(prompt);
        sessions.save(sessionId, conversation);
        DemoAgent agent = new DemoAgent(stream, pace, Steering.NONE, schema, before, systemPrompt);
        agent.begin();
        try {
            agent.task(prompt);
        } catch (Steering.Aborted impossible) {
            throw new IllegalStateException("an agent that hears nothing cannot be interrupted", impossible);
        }
    }

    /** {@code --resume} of a session it does not know: an error result, as the CLI gives. */
    private static Exit noSuchSession(DemoStream stream, String id) {
        String error = "No conversation found with session ID: " + id;
        ObjectNode result = stream.event("result").put("subtype", "error_during_execution").put("is_error", true)
                .put("num_turns", 0).put("total_cost_usd", 0.0);
        result.putArray("errors").add(error);
        stream.emit(result);
        return new Exit(1, error);
    }

    /** A turn begins ({@code system/init}). */
    void begin() {
        stream.init(schema.isPresent() ? "plan" : "acceptEdits");
    }

    /** The turn of the session's task, {@code prompt} the first thing this process was told. */
    void task(String prompt) throws Steering.Aborted, IOException, InterruptedException {
        if (schema.isPresent()) {
            String asked = schema.get();
            answer(prompt, asked.contains("\"verdict\"") ? DemoAnswers.review(prompt)
                    : asked.contains("\"met\"") ? DemoAnswers.round(prompt)
                    : asked.contains("\"winner\"") ? DemoAnswers.judge(prompt, asked) : DemoAnswers.plan(prompt));
        } else if (!earlier.isEmpty()) {
            work(earlier.get(0), Optional.of(prompt));
        } else {
            // A variant told to write other words (in its system prompt's quotes) writes those.
            Optional<String> quoted = systemPrompt.flatMap(DemoAnswers::firstQuote);
            work(quoted.map(words -> "\"" + words + "\"\n" + prompt).orElse(prompt), Optional.empty());
        }
    }

    /** The file the session's task writes, {@code prompt} the first thing this process was told. */
    String taskFile(String prompt) {
        return DemoAnswers.pathIn(earlier.isEmpty() ? prompt : earlier.get(0)).orElse(NO_FILE);
    }

    /** A turn of its own for a message that came after the task's turn ended. */
    void follow(String message, String taskFile) throws Steering.Aborted, IOException, InterruptedException {
        long started = System.currentTimeMillis();
        List<String> done = new ArrayList<>();
        done.add(respond(message, taskFile));
        check(paceMillis, taskFile, done);
        String summary = String.join(" ", done);
        stream.finish(stream.result(false, "success", summary, done.size(), started, "completed"),
                20 + message.length() / 4, 10 + summary.length() / 4);
    }

    /** @param told when resuming: what it is told now, {@code prompt} being the task its session began with */
    private void work(String prompt, Optional<String> told)
            throws Steering.Aborted, IOException, InterruptedException {
        long started = System.currentTimeMillis();
        if (told.isPresent()) {
            stream.say("Picking up where I left off (" + firstLine(prompt) + "), now that I am told: "
                    + firstLine(told.get()));
        }
        String file = DemoAnswers.pathIn(prompt).orElse(NO_FILE);
        String line = DemoAnswers.toldText(told.orElse("")).or(() -> DemoAnswers.toldText(prompt))
                .or(() -> DemoAnswers.firstQuote(prompt)).orElse("- " + firstLine(prompt));
        target(file).orElseThrow(() -> new IOException("refusing to write outside the working directory: " + file));

        List<String> alsoDone = new ArrayList<>();
        Matcher takes = TAKES.matcher(prompt);
        int seconds = takes.find() ? Integer.parseInt(takes.group(1)) : 0;
        for (int second = 1; second <= seconds; second++) {
            check(1000, file, alsoDone);
            stream.say("Working on " + file + " (" + second + " of " + seconds + " s).");
        }
        check(paceMillis, file, alsoDone);
        stream.say("I'll add a line to " + file + ".");
        write(file, line);
        check(paceMillis, file, alsoDone);
        stream.say("Done: " + file + " now says \"" + line + "\".");

        String summary = "Added \"" + line + "\" to " + file + "." + (alsoDone.isEmpty() ? ""
                : " As I was told meanwhile: " + String.join(" ", alsoDone));
        stream.finish(stream.result(false, "success", summary, 2 + alsoDone.size(), started, "completed"),
                20 + prompt.length() / 4, 10 + line.length() / 4);
    }

    /** Answers through the StructuredOutput tool, as the CLI does with {@code --json-schema}. */
    private void answer(String prompt, ObjectNode answer) throws Steering.Aborted, IOException, InterruptedException {
        long started = System.currentTimeMillis();
        List<String> alsoDone = new ArrayList<>();
        String file = taskFile(prompt);
        check(paceMillis, file, alsoDone);
        stream.say("I have looked; here is my answer.");
        stream.toolUse("toolu_demo_answer", "StructuredOutput", answer);
        check(paceMillis, file, alsoDone);
        ObjectNode result = stream.result(false, "success", Json.MAPPER.writeValueAsString(answer),
                1 + alsoDone.size(), started, "completed");
        result.set("structured_output", answer);
        stream.finish(result, 20 + prompt.length() / 4, 40);
    }

    /** Waits {@code millis} and carries out what it was told meanwhile, saying in {@code done} what it did. */
    private void check(long millis, String taskFile, List<String> done)
            throws Steering.Aborted, IOException, InterruptedException {
        for (String message : steering.await(millis)) {
            done.add(respond(message, taskFile));
        }
    }

    /**
     * Carries out a message: a text it quotes is written as a line to the file it names outside the quotes, or else
     * to {@code taskFile}; a message that quotes nothing, or that troupe sends of its own (what a task it hears from
     * reported as it merged), gets an answer. Returns a sentence saying what it did.
     */
    /** How troupe's own messages begin: a hand-over from a task it hears from, information rather than an order. */
    private static final String FROM_TROUPE = "From troupe, which runs this team:";

    private String respond(String message, String taskFile) throws IOException, InterruptedException {
        Optional<String> words = message.startsWith(FROM_TROUPE) ? Optional.empty()
                : DemoAnswers.toldText(message).or(() -> DemoAnswers.firstQuote(message));
        if (words.isEmpty()) {
            stream.say("Noted: " + firstLine(message) + " There is nothing in it for me to write.");
            return "Noted: " + firstLine(message);
        }
        String file = DemoAnswers.pathIn(message).orElse(taskFile);
        if (target(file).isEmpty()) {
            stream.say("I will not write outside the working directory: " + file + ".");
            return "Did not write to " + file + ", which is outside the working directory.";
        }
        write(file, words.get());
        return "Wrote \"" + words.get() + "\" to " + file + ".";
    }

    /** The Write tool's call and result around appending {@code line} to {@code file}. */
    private void write(String file, String line) throws IOException, InterruptedException {
        Path target = target(file).orElseThrow();
        String toolId = "toolu_demo_" + Integer.toHexString((file + line).hashCode());
        stream.toolUse(toolId, "Write",
                Json.MAPPER.createObjectNode().put("file_path", target.toString()).put("content", line + "\n"));
        pause();
        Files.createDirectories(target.getParent());
        Files.writeString(target, line + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        stream.toolResult(toolId, "Wrote " + file);
    }

    /** Where {@code file} is, unless it is outside the working directory. */
    private static Optional<Path> target(String file) {
        Path cwd = Path.of("").toAbsolutePath();
        Path target = cwd.resolve(file).normalize();
        return target.startsWith(cwd) ? Optional.of(target) : Optional.empty();
    }

    private void pause() throws InterruptedException {
        if (paceMillis > 0) {
            Thread.sleep(paceMillis);
        }
    }

    private static String option(List<String> argv, String name) {
        int at = argv.indexOf(name);
        return at >= 0 && at + 1 < argv.size() ? argv.get(at + 1) : null;
    }

    private static String firstLine(String text) {
        String first = text.strip().lines().findFirst().orElse("");
        return first.length() > 120 ? first.substring(0, 117) + "..." : first;
    }
}
