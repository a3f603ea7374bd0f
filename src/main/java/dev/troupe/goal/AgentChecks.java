package dev.troupe.goal;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads {@code agent:} (how agents run, every setting given a default) and {@code agents:} (named profiles, each
 * what it changes of {@code agent:}, and its account). A problem is thrown at its key.
 */
final class AgentChecks {

    /** The agent CLIs a goal may name; {@code dev.troupe.agent.AgentKind} has one for each. */
    static final List<String> CLIS = List.of("claude", "codex", "gemini", "opencode");

    private static final RawGoal.Agent NO_AGENT =
            new RawGoal.Agent(null, null, null, null, null, null, null, null, null, null, null, null, null, null);

    private final Config defaults;
    private final GoalPlaces places;
    private final ValueChecks values;
    private final Path relativeTo;

    AgentChecks(Config defaults, GoalPlaces places, ValueChecks values, Path relativeTo) {
        this.defaults = defaults;
        this.places = places;
        this.values = values;
        this.relativeTo = relativeTo;
    }

    /** The {@code agent:} section, every key it leaves out at its default. */
    AgentSettings agent(RawGoal.Agent given, Goal.Retry retryByDefault) throws GoalException {
        RawGoal.Agent agent = given != null ? given : NO_AGENT;
        String cli = cli(agent.cli(), "/agent/cli", "agent.cli").orElse("claude");
        List<String> command = command(agent.command(), "/agent", "agent", agent.cli() != null ? List.of(cli)
                : defaults.getStringList("agent.command"));
        String mode = agent.permissionMode() != null ? agent.permissionMode() : defaults.getString("agent.permission-mode");
        values.checkPermissionMode(mode, "/agent/permission-mode");
        List<String> tools = agent.allowedTools() != null ? agent.allowedTools() : defaults.getStringList("agent.allowed-tools");
        values.refuseEmptyEntries(tools, "/agent/allowed-tools", "agent.allowed-tools");
        checkMaxTurns(agent.maxTurns(), "/agent", "agent");
        boolean isolate = agent.isolateConfig() != null ? agent.isolateConfig() : defaults.getBoolean("agent.isolate-config");
        Map<String, String> env = env(agent.env(), "/agent", "agent", Map.of());
        boolean review = agent.review() != null ? agent.review() : defaults.getBoolean("agent.review");
        Goal.Retry retry = values.given(agent.retry(), "/agent/retry", "agent.retry: unknown value", Goal.Retry.class);
        return new AgentSettings(command, Optional.ofNullable(agent.model()), mode, List.copyOf(tools),
                Optional.ofNullable(agent.maxTurns()), isolate, env, Optional.ofNullable(agent.appendSystemPrompt()),
                review, retry == null ? retryByDefault : retry, Goal.Variants.NONE, Optional.ofNullable(agent.liveInput()),
                cli);
    }

    /**
     * The {@code agents:} profiles, in file order, each over {@code base}: a profile that names another CLI and no
     * command runs that CLI's own executable, and no model of {@code agent:} carries over to another CLI.
     */
    List<AgentProfile> profiles(Map<String, RawGoal.Profile> given, AgentSettings base) throws GoalException {
        if (given == null) {
            return List.of();
        }
        List<AgentProfile> profiles = new ArrayList<>();
        for (Map.Entry<String, RawGoal.Profile> entry : given.entrySet()) {
            profiles.add(profile(entry.getKey(), entry.getValue(), base));
        }
        return List.copyOf(profiles);
    }

