package dev.troupe.agent;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.journal.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
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
 * <p>Asked for structured output ({@code --json-schema}), it answers instead, as the planner or a reviewer:
 * as the planner, each list item ("- ...") of the goal becomes a task, named after the file it mentions, owning
 * that file; an item that starts with "Then" or "Finally" comes after all the items before it, and one that
 * says "(reviewed)" is reviewed. As a reviewer it approves. As the judge of a task's variants it picks the one
 * whose diff changes the fewest lines. A variant whose {@code --append-system-prompt} quotes a text writes that
 * text instead of the prompt's (so variants differ without a model).
 *
 * <p>It keeps its sessions as the prompts they were given ({@link DemoSessions}): with {@code --resume ID} (and
 * {@code --fork-session}) it goes on with the task of that session's first prompt, the new prompt being what it is
 * told next, and fails as the CLI does when it knows no such session.
 *
 * <p>Planning in rounds ({@code plan: {rounds: N}}), it plans round k from the items under a line "Round k:" of the
 * goal (all items are round 1 when the goal has no such lines), and says the goal is met once the goal has no items
 * for the round it is asked for. A new task never takes an id the prompt says is taken.
 */
public final class DemoAgent {

    private static final Pattern PATH = Pattern.compile("(?<![\\w/.-])([\\w-]+(?:/[\\w.-]+)*\\.[A-Za-z0-9]+)\\b");
    private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");
    /** Where troupe's prompt gives what {@code troupe tell} said. */
    private static final String TOLD = "told this task:";
    /** "(takes 5s)" in a prompt: the agent works that long first, saying so every second (for steering demos). */
    private static final Pattern TAKES = Pattern.compile("\\(takes (\\d{1,3}) ?s\\)");
    /** Where troupe tells a planner in rounds which round it plans. */
    private static final Pattern ROUND = Pattern.compile("this is round (\\d+) of at most (\\d+)");
    /** A line of the goal that starts a round's items. */
    private static final Pattern ROUND_HEADING = Pattern.compile("(?i)round (\\d+):?");
    /** Where troupe lists the ids of earlier rounds' tasks. */
    private static final Pattern TAKEN = Pattern.compile("These task ids are taken; a new task needs an id of its own: (.*?)\\. A new task");

    private final PrintStream out;
    private final String sessionId;
    private final long paceMillis;

    private DemoAgent(PrintStream out, String sessionId, long paceMillis) {
        this.out = out;
        this.sessionId = sessionId;
        this.paceMillis = paceMillis;
    }

    public static void main(String[] args) throws Exception {
        List<String> argv = List.of(args);
        int end = argv.indexOf("--");
        String prompt = end >= 0 && end + 1 < argv.size() ? argv.get(end + 1) : null;
        if (!argv.contains("-p") || prompt == null || !"stream-json".equals(option(argv, "--output-format"))) {
            System.err.println("usage: demo -p --output-format stream-json --verbose ... -- PROMPT");
            System.exit(1);
        }
        String resumed = option(argv, "--resume");
        String sessionId = option(argv, "--session-id");
        if (sessionId == null) {
            sessionId = resumed != null && !argv.contains("--fork-session") ? resumed : UUID.randomUUID().toString();
        }
        long pace = Long.parseLong(System.getenv().getOrDefault("TROUPE_DEMO_PACE_MS", "400"));
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        DemoAgent agent = new DemoAgent(out, sessionId, pace);
        DemoSessions sessions = DemoSessions.here();
        List<String> before = List.of();
        if (resumed != null) {
            Optional<List<String>> earlier = sessions.prompts(resumed);
            if (earlier.isEmpty()) {
                agent.noSuchSession(resumed);
                System.exit(1);
            }
            before = earlier.get();
        }
        List<String> conversation = new ArrayList<>(before);
        conversation.add(prompt);
        sessions.save(sessionId, conversation);
        String schema = option(argv, "--json-schema");
        if (schema != null) {
            agent.answer(prompt, schema.contains("\"verdict\"") ? review(prompt)
                    : schema.contains("\"met\"") ? round(prompt)
                    : schema.contains("\"winner\"") ? judge(prompt, schema) : plan(prompt));
        } else if (!before.isEmpty()) {
            agent.work(before.get(0), Path.of("").toAbsolutePath(), Optional.of(prompt));
        } else {
            String told = option(argv, "--append-system-prompt");
            Matcher quoted = told == null ? null : QUOTED.matcher(told);
            // A variant told to write other words (in its system prompt's quotes) writes those.
            agent.work(quoted != null && quoted.find() ? "\"" + quoted.group(1) + "\"\n" + prompt : prompt,
                    Path.of("").toAbsolutePath(), Optional.empty());
        }
    }

