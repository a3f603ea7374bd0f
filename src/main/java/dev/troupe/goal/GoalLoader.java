package dev.troupe.goal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.typesafe.config.Config;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads a goal file (YAML, or JSON for {@code .json} files), fills in the defaults from configuration and
 * checks everything that can be checked before a run starts. Every problem is a {@link GoalException}
 * naming the file and, where there is one, the line and column.
 */
public final class GoalLoader {

    /** The id troupe's planner runs under, in the journal and in agent files: no task may have it. */
    public static final String RESERVED_ID = "(planner)";

    static final Set<String> PERMISSION_MODES =
            Set.of("default", "acceptEdits", "plan", "dontAsk", "auto", "bypassPermissions");

    private final Config defaults;

    /** @param config the application configuration; goal defaults are read from {@code troupe.defaults}. */
    public GoalLoader(Config config) {
        this.defaults = config.getConfig("troupe.defaults");
    }

    public Goal load(Path file) throws GoalException {
        return load(file, file.toAbsolutePath().getParent());
    }

    /**
     * Loads {@code file} with its relative paths ({@code repo}, a relative agent command) resolved against
     * {@code relativeTo}: for the copy of a goal in a run directory, the original file's directory.
     */
    public Goal load(Path file, Path relativeTo) throws GoalException {
        String text = read(file);
        if (text.isBlank()) {
            throw new GoalException(file, "the goal file is empty");
        }
        ObjectMapper mapper = mapperFor(file);
        Map<String, JsonLocation> locations = locate(file, mapper.getFactory(), text);
        RawGoal raw;
        try {
            raw = mapper.readValue(text, RawGoal.class);
        } catch (JsonProcessingException e) {
            throw bindingError(file, e, locations);
        }
        if (raw == null) {
            throw new GoalException(file, "the goal file holds no settings");
        }
        return new Check(file, relativeTo, raw, locations).goal();
    }

