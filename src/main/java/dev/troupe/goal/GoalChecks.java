package dev.troupe.goal;

import com.fasterxml.jackson.core.JsonLocation;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The checks of a goal file's values made after binding, and the merge with defaults. Each section of the file, and
 * each task ({@link TaskChecks}), is read up to its first problem, independently of the others, so one reading
 * reports them all.
 */
final class GoalChecks {

    private final Config defaults;
    private final Path file;
    private final Path relativeTo;
    private final RawGoal raw;
    private final UnknownValues unknownValues;
    private final GoalPlaces places;
    private final ValueChecks values;
    private final List<GoalException> problems = new ArrayList<>();

    /**
     * @param unknownKeys the problems of the file's reading, reported with the values'
     * @param unknownValues the values of enumerated keys that name none of their values, reported in their sections
     */
    GoalChecks(Config defaults, Path file, Path relativeTo, RawGoal raw, Map<String, JsonLocation> locations,
            List<GoalException> unknownKeys, UnknownValues unknownValues) {
        this.defaults = defaults;
        this.file = file;
        this.relativeTo = relativeTo;
        this.raw = raw;
        this.unknownValues = unknownValues;
        this.places = new GoalPlaces(file, locations);
        this.values = new ValueChecks(places, unknownValues);
        this.problems.addAll(unknownKeys);
    }

    private GoalException at(String pointer, String problem) {
        return places.problem(pointer, problem);
    }

    /**
     * The goal, or every problem of it with the parts the run's checks need: its sections are read independently,
     * each up to its first problem.
     */
    GoalReading read() {
        checked(() -> {
            refuseEmptyCheck();
            return Boolean.TRUE;
        });
        AgentChecks agents = new AgentChecks(defaults, places, values, relativeTo);
        AgentSettings agentSection = checked(() -> agents.agent(raw.agent(), byDefault("agent.retry", Goal.Retry.class)));
        List<AgentProfile> read = agentSection == null ? List.of() : checked(() -> agents.profiles(raw.agents(), agentSection));
        List<AgentProfile> profiles = read == null ? List.of() : read;
        VariantChecks variants = new VariantChecks(this::at, unknownValues, agents, profiles);
        Goal.Variants noVariants = new Goal.Variants(List.of(), byDefault("agent.judge", Goal.Judge.class));
        Goal.Variants agentVariants = checked(() -> raw.agent() == null ? noVariants
                : variants.variants(raw.agent().variants(), raw.agent().judge(), "/agent", "agent", noVariants));
        AgentSettings agent = agentSection != null && agentVariants != null ? agentSection.withVariants(agentVariants)
                : agentSection;
        TaskChecks.Read tasksRead = new TaskChecks(places, values, variants, agents, profiles).tasks(raw.tasks(),
                agent != null ? agent.review() : defaults.getBoolean("agent.review"),
                agent != null ? agent.retry() : byDefault("agent.retry", Goal.Retry.class),
                agentVariants == null ? noVariants : agentVariants);
        problems.addAll(tasksRead.problems());
        List<Goal.TaskSpec> tasks = tasksRead.tasks();
        Goal.Team team = checked(this::team);
        Goal.Limits limits = checked(this::limits);
        Goal.Sync sync = checked(this::sync);
        Optional<Goal.Fanout> fanout = checked(this::fanout);
        Goal.Notify notify = checked(this::notifications);
        Goal.Workspace workspace = checked(() -> new WorkspaceChecks(this::at, raw.workspace(), team, relativeTo, defaults)
                .workspace());
        if (workspace != null && agent != null) {
            checked(() -> refuseUnconfinedBypass(workspace, agent));
        }
        String text = raw.goal() == null ? "" : raw.goal().strip();
        Goal.Plan plan = checked(() -> plan(text));
        if ((raw.tasks() == null || raw.tasks().isEmpty()) && raw.fanout() == null && text.isEmpty()) {
            problems.add(at(raw.tasks() == null ? "" : "/tasks",
                    "the goal lists no tasks and has no 'goal:' text for the planner to make them from"));
        }
        Optional<String> base = Optional.ofNullable(raw.base()).map(String::strip);
        if (!problems.isEmpty()) {
            return GoalReading.refused(new RunTarget(file, repo(), base, Optional.ofNullable(agent),
                    Optional.ofNullable(workspace), fanout == null ? Optional.empty() : fanout, places),
                    GoalException.of(problems));
        }
        return GoalReading.of(new Goal(file, text, repo(), base, team, agent, limits, sync, fanout, tasks, notify,
                workspace, places, plan, profiles));
    }

    private static final String BYPASS = "bypassPermissions";

    /** The agent CLIs' own flags for running every command unasked (Claude Code, Codex, Gemini CLI, OpenCode). */
    private static final Set<String> BYPASS_FLAGS = Set.of("--dangerously-skip-permissions",
            "--dangerously-bypass-approvals-and-sandbox", "--yolo", "--auto");