    /** {@code --resume} of a session it does not know: an error result, as the CLI gives. */
    private void noSuchSession(String id) throws IOException {
        String error = "No conversation found with session ID: " + id;
        System.err.println(error);
        ObjectNode result = event("result").put("subtype", "error_during_execution").put("is_error", true)
                .put("num_turns", 0).put("total_cost_usd", 0.0);
        result.putArray("errors").add(error);
        emit(result);
    }

    /** The planner's answer: one task per list item of the goal, which the prompt holds between goal tags. */
    static ObjectNode plan(String prompt) {
        String goal = goalOf(prompt);
        List<String> items = items(goal.lines().toList());
        ObjectNode plan = Json.MAPPER.createObjectNode();
        if (items.isEmpty()) {
            plan.putArray("tasks").addObject().put("id", "goal").put("prompt", goal.strip());
            return plan;
        }
        plan.set("tasks", tasks(items, List.of()));
        return plan;
    }

    /**
     * The planner's answer in rounds: the tasks of the items under "Round k:" for the round it is asked for, or the
     * goal met when there are none.
     */
    static ObjectNode round(String prompt) {
        Matcher asked = ROUND.matcher(prompt);
        int round = asked.find() ? Integer.parseInt(asked.group(1)) : 1;
        Matcher taken = TAKEN.matcher(prompt);
        List<String> used = taken.find() ? List.of(taken.group(1).split(", ")) : List.of();
        List<String> items = items(section(goalOf(prompt), round));
        ObjectNode answer = Json.MAPPER.createObjectNode();
        if (items.isEmpty()) {
            answer.put("met", true).put("summary", "The goal is met: " + (round - 1) + (round == 2 ? " round" : " rounds")
                    + " did every step it lists (" + used.size() + " tasks).");
            answer.putArray("tasks");
            return answer;
        }
        ArrayNode tasks = tasks(items, used);
        List<String> ids = new java.util.ArrayList<>();
        tasks.forEach(task -> ids.add(task.path("id").asText()));
        answer.put("met", false).put("summary", "Round " + round + " of the goal's steps: " + String.join(", ", ids) + ".");
        answer.set("tasks", tasks);
        return answer;
    }

    private static String goalOf(String prompt) {
        int start = prompt.indexOf("<goal>");
        int end = prompt.indexOf("</goal>");
        return start >= 0 && end > start ? prompt.substring(start + "<goal>".length(), end) : prompt;
    }

    /** The goal's lines for {@code round}: those under its "Round k:" line, or all of them in round 1 without any. */
    private static List<String> section(String goal, int round) {
        List<String> lines = goal.lines().map(String::strip).toList();
        if (lines.stream().noneMatch(line -> ROUND_HEADING.matcher(line).matches())) {
            return round == 1 ? lines : List.of();
        }
        List<String> mine = new java.util.ArrayList<>();
        int in = 0;
        for (String line : lines) {
            Matcher heading = ROUND_HEADING.matcher(line);
            if (heading.matches()) {
                in = Integer.parseInt(heading.group(1));
            } else if (in == round) {
                mine.add(line);
            }
        }
        return mine;
    }

    private static List<String> items(List<String> lines) {
        return lines.stream().map(String::strip).filter(l -> l.startsWith("- ") || l.startsWith("* "))
                .map(l -> l.substring(2).strip()).filter(l -> !l.isEmpty()).toList();
    }