    private static String read(Path file) throws GoalException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new GoalException(file, "no such goal file");
        } catch (MalformedInputException e) {
            throw new GoalException(file, "the goal file is not UTF-8 text");
        } catch (IOException e) {
            throw new GoalException(file, "cannot read the goal file: " + e.getMessage());
        }
    }

    /** The mapper for a goal file: JSON for {@code .json}, YAML otherwise. */
    static ObjectMapper mapperFor(Path file) {
        boolean json = file.getFileName().toString().toLowerCase().endsWith(".json");
        ObjectMapper mapper = json ? JsonMapper.builder().build() : YAMLMapper.builder().build();
        return mapper.setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    }

    /**
     * Where each key and value of the file starts, by JSON pointer ("/tasks/2/after/0"), so that checks made
     * after binding can still point at the line. Also the place where a syntax error is reported.
     */
    private static Map<String, JsonLocation> locate(Path file, JsonFactory factory, String text) throws GoalException {
        Map<String, JsonLocation> locations = new HashMap<>();
        try (JsonParser parser = factory.createParser(text)) {
            parser.disable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
                    continue;
                }
                JsonStreamContext context = parser.getParsingContext();
                boolean opens = token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY;
                String pointer = (opens ? context.getParent() : context).pathAsPointer().toString();
                if (token == JsonToken.FIELD_NAME && locations.containsKey(pointer)) {
                    // Checked here rather than by the parser, which reports the place after the key.
                    throw new GoalException(file, parser.currentTokenLocation(),
                            "duplicate key '" + parser.currentName() + "'");
                }
                locations.putIfAbsent(pointer, parser.currentTokenLocation());
            }
        } catch (JsonProcessingException e) {
            throw new GoalException(file, e.getLocation(), "not valid " + syntaxName(file) + ": " + parserProblem(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new GoalException(file, "cannot read the goal file: " + e.getMessage());
        }
        return locations;
    }

    /**
     * The parser's own words without its excerpts of the file: SnakeYAML gives the context ("while parsing a
     * flow sequence") and the problem ("expected ',' or ']', but got :") on separate lines among indented ones.
     */
    static String parserProblem(String message) {
        if (message == null) {
            return "unreadable";
        }
        String words = message.lines()
                .filter(line -> !line.isBlank() && !Character.isWhitespace(line.charAt(0)))
                .map(String::strip)
                .collect(Collectors.joining(": "));
        return words.isEmpty() ? firstLine(message) : words;
    }

    private static String syntaxName(Path file) {
        return file.getFileName().toString().toLowerCase().endsWith(".json") ? "JSON" : "YAML";
    }

    /**
     * A value of the wrong type or an unknown key. Jackson reports where it stopped reading (for an unknown key,
     * after its whole value), so the place is taken from the key's own location when there is one.
     */
    private static GoalException bindingError(Path file, JsonProcessingException e, Map<String, JsonLocation> locations) {
        String where = e instanceof JsonMappingException mapping ? keyPath(mapping.getPath()) : "";
        JsonLocation location = e instanceof JsonMappingException mapping
                ? locations.getOrDefault(pointer(mapping.getPath()), e.getLocation())
                : e.getLocation();
        String problem;
        if (e instanceof UnrecognizedPropertyException unknown) {
            String parent = where.contains(".") ? where.substring(0, where.lastIndexOf('.')) : "";
            problem = "unknown key '" + unknown.getPropertyName() + "'" + (parent.isEmpty() ? "" : " in " + parent)
                    + "; expected one of: " + known(unknown.getKnownPropertyIds());
        } else if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            problem = (where.isEmpty() ? "" : where + ": ") + "expected " + expected(mismatch);
        } else {
            problem = (where.isEmpty() ? "" : where + ": ") + firstLine(e.getOriginalMessage());
        }
        return new GoalException(file, location, problem);
    }

    private static String pointer(List<JsonMappingException.Reference> path) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference ref : path) {
            out.append('/').append(ref.getFieldName() != null ? ref.getFieldName() : Integer.toString(ref.getIndex()));
        }
        return out.toString();
    }

    private static String expected(MismatchedInputException e) {
        Class<?> type = e.getTargetType();
        if (type == Duration.class) {
            return Durations.EXPECTED;
        }
        if (type == Integer.class || type == int.class) {
            return "a whole number";
        }
        if (type == BigDecimal.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "text";
        }
        if (Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        return "a mapping of keys to values";
    }

    private static String keyPath(List<JsonMappingException.Reference> path) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference ref : path) {
            if (ref.getFieldName() != null) {
                out.append(out.isEmpty() ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                out.append('[').append(ref.getIndex()).append(']');
            }
        }
        return out.toString();
    }

    private static String known(Collection<Object> ids) {
        return ids.stream().map(String::valueOf).sorted().collect(Collectors.joining(", "));
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /** One part of the goal file, read and checked. */
    private interface Section<T> {
        T read() throws GoalException;
    }

    /** The checks made after binding, and the merge with defaults. */
    private final class Check {
        private final Path file;
        private final Path relativeTo;
        private final RawGoal raw;
        private final Map<String, JsonLocation> locations;
        private final List<GoalException> problems = new ArrayList<>();

        Check(Path file, Path relativeTo, RawGoal raw, Map<String, JsonLocation> locations) {
            this.file = file;
            this.relativeTo = relativeTo;
            this.raw = raw;
            this.locations = locations;
        }

        private GoalException at(String pointer, String problem) {
            return new GoalPlaces(file, locations).problem(pointer, problem);
        }

        /** The goal, or every problem of it: its sections are read independently, each up to its first problem. */
        Goal goal() throws GoalException {
            checked(() -> {
                refuseEmptyCheck();
                return Boolean.TRUE;
            });
            Goal.AgentSettings agent = checked(this::agent);
            List<Goal.TaskSpec> tasks = tasks(agent != null && agent.review());
            Goal.Team team = checked(this::team);
            Goal.Limits limits = checked(this::limits);
            Goal.Sync sync = checked(this::sync);
            Optional<Goal.Fanout> fanout = checked(this::fanout);
            Goal.Notify notify = checked(this::notifications);
            String text = raw.goal() == null ? "" : raw.goal().strip();
            if ((raw.tasks() == null || raw.tasks().isEmpty()) && raw.fanout() == null && text.isEmpty()) {
                problems.add(at(raw.tasks() == null ? "" : "/tasks",
                        "the goal lists no tasks and has no 'goal:' text for the planner to make them from"));
            }
            if (!problems.isEmpty()) {
                throw GoalException.of(problems);
            }
            return new Goal(file, text, repo(), Optional.ofNullable(raw.base()).map(String::strip),
                    team, agent, limits, sync, fanout, tasks, notify, new GoalPlaces(file, locations));
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

        private Goal.Notify notifications() throws GoalException {
            RawGoal.Notify notify = raw.notifications();
            if (notify == null) {
                return Goal.Notify.NONE;
            }
            if (notify.command() != null && notify.command().isBlank()) {
                throw at("/notify/command", "notify.command is empty; give a command, or leave the key out");
            }
            return new Goal.Notify(Optional.ofNullable(notify.command()).map(String::strip),
                    notify.bell() != null && notify.bell());
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
            int canary = fanout.canary() == null ? 0 : fanout.canary();
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

        private void refuseEmptyEntries(List<String> list, String pointer, String name) throws GoalException {
            for (int i = 0; i < list.size(); i++) {
                if (list.get(i) == null || list.get(i).isBlank()) {
                    throw at(pointer + "/" + i, name + " has an empty entry");
                }
            }
        }

        /** A relative path to the agent (it holds a '/') is relative to this file, like {@code repo}. */
        private List<String> withAbsoluteExecutable(List<String> command) {
            String executable = command.get(0);
            if (!executable.contains("/") || Path.of(executable).isAbsolute()) {
                return command;
            }
            List<String> absolute = new ArrayList<>(command);
            absolute.set(0, relativeTo.resolve(executable).normalize().toString());
            return absolute;
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

        private Goal.AgentSettings agent() throws GoalException {
            RawGoal.Agent agent = raw.agent() != null ? raw.agent() : new RawGoal.Agent(null, null, null, null, null, null, null, null, null);
            List<String> command = agent.command() != null ? agent.command() : defaults.getStringList("agent.command");
            if (command.isEmpty() || command.get(0) == null || command.get(0).isBlank()) {
                throw at("/agent/command", "agent.command must name an executable");
            }
            refuseEmptyEntries(command, "/agent/command", "agent.command");
            command = withAbsoluteExecutable(command);
            String mode = agent.permissionMode() != null ? agent.permissionMode() : defaults.getString("agent.permission-mode");
            checkPermissionMode(mode, "/agent/permission-mode");
            List<String> tools = agent.allowedTools() != null ? agent.allowedTools() : defaults.getStringList("agent.allowed-tools");
            refuseEmptyEntries(tools, "/agent/allowed-tools", "agent.allowed-tools");
            if (agent.maxTurns() != null && agent.maxTurns() < 1) {
                throw at("/agent/max-turns", "agent.max-turns must be at least 1");
            }
            boolean isolate = agent.isolateConfig() != null ? agent.isolateConfig() : defaults.getBoolean("agent.isolate-config");
            Map<String, String> env = agent.env() == null ? Map.of() : new LinkedHashMap<>(agent.env());
            for (Map.Entry<String, String> variable : env.entrySet()) {
                if (!variable.getKey().matches("[A-Za-z_][A-Za-z0-9_]*") || variable.getValue() == null) {
                    throw at("/agent/env/" + variable.getKey(), "agent.env: '" + variable.getKey()
                            + "' needs a variable name (letters, digits, _) and a value");
                }
            }
            boolean review = agent.review() != null && agent.review();
            return new Goal.AgentSettings(List.copyOf(command), Optional.ofNullable(agent.model()), mode,
                    List.copyOf(tools), Optional.ofNullable(agent.maxTurns()), isolate, Map.copyOf(env),
                    Optional.ofNullable(agent.appendSystemPrompt()), review);
        }

        private void checkPermissionMode(String mode, String pointer) throws GoalException {
            if (!PERMISSION_MODES.contains(mode)) {
                throw at(pointer, "unknown permission mode '" + mode + "'; expected one of: "
                        + PERMISSION_MODES.stream().sorted().collect(Collectors.joining(", ")));
            }
        }

        private Goal.Sync sync() throws GoalException {
            String policy = raw.sync() == null || raw.sync().zonePolicy() == null ? "warn" : raw.sync().zonePolicy();
            Optional<String> check = Optional.ofNullable(raw.sync() == null ? null : raw.sync().check()).map(String::strip);
            String merge = raw.sync() == null || raw.sync().merge() == null ? "each" : raw.sync().merge().strip();
            Goal.MergePolicy mergePolicy = switch (merge) {
                case "each" -> Goal.MergePolicy.EACH;
                case "end" -> Goal.MergePolicy.END;
                default -> throw at("/sync/merge", "unknown merge policy '" + merge + "'; expected each or end");
            };
            return switch (policy) {
                case "warn" -> new Goal.Sync(Goal.ZonePolicy.WARN, check, mergePolicy);
                case "reject" -> new Goal.Sync(Goal.ZonePolicy.REJECT, check, mergePolicy);
                default -> throw at("/sync/zone-policy", "unknown zone policy '" + policy + "'; expected warn or reject");
            };
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

        /**
         * The tasks that could be read, each task's problems and the dependencies' noted.
         *
         * @param reviewByDefault {@code agent.review}, for the tasks that do not say
         */
        private List<Goal.TaskSpec> tasks(boolean reviewByDefault) {
            List<RawGoal.Task> rawTasks = raw.tasks() == null ? List.of() : raw.tasks();
            if (rawTasks.isEmpty()) {
                // Made by the fan-out, or planned from the goal text.
                return List.of();
            }
            Map<String, Integer> indexById = new LinkedHashMap<>();
            Map<String, String> idBySlug = new HashMap<>();
            List<Goal.TaskSpec> tasks = new ArrayList<>();
            int problemsBefore = problems.size();
            for (int i = 0; i < rawTasks.size(); i++) {
                int index = i;
                Goal.TaskSpec task = checked(() -> task(index, rawTasks.get(index), indexById, idBySlug, reviewByDefault));
                if (task != null) {
                    tasks.add(task);
                }
            }
            for (Goal.TaskSpec task : tasks) {
                List<String> after = task.after();
                for (int j = 0; j < after.size(); j++) {
                    String dependency = after.get(j);
                    if (!indexById.containsKey(dependency)) {
                        problems.add(at("/tasks/" + indexById.get(task.id()) + "/after/" + j, "task '" + task.id()
                                + "' comes after unknown task '" + dependency + "'"));
                    }
                }
            }
            if (problems.size() > problemsBefore) {
                // A cycle among the tasks read so far could be one that the missing ones would not make.
                return List.copyOf(tasks);
            }
            Optional<List<String>> cycle = TaskGraph.findCycle(tasks);
            if (cycle.isPresent()) {
                String first = cycle.get().get(0);
                problems.add(at("/tasks/" + indexById.get(first) + "/after", "dependency cycle: " + String.join(" -> ", cycle.get())));
            }
            return List.copyOf(tasks);
        }

        /** The task at {@code i}, its id and slug taken in {@code indexById} and {@code idBySlug}. */
        private Goal.TaskSpec task(int i, RawGoal.Task task, Map<String, Integer> indexById, Map<String, String> idBySlug,
                boolean reviewByDefault) throws GoalException {
            String at = "/tasks/" + i;
            if (task == null) {
                throw at(at, "a task must be a mapping with at least 'id' and 'prompt'");
            }
            if (task.id() == null || task.id().isBlank()) {
                throw at(at, "task " + (i + 1) + " has no id");
            }
            String id = task.id().strip();
            if (id.chars().anyMatch(Character::isISOControl)) {
                throw at(at + "/id", "task id " + (i + 1) + " holds a line break or control character");
            }
            if (id.equals(RESERVED_ID)) {
                throw at(at + "/id", "task id '" + id + "' is reserved for troupe's planner; rename the task");
            }
            if (indexById.putIfAbsent(id, i) != null) {
                throw at(at + "/id", "duplicate task id '" + id + "'");
            }
            String slug = TaskIds.slug(id);
            String clash = idBySlug.putIfAbsent(slug, id);
            if (clash != null) {
                throw at(at + "/id", "task ids '" + clash + "' and '" + id + "' both become '" + slug
                        + "' in branch names; rename one");
            }
            if (task.prompt() == null || task.prompt().isBlank()) {
                throw at(task.prompt() == null ? at : at + "/prompt", "task '" + id + "' has an empty prompt");
            }
            if (task.after() != null) {
                refuseEmptyEntries(task.after(), at + "/after", "after of task '" + id + "'");
            }
            List<String> after = task.after() == null ? List.of() : task.after().stream().map(String::strip).toList();
            if (task.permissionMode() != null) {
                checkPermissionMode(task.permissionMode(), at + "/permission-mode");
            }
            if (task.maxTurns() != null && task.maxTurns() < 1) {
                throw at(at + "/max-turns", "max-turns of task '" + id + "' must be at least 1");
            }
            if (task.allowedTools() != null) {
                refuseEmptyEntries(task.allowedTools(), at + "/allowed-tools", "allowed-tools of task '" + id + "'");
            }
            List<String> zone = task.zone() == null ? List.of() : List.copyOf(task.zone());
            refuseEmptyEntries(zone, at + "/zone", "zone of task '" + id + "'");
            for (int z = 0; z < zone.size(); z++) {
                Optional<String> notGlob = Zones.problem(zone.get(z));
                if (notGlob.isPresent()) {
                    throw at(at + "/zone/" + z, "zone of task '" + id + "': '" + zone.get(z) + "' is not a glob: "
                            + notGlob.get());
                }
            }
            return new Goal.TaskSpec(id, slug, task.prompt().strip(), after, Optional.ofNullable(task.model()),
                    Optional.ofNullable(task.allowedTools()).map(List::copyOf), Optional.ofNullable(task.permissionMode()),
                    Optional.ofNullable(task.maxTurns()), Optional.ofNullable(task.appendSystemPrompt()), zone, List.of(),
                    task.review() != null ? task.review() : reviewByDefault);
        }
    }
}