    /**
     * {@code bypassPermissions} lets an agent run any command unasked: only inside the sandbox with its network
     * confined, unless the goal insists ({@code workspace.allow-unconfined-bypass: true}). Named at the first key
     * that asks for it: the agent's, a profile's, a task's.
     */
    private Boolean refuseUnconfinedBypass(Goal.Workspace workspace, AgentSettings agent) throws GoalException {
        if (workspace.confined() || workspace.unconfinedBypass()) {
            return Boolean.TRUE;
        }
        String why = " lets agents run any command unasked; troupe allows it only in the sandbox with its network"
                + " confined (workspace: {sandbox: true}), or when the goal insists (workspace:"
                + " {allow-unconfined-bypass: true})";
        if (BYPASS.equals(agent.permissionMode())) {
            throw at(raw.agent() != null && raw.agent().permissionMode() != null ? "/agent/permission-mode" : "/agent",
                    "permission-mode " + BYPASS + why);
        }
        // The same asked for on the command line the goal gives an agent.
        List<List<String>> commands = new ArrayList<>(List.of(agent.command()));
        List<String> pointers = new ArrayList<>(List.of("/agent/command"));
        if (raw.agents() != null) {
            raw.agents().forEach((name, profile) -> {
                if (profile != null && profile.command() != null) {
                    commands.add(profile.command());
                    pointers.add("/agents/" + name + "/command");
                }
            });
        }
        for (int i = 0; i < commands.size(); i++) {
            for (String argument : commands.get(i)) {
                if (BYPASS_FLAGS.contains(argument)) {
                    throw at(pointers.get(i), "the agent command's " + argument + why);
                }
            }
        }
        if (raw.agents() != null) {
            for (var profile : raw.agents().entrySet()) {
                if (profile.getValue() != null && BYPASS.equals(profile.getValue().permissionMode())) {
                    throw at("/agents/" + profile.getKey() + "/permission-mode", "permission-mode " + BYPASS + why);
                }
            }
        }
        if (raw.tasks() != null) {
            for (int i = 0; i < raw.tasks().size(); i++) {
                if (raw.tasks().get(i) != null && BYPASS.equals(raw.tasks().get(i).permissionMode())) {
                    throw at("/tasks/" + i + "/permission-mode", "permission-mode " + BYPASS + why);
                }
            }
        }
        return Boolean.TRUE;
    }

    /** What {@code section} reads, or null once its problem is noted. */
    private <T> T checked(Section<T> section) {
        try {
            return section.read();
        } catch (GoalException e) {
            problems.add(e);
            return null;
        }
    }

    /** {@code plan: {rounds: N}}: the planner looks again after each round, so it needs the goal's text. */
    private Goal.Plan plan(String text) throws GoalException {
        RawGoal.Plan plan = raw.plan();
        if (plan == null) {
            return Goal.Plan.ONCE;
        }
        if (plan.rounds() == null) {
            throw at("/plan", "plan needs 'rounds', the most rounds the planner may plan (plan: {rounds: 3})");
        }
        if (plan.rounds() < 1) {
            throw at("/plan/rounds", "plan.rounds must be at least 1");
        }
        if (text.isEmpty()) {
            throw at("/plan", "plan: needs 'goal:' text, which the planner reads after each round");
        }
        return new Goal.Plan(plan.rounds());
    }

    private Goal.Notify notifications() throws GoalException {
        RawGoal.Notify notify = raw.notifications();
        if (notify == null) {
            return new Goal.Notify(Optional.empty(), defaults.getBoolean("notify.bell"));
        }
        if (notify.command() != null && notify.command().isBlank()) {
            throw at("/notify/command", "notify.command is empty; give a command, or leave the key out");
        }
        return new Goal.Notify(Optional.ofNullable(notify.command()).map(String::strip),
                notify.bell() != null ? notify.bell() : defaults.getBoolean("notify.bell"));
    }

    private Optional<Goal.Fanout> fanout() throws GoalException {
        RawGoal.Fanout fanout = raw.fanout();
        if (fanout == null) {
            return Optional.empty();
        }
        if (fanout.files() == null || fanout.files().isBlank()) {
            throw at("/fanout", "fanout needs 'files', a glob of the tracked files to make tasks of");
        }
        Optional<String> notGlob = Zones.problem(fanout.files().strip());
        if (notGlob.isPresent()) {
            throw at("/fanout/files", "fanout.files '" + fanout.files() + "' is not a glob: " + notGlob.get());
        }
        if (fanout.prompt() == null || !fanout.prompt().contains("{file}")) {
            throw at(fanout.prompt() == null ? "/fanout" : "/fanout/prompt",
                    "fanout needs a 'prompt' that names the file as {file}");
        }
        int canary = fanout.canary() == null ? defaults.getInt("fanout.canary") : fanout.canary();
        if (canary < 0) {
            throw at("/fanout/canary", "fanout.canary cannot be negative");
        }
        return Optional.of(new Goal.Fanout(fanout.files().strip(), fanout.prompt().strip(), canary));
    }