    /** A task per item, named after the file it mentions and owning it; ids in {@code taken} are not used again. */
    private static ArrayNode tasks(List<String> items, List<String> taken) {
        ArrayNode tasks = Json.MAPPER.createArrayNode();
        List<String> ids = new java.util.ArrayList<>();
        for (String item : items) {
            Matcher path = PATH.matcher(unquoted(item));
            String file = path.find() ? path.group(1) : null;
            String name = file == null ? "step-" + (taken.size() + ids.size() + 1)
                    : Path.of(file).getFileName().toString().replaceFirst("\\.[^.]*$", "").toLowerCase();
            String id = name;
            for (int n = 2; ids.contains(id) || taken.contains(id); n++) {
                id = name + "-" + n;
            }
            ObjectNode task = tasks.addObject().put("id", id).put("prompt", item.replace("(reviewed)", "").strip());
            if (file != null) {
                task.putArray("zone").add(file);
            }
            if ((item.startsWith("Then ") || item.startsWith("Finally ")) && !ids.isEmpty()) {
                ArrayNode after = task.putArray("after");
                ids.forEach(after::add);
            }
            if (item.contains("(reviewed)")) {
                task.put("review", true);
            }
            ids.add(id);
        }
        return tasks;
    }

    /** A reviewer's answer: approval, naming the files of the change. */
    static ObjectNode review(String prompt) {
        Matcher files = Pattern.compile("Files it changed: (.*)").matcher(prompt);
        String changed = files.find() ? files.group(1).strip() : "the change";
        return Json.MAPPER.createObjectNode().put("verdict", "approve")
                .put("comments", "Checked " + changed + ": it does what the task asks.");
    }

    /**
     * The last double-quoted text of what {@code troupe tell} said, which troupe puts after the words "told this
     * task:" (in a prompt, or in what a resumed session is told next): the demo agent writes that instead.
     */
    static Optional<String> toldText(String text) {
        int at = text.lastIndexOf(TOLD);
        if (at < 0) {
            return Optional.empty();
        }
        Matcher quoted = QUOTED.matcher(text.substring(at));
        String last = null;
        while (quoted.find()) {
            last = quoted.group(1);
        }
        return Optional.ofNullable(last);
    }