    private AgentProfile profile(String name, RawGoal.Profile profile, AgentSettings base) throws GoalException {
        String at = "/agents/" + name;
        String owner = "agents." + name;
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw places.problem(at, "agent profile '" + name + "' needs a name of letters, digits, '.', '_' and '-'");
        }
        if (profile == null) {
            throw places.problem(at, owner + " must be a mapping (cli, command, model, key-env, share, ...)");
        }
        String cli = cli(profile.cli(), at + "/cli", owner + ".cli").orElse(base.cli());
        boolean otherCli = !cli.equals(base.cli());
        List<String> command = command(profile.command(), at, owner, otherCli ? List.of(cli) : base.command());
        String mode = profile.permissionMode() != null ? profile.permissionMode() : base.permissionMode();
        values.checkPermissionMode(mode, at + "/permission-mode");
        List<String> tools = profile.allowedTools() != null ? List.copyOf(profile.allowedTools()) : base.allowedTools();
        values.refuseEmptyEntries(tools, at + "/allowed-tools", owner + ".allowed-tools");
        checkMaxTurns(profile.maxTurns(), at, owner);
        Optional<String> keyEnv = Optional.ofNullable(profile.keyEnv()).map(String::strip);
        if (keyEnv.isPresent() && !keyEnv.get().matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw places.problem(at + "/key-env", owner + ".key-env must name an environment variable (letters,"
                    + " digits, _), not hold a key: the goal file is copied into the run");
        }
        if (profile.share() != null && profile.share() < 1) {
            throw places.problem(at + "/share", owner + ".share must be at least 1, or left out (the profile then runs"
                    + " only the tasks that name it)");
        }
        Optional<String> model = Optional.ofNullable(profile.model()).or(() -> otherCli ? Optional.empty() : base.model());
        AgentSettings agent = new AgentSettings(command, model, mode, tools,
                Optional.ofNullable(profile.maxTurns()).or(base::maxTurns),
                profile.isolateConfig() != null ? profile.isolateConfig() : base.isolateConfig(),
                env(profile.env(), at, owner, base.env()),
                Optional.ofNullable(profile.appendSystemPrompt()).or(base::appendSystemPrompt), base.review(),
                base.retry(), base.variants(), Optional.ofNullable(profile.liveInput()).or(base::liveInput), cli);
        return new AgentProfile(name, agent, keyEnv, Optional.ofNullable(profile.share()));
    }

    /** {@code cli:} at {@code pointer}: one of {@link #CLIS}; empty when left out. */
    Optional<String> cli(String given, String pointer, String name) throws GoalException {
        if (given == null) {
            return Optional.empty();
        }
        String cli = given.strip();
        if (!CLIS.contains(cli)) {
            throw places.problem(pointer, name + " is '" + cli + "'; expected "
                    + String.join(", ", CLIS.subList(0, CLIS.size() - 1)) + " or " + CLIS.get(CLIS.size() - 1));
        }
        return Optional.of(cli);
    }

    /** {@code agent:} of a task or variant at {@code pointer}: the name of one of {@code profiles}; empty when left out. */
    Optional<String> profile(String given, String pointer, String owner, List<AgentProfile> profiles)
            throws GoalException {
        if (given == null) {
            return Optional.empty();
        }
        String name = given.strip();
        if (profiles.stream().noneMatch(p -> p.name().equals(name))) {
            throw places.problem(pointer, owner + " names agent profile '" + name + "', which agents: does not have"
                    + (profiles.isEmpty() ? "" : "; it has " + String.join(", ",
                            profiles.stream().map(AgentProfile::name).toList())));
        }
        return Optional.of(name);
    }

    /** The executable and its leading arguments; a relative path to it (it holds a '/') is relative to the file. */
    private List<String> command(List<String> given, String at, String owner, List<String> byDefault)
            throws GoalException {
        List<String> command = given != null ? given : byDefault;
        if (command.isEmpty() || command.get(0) == null || command.get(0).isBlank()) {
            throw places.problem(at + "/command", owner + ".command must name an executable");
        }
        values.refuseEmptyEntries(command, at + "/command", owner + ".command");
        String executable = command.get(0);
        if (!executable.contains("/") || Path.of(executable).isAbsolute()) {
            return List.copyOf(command);
        }
        List<String> absolute = new ArrayList<>(command);
        absolute.set(0, relativeTo.resolve(executable).normalize().toString());
        return List.copyOf(absolute);
    }

    private void checkMaxTurns(Integer maxTurns, String at, String owner) throws GoalException {
        if (maxTurns != null && maxTurns < 1) {
            throw places.problem(at + "/max-turns", owner + ".max-turns must be at least 1");
        }
    }

    /** {@code env:} over {@code base}'s. */
    private Map<String, String> env(Map<String, String> given, String at, String owner, Map<String, String> base)
            throws GoalException {
        Map<String, String> env = new LinkedHashMap<>(base);
        if (given != null) {
            for (Map.Entry<String, String> variable : given.entrySet()) {
                if (!variable.getKey().matches("[A-Za-z_][A-Za-z0-9_]*") || variable.getValue() == null) {
                    throw places.problem(at + "/env/" + variable.getKey(), owner + ".env: '" + variable.getKey()
                            + "' needs a variable name (letters, digits, _) and a value");
                }
                env.put(variable.getKey(), variable.getValue());
            }
        }
        return Map.copyOf(env);
    }
}
