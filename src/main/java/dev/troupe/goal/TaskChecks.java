package dev.troupe.goal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The checks of a goal file's {@code tasks:} list: each task read up to its first problem, independently of the
 * others, then the ids that {@code after} and {@code hears} name among them, and the dependency cycles once every
 * task could be read. {@code hears} orders nothing, so two tasks may hear from each other.
 */
final class TaskChecks {

    /** The tasks that could be read, and every problem of the list. */
    record Read(List<Goal.TaskSpec> tasks, List<GoalException> problems) {}

    private final GoalPlaces places;
    private final ValueChecks values;
    private final VariantChecks variantChecks;
    private final AgentChecks agentChecks;
    private final List<AgentProfile> profiles;

    /** @param profiles the goal's agent profiles, which a task's {@code agent:} names */
    TaskChecks(GoalPlaces places, ValueChecks values, VariantChecks variantChecks, AgentChecks agentChecks,
            List<AgentProfile> profiles) {
        this.places = places;
        this.values = values;
        this.variantChecks = variantChecks;
        this.agentChecks = agentChecks;
        this.profiles = profiles;
    }

    /**
     * @param rawTasks the list as bound, null when the file has none
     * @param reviewByDefault {@code agent.review}, for the tasks that do not say
     * @param retryByDefault {@code agent.retry}, for the tasks that do not say
     * @param variantsByDefault the agent's variants, for the tasks that do not say
     */
    Read tasks(List<RawGoal.Task> rawTasks, boolean reviewByDefault, Goal.Retry retryByDefault,
            Goal.Variants variantsByDefault) {
        if (rawTasks == null || rawTasks.isEmpty()) {
            // Made by the fan-out, or planned from the goal text.
            return new Read(List.of(), List.of());
        }
        Map<String, Integer> indexById = new LinkedHashMap<>();
        Map<String, String> idBySlug = new HashMap<>();
        List<Goal.TaskSpec> tasks = new ArrayList<>();
        List<GoalException> problems = new ArrayList<>();
        for (int i = 0; i < rawTasks.size(); i++) {
            RawGoal.Task raw = rawTasks.get(i);
            try {
                tasks.add(task(i, raw, indexById, idBySlug, reviewByDefault, retryByDefault)
                        .withVariants(variantChecks.variants(raw.variants(), raw.judge(), "/tasks/" + i,
                                "task '" + raw.id() + "'", variantsByDefault)));
            } catch (GoalException e) {
                problems.add(e);
            }
        }
        problems.addAll(unknownIds(tasks, rawTasks, indexById));
        if (!problems.isEmpty()) {
            // A cycle among the tasks read so far could be one that the missing ones would not make.
            return new Read(List.copyOf(tasks), problems);
        }
        Optional<List<String>> cycle = TaskGraph.findCycle(tasks);
        if (cycle.isPresent()) {
            String first = cycle.get().get(0);
            problems.add(places.problem("/tasks/" + indexById.get(first) + "/after",
                    "dependency cycle: " + String.join(" -> ", cycle.get())));
        }
        return new Read(List.copyOf(tasks), problems);
    }

    /** A problem for each id that a task read names in {@code after} or {@code hears} and no task has. */
    private List<GoalException> unknownIds(List<Goal.TaskSpec> tasks, List<RawGoal.Task> rawTasks,
            Map<String, Integer> indexById) {
        List<GoalException> problems = new ArrayList<>();
        for (Goal.TaskSpec task : tasks) {
            int i = indexById.get(task.id());
            List<String> after = task.after();
            for (int j = 0; j < after.size(); j++) {
                if (!indexById.containsKey(after.get(j))) {
                    problems.add(places.problem("/tasks/" + i + "/after/" + j, "task '" + task.id()
                            + "' comes after unknown task '" + after.get(j) + "'"));
                }
            }
            // Read from the file rather than the spec, which holds each id once, to point at the id as written.
            List<String> hears = Optional.ofNullable(rawTasks.get(i).hears()).orElse(List.of());
            for (int j = 0; j < hears.size(); j++) {
                String heard = hears.get(j).strip();
                if (!indexById.containsKey(heard)
                        && hears.subList(0, j).stream().map(String::strip).noneMatch(heard::equals)) {
                    problems.add(places.problem("/tasks/" + i + "/hears/" + j, "task '" + task.id()
                            + "' hears from unknown task '" + heard + "'"));
                }
            }
        }
        return problems;
    }