    /**
     * A judge's answer: of the variants its schema allows, the one whose diff changes the fewest lines (the first of
     * equals), with that as its reason.
     */
    static ObjectNode judge(String prompt, String schema) {
        Matcher allowed = Pattern.compile("\"enum\":\\[([0-9,]+)\\]").matcher(schema);
        List<Integer> candidates = allowed.find()
                ? java.util.Arrays.stream(allowed.group(1).split(",")).map(Integer::parseInt).toList() : List.of();
        int best = -1;
        long fewest = Long.MAX_VALUE;
        for (int candidate : candidates) {
            Matcher diff = Pattern.compile("<variant " + candidate + ">(.*?)</variant>", Pattern.DOTALL).matcher(prompt);
            long lines = diff.find() ? diff.group(1).lines()
                    .filter(l -> (l.startsWith("+") || l.startsWith("-")) && !l.startsWith("+++") && !l.startsWith("---"))
                    .count() : Long.MAX_VALUE - 1;
            if (lines < fewest) {
                fewest = lines;
                best = candidate;
            }
        }
        return Json.MAPPER.createObjectNode().put("winner", best).put("reasons", "Variant " + best
                + " does the task with the smallest change (" + fewest + (fewest == 1 ? " changed line" : " changed lines")
                + ") of variants "
                + candidates.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", ")) + ".");
    }

    /** The text without its quoted parts, where the file to write is looked for (a quote may name files too). */
    private static String unquoted(String text) {
        return QUOTED.matcher(text).replaceAll(" ");
    }

    private static String option(List<String> argv, String name) {
        int at = argv.indexOf(name);
        return at >= 0 && at + 1 < argv.size() ? argv.get(at + 1) : null;
    }

    /** @param told when resuming: what it is told now, {@code prompt} being the task its session began with */
    private void work(String prompt, Path cwd, Optional<String> told) throws IOException, InterruptedException {
        long started = System.currentTimeMillis();
        ObjectNode init = event("system").put("subtype", "init").put("cwd", cwd.toString())
                .put("model", "troupe-demo").put("permissionMode", "acceptEdits");
        emit(init);
        if (told.isPresent()) {
            emit(assistant(text("Picking up where I left off (" + firstLine(prompt) + "), now that I am told: "
                    + firstLine(told.get()))));
        }

        Matcher path = PATH.matcher(unquoted(prompt));
        String file = path.find() ? path.group(1) : "DEMO.md";
        Matcher quoted = QUOTED.matcher(prompt);
        String line = toldText(told.orElse("")).or(() -> toldText(prompt))
                .orElse(quoted.find() ? quoted.group(1) : "- " + firstLine(prompt));
        Path target = cwd.resolve(file).normalize();
        if (!target.startsWith(cwd)) {
            throw new IOException("refusing to write outside the working directory: " + file);
        }

        Matcher takes = TAKES.matcher(prompt);
        int seconds = takes.find() ? Integer.parseInt(takes.group(1)) : 0;
        for (int second = 1; second <= seconds; second++) {
            Thread.sleep(1000);
            emit(assistant(text("Working on " + file + " (" + second + " of " + seconds + " s).")));
        }
        pause();
        emit(assistant(text("I'll add a line to " + file + ".")));
        String toolId = "toolu_demo_" + Integer.toHexString(file.hashCode());
        ObjectNode input = Json.MAPPER.createObjectNode().put("file_path", target.toString()).put("content", line + "\n");
        emit(assistant(Json.MAPPER.createObjectNode().put("type", "tool_use").put("id", toolId).put("name", "Write")
                .set("input", input)));
        pause();
        Files.createDirectories(target.getParent());
        Files.writeString(target, line + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        ObjectNode toolResult = Json.MAPPER.createObjectNode().put("type", "tool_result").put("tool_use_id", toolId)
                .put("content", "Wrote " + file).put("is_error", false);
        ObjectNode user = event("user");
        user.putObject("message").put("role", "user").putArray("content").add(toolResult);
        emit(user);
        pause();
        emit(assistant(text("Done: " + file + " now says \"" + line + "\".")));

        ObjectNode result = event("result").put("subtype", "success").put("is_error", false)
                .put("result", "Added \"" + line + "\" to " + file + ".")
                .put("num_turns", 2).put("total_cost_usd", 0.0)
                .put("duration_ms", System.currentTimeMillis() - started)
                .put("terminal_reason", "completed");
        result.putObject("usage").put("input_tokens", 20 + prompt.length() / 4).put("output_tokens", 10 + line.length() / 4)
                .put("cache_read_input_tokens", 0).put("cache_creation_input_tokens", 0);
        result.putArray("permission_denials");
        emit(result);
    }

    /** Answers through the StructuredOutput tool, as the CLI does with {@code --json-schema}. */
    private void answer(String prompt, ObjectNode answer) throws IOException, InterruptedException {
        long started = System.currentTimeMillis();
        emit(event("system").put("subtype", "init").put("cwd", Path.of("").toAbsolutePath().toString())
                .put("model", "troupe-demo").put("permissionMode", "plan"));
        pause();
        emit(assistant(text("I have looked; here is my answer.")));
        emit(assistant(Json.MAPPER.createObjectNode().put("type", "tool_use").put("id", "toolu_demo_answer")
                .put("name", "StructuredOutput").set("input", answer)));
        pause();
        ObjectNode result = event("result").put("subtype", "success").put("is_error", false)
                .put("result", Json.MAPPER.writeValueAsString(answer))
                .put("num_turns", 1).put("total_cost_usd", 0.0)
                .put("duration_ms", System.currentTimeMillis() - started)
                .put("terminal_reason", "completed");
        result.putObject("usage").put("input_tokens", 20 + prompt.length() / 4).put("output_tokens", 40)
                .put("cache_read_input_tokens", 0).put("cache_creation_input_tokens", 0);
        result.putArray("permission_denials");
        result.set("structured_output", answer);
        emit(result);
    }

    private ObjectNode event(String type) {
        ObjectNode node = Json.MAPPER.createObjectNode().put("type", type).put("session_id", sessionId)
                .put("uuid", UUID.randomUUID().toString());
        return node;
    }

    private ObjectNode assistant(ObjectNode block) {
        ObjectNode node = event("assistant").put("timestamp", Instant.now().toString());
        ObjectNode message = node.putObject("message").put("id", "msg_demo").put("type", "message")
                .put("role", "assistant").put("model", "troupe-demo");
        ArrayNode content = message.putArray("content");
        content.add(block);
        return node;
    }

    private static ObjectNode text(String text) {
        return Json.MAPPER.createObjectNode().put("type", "text").put("text", text);
    }

    private void emit(ObjectNode event) throws IOException {
        out.println(Json.MAPPER.writeValueAsString(event));
    }

    private void pause() throws InterruptedException {
        if (paceMillis > 0) {
            Thread.sleep(paceMillis);
        }
    }

    private static String firstLine(String text) {
        String first = text.strip().lines().findFirst().orElse("");
        return first.length() > 120 ? first.substring(0, 117) + "..." : first;
    }
}
