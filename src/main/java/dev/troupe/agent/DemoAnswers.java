package dev.troupe.agent;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.journal.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * How the {@link DemoAgent} reads what it is given, with no model: the file a text names and the text it quotes,
 * and the answers it gives when asked for structured output, as the planner, a reviewer or the judge of variants.
 * Plain functions of the prompt, so the same prompt always gets the same answer.
 */
final class DemoAnswers {

    private static final Pattern PATH = Pattern.compile("(?<![\\w/.-])([\\w-]+(?:/[\\w.-]+)*\\.[A-Za-z0-9]+)\\b");
    private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");
    /** Where troupe's prompt gives what {@code troupe tell} said. */
    private static final String TOLD = "told this task:";
    /** Where troupe tells a planner in rounds which round it plans. */
    private static final Pattern ROUND = Pattern.compile("this is round (\\d+) of at most (\\d+)");
    /** A line of the goal that starts a round's items. */
    private static final Pattern ROUND_HEADING = Pattern.compile("(?i)round (\\d+):?");
    /** Where troupe lists the ids of earlier rounds' tasks. */
    private static final Pattern TAKEN = Pattern.compile("These task ids are taken; a new task needs an id of its own: (.*?)\\. A new task");

    private DemoAnswers() {}

    /** The first file path in {@code text} outside its quotes (a quote may name files too). */
    static Optional<String> pathIn(String text) {
        Matcher path = PATH.matcher(unquoted(text));
        return path.find() ? Optional.of(path.group(1)) : Optional.empty();
    }

    /** The first double-quoted text in {@code text}. */
    static Optional<String> firstQuote(String text) {
        Matcher quoted = QUOTED.matcher(text);
        return quoted.find() ? Optional.of(quoted.group(1)) : Optional.empty();
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
        List<String> ids = new ArrayList<>();
        tasks.forEach(task -> ids.add(task.path("id").asText()));
        answer.put("met", false).put("summary", "Round " + round + " of the goal's steps: " + String.join(", ", ids) + ".");
        answer.set("tasks", tasks);
        return answer;
    }

    /** A reviewer's answer: approval, naming the files of the change. */
    static ObjectNode review(String prompt) {
        Matcher files = Pattern.compile("Files it changed: (.*)").matcher(prompt);
        String changed = files.find() ? files.group(1).strip() : "the change";
        return Json.MAPPER.createObjectNode().put("verdict", "approve")
                .put("comments", "Checked " + changed + ": it does what the task asks.");
    }

    /**
     * A judge's answer: of the variants its schema allows, the one whose diff changes the fewest lines (the first of
     * equals), with that as its reason.
     */
    static ObjectNode judge(String prompt, String schema) {
        Matcher allowed = Pattern.compile("\"enum\":\\[([0-9,]+)\\]").matcher(schema);
        List<Integer> candidates = allowed.find()
                ? Arrays.stream(allowed.group(1).split(",")).map(Integer::parseInt).toList() : List.of();
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
                + ") of variants " + candidates.stream().map(String::valueOf).collect(Collectors.joining(", ")) + ".");
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
        List<String> mine = new ArrayList<>();
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
        List<String> ids = new ArrayList<>();
        for (String item : items) {
            String file = pathIn(item).orElse(null);
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

    private static String unquoted(String text) {
        return QUOTED.matcher(text).replaceAll(" ");
    }
}