    /** The task at {@code i}, its id and slug taken in {@code indexById} and {@code idBySlug}. */
    private Goal.TaskSpec task(int i, RawGoal.Task task, Map<String, Integer> indexById, Map<String, String> idBySlug,
            boolean reviewByDefault, Goal.Retry retryByDefault) throws GoalException {
        String at = "/tasks/" + i;
        if (task == null) {
            throw places.problem(at, "a task must be a mapping with at least 'id' and 'prompt'");
        }
        if (task.id() == null || task.id().isBlank()) {
            throw places.problem(at, "task " + (i + 1) + " has no id");
        }
        String id = task.id().strip();
        if (id.chars().anyMatch(Character::isISOControl)) {
            throw places.problem(at + "/id", "task id " + (i + 1) + " holds a line break or control character");
        }
        if (id.equals(GoalLoader.RESERVED_ID)) {
            throw places.problem(at + "/id", "task id '" + id + "' is reserved for troupe's planner; rename the task");
        }
        if (indexById.putIfAbsent(id, i) != null) {
            throw places.problem(at + "/id", "duplicate task id '" + id + "'");
        }
        String slug = TaskIds.slug(id);
        String clash = idBySlug.putIfAbsent(slug, id);
        if (clash != null) {
            throw places.problem(at + "/id", "task ids '" + clash + "' and '" + id + "' both become '" + slug
                    + "' in branch names; rename one");
        }
        if (task.prompt() == null || task.prompt().isBlank()) {
            throw places.problem(task.prompt() == null ? at : at + "/prompt", "task '" + id + "' has an empty prompt");
        }
        if (task.after() != null) {
            values.refuseEmptyEntries(task.after(), at + "/after", "after of task '" + id + "'");
        }
        List<String> after = task.after() == null ? List.of() : task.after().stream().map(String::strip).toList();
        List<String> hears = hears(task, id, at);
        if (task.permissionMode() != null) {
            values.checkPermissionMode(task.permissionMode(), at + "/permission-mode");
        }
        if (task.maxTurns() != null && task.maxTurns() < 1) {
            throw places.problem(at + "/max-turns", "max-turns of task '" + id + "' must be at least 1");
        }
        if (task.allowedTools() != null) {
            values.refuseEmptyEntries(task.allowedTools(), at + "/allowed-tools", "allowed-tools of task '" + id + "'");
        }
        List<String> zone = task.zone() == null ? List.of() : List.copyOf(task.zone());
        values.refuseEmptyEntries(zone, at + "/zone", "zone of task '" + id + "'");
        for (int z = 0; z < zone.size(); z++) {
            Optional<String> notGlob = Zones.problem(zone.get(z));
            if (notGlob.isPresent()) {
                throw places.problem(at + "/zone/" + z, "zone of task '" + id + "': '" + zone.get(z)
                        + "' is not a glob: " + notGlob.get());
            }
        }
        Optional<String> agent = agentChecks.profile(task.agent(), at + "/agent", "task '" + id + "'", profiles);
        Optional<String> cli = agentChecks.cli(task.cli(), at + "/cli", "cli of task '" + id + "'");
        return new Goal.TaskSpec(id, slug, task.prompt().strip(), after, Optional.ofNullable(task.model()),
                Optional.ofNullable(task.allowedTools()).map(List::copyOf), Optional.ofNullable(task.permissionMode()),
                Optional.ofNullable(task.maxTurns()), Optional.ofNullable(task.appendSystemPrompt()), zone, List.of(),
                task.review() != null ? task.review() : reviewByDefault,
                Optional.ofNullable(values.given(task.retry(), at + "/retry", "retry of task '" + id
                        + "': unknown value", Goal.Retry.class)).orElse(retryByDefault), Goal.Variants.NONE, hears,
                agent, cli);
    }

    /**
     * The ids {@code task} hears from, stripped, each once; whether they name tasks is checked once all are read.
     * A task that also comes after one of them is told in its prompt, as {@code after} says.
     */
    private List<String> hears(RawGoal.Task task, String id, String at) throws GoalException {
        if (task.hears() == null) {
            return List.of();
        }
        values.refuseEmptyEntries(task.hears(), at + "/hears", "hears of task '" + id + "'");
        for (int j = 0; j < task.hears().size(); j++) {
            if (task.hears().get(j).strip().equals(id)) {
                throw places.problem(at + "/hears/" + j, "task '" + id + "' hears from itself");
            }
        }
        return task.hears().stream().map(String::strip).distinct().toList();
    }
}