    private void refuseEmptyCheck() throws GoalException {
        if (raw.sync() != null && raw.sync().check() != null && raw.sync().check().isBlank()) {
            throw at("/sync/check", "sync.check is empty; give a command, or leave the key out");
        }
    }

    private Path repo() {
        if (raw.repo() == null || raw.repo().isBlank()) {
            return Path.of("").toAbsolutePath();
        }
        return relativeTo.resolve(raw.repo().strip()).normalize();
    }

    private Goal.Team team() throws GoalException {
        RawGoal.Team team = raw.team();
        int size = team != null && team.size() != null ? team.size() : defaults.getInt("team.size");
        if (size < 1) {
            throw at("/team/size", "team.size must be at least 1, not " + size);
        }
        Duration stagger = team != null && team.stagger() != null ? team.stagger() : defaults.getDuration("team.stagger");
        return new Goal.Team(size, stagger);
    }

    /** The default at {@code key} of {@code troupe.defaults}, bound as the goal file's value is. */
    private <E extends Enum<E>> E byDefault(String key, Class<E> type) {
        String text = defaults.getString(key);
        try {
            return UnknownValues.bind(text, type);
        } catch (IllegalArgumentException e) {
            throw new ConfigException.BadValue(defaults.origin(), key,
                    "'" + text + "' is none of " + UnknownValues.choices(type));
        }
    }

    private Goal.Sync sync() throws GoalException {
        RawGoal.Sync sync = raw.sync() != null ? raw.sync() : new RawGoal.Sync(null, null, null, null);
        Optional<String> check = Optional.ofNullable(sync.check()).map(String::strip);
        Goal.MergePolicy merge = values.given(sync.merge(), "/sync/merge", "unknown merge policy", Goal.MergePolicy.class);
        if (merge == null) {
            merge = byDefault("sync.merge", Goal.MergePolicy.class);
        }
        Duration checkTimeout = sync.checkTimeout() != null ? sync.checkTimeout()
                : defaults.getDuration("sync.check-timeout");
        if (checkTimeout.isZero()) {
            throw at("/sync/check-timeout", "sync.check-timeout must be longer than 0");
        }
        Goal.ZonePolicy zonePolicy = values.given(sync.zonePolicy(), "/sync/zone-policy", "unknown zone policy",
                Goal.ZonePolicy.class);
        if (zonePolicy == null) {
            zonePolicy = byDefault("sync.zone-policy", Goal.ZonePolicy.class);
        }
        return new Goal.Sync(zonePolicy, check, merge, checkTimeout);
    }

    private Goal.Limits limits() throws GoalException {
        RawGoal.Limits limits = raw.limits();
        Duration task = limits != null && limits.taskTimeout() != null ? limits.taskTimeout() : defaults.getDuration("limits.task-timeout");
        Duration idle = limits != null && limits.idleTimeout() != null ? limits.idleTimeout() : defaults.getDuration("limits.idle-timeout");
        if (task.isZero()) {
            throw at("/limits/task-timeout", "limits.task-timeout must be longer than 0");
        }
        if (idle.isZero()) {
            throw at("/limits/idle-timeout", "limits.idle-timeout must be longer than 0");
        }
        int retries = limits != null && limits.apiRetries() != null ? limits.apiRetries() : defaults.getInt("limits.api-retries");
        if (retries < 0) {
            throw at("/limits/api-retries", "limits.api-retries cannot be negative");
        }
        Duration api = limits != null && limits.apiTimeout() != null ? limits.apiTimeout() : defaults.getDuration("limits.api-timeout");
        if (api.isZero()) {
            throw at("/limits/api-timeout", "limits.api-timeout must be longer than 0");
        }
        int attempts = limits != null && limits.attempts() != null ? limits.attempts() : defaults.getInt("limits.attempts");
        if (attempts < 1) {
            throw at("/limits/attempts", "limits.attempts must be at least 1");
        }
        Optional<Double> budget = Optional.ofNullable(limits == null ? null : limits.budgetUsd()).map(BigDecimal::doubleValue);
        if (budget.isPresent() && budget.get() <= 0) {
            throw at("/limits/budget-usd", "limits.budget-usd must be more than 0");
        }
        return new Goal.Limits(task, idle, retries, api, attempts, budget);
    }

    /** One part of the goal file, read and checked. */
    private interface Section<T> {
        T read() throws GoalException;
    }
}
