package dev.troupe.cli;

import dev.troupe.agent.AgentCommand;
import dev.troupe.goal.AgentProfile;
import dev.troupe.goal.AgentSettings;
import dev.troupe.goal.Goal;
import dev.troupe.goal.GoalPlaces;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The goal's agents as a run would start them, checked before it does: the executable of every CLI it names (in
 * {@code agent:}, a profile, a task or a variant) is found, every profile's {@code key-env} is set, and a key a CLI
 * cannot honour is said, as a warning at the key.
 */
final class AgentPreflight {

    /** One line for the user: a problem refuses the run, a warning does not. */
    record Finding(String line, boolean problem) {}

    /** The goal keys an agent setting is written under, which some CLIs cannot honour. */
    private static final List<String> KEYS =
            List.of("allowed-tools", "max-turns", "append-system-prompt", "live-input", "isolate-config");

    private final Goal goal;
    private final GoalPlaces places;
    private final Path agentDir;
    private final Function<String, String> environment;
    private final List<Finding> findings = new ArrayList<>();
    private final Set<List<String>> looked = new HashSet<>();

    /**
     * @param agentDir where a relative agent command is run from
     * @param environment troupe's environment, where a profile's key is read
     */
    private AgentPreflight(Goal goal, Path agentDir, Function<String, String> environment) {
        this.goal = goal;
        this.places = goal.places();
        this.agentDir = agentDir;
        this.environment = environment;
    }

    static List<Finding> check(Goal goal, Path agentDir, Function<String, String> environment) {
        AgentPreflight check = new AgentPreflight(goal, agentDir, environment);
        check.run();
        return check.findings;
    }

    private void run() {
        // agent: itself is checked by Preflight, also when the file has problems.
        looked.add(goal.agent().command());
        unsupported(goal.agent(), "/agent", "agent");
        for (AgentProfile profile : goal.profiles()) {
            String at = "/agents/" + profile.name();
            executable(profile.agent(), at + "/command", "agents." + profile.name() + ".command");
            unsupported(profile.agent(), at, "agents." + profile.name());
            profile.keyEnv().filter(variable -> isEmpty(environment.apply(variable))).ifPresent(variable ->
                    problem(at + "/key-env", "agents." + profile.name() + ".key-env: " + variable + " is not set"));
        }
        for (int i = 0; i < goal.tasks().size(); i++) {
            Goal.TaskSpec task = goal.tasks().get(i);
            String at = "/tasks/" + i;
            executable(goal.agentFor(task), at + "/cli", "the agent of task '" + task.id() + "'");
            if (task.cli().isPresent() || task.agent().isPresent()) {
                unsupported(goal.agentFor(task), at, "task '" + task.id() + "'");
            }
            for (int k = 1; k <= task.variants().count(); k++) {
                executable(goal.agentFor(task.asVariant(k)), at + "/variants/" + (k - 1) + "/cli",
                        "the agent of variant " + k + " of task '" + task.id() + "'");
            }
        }
    }

    private void executable(AgentSettings agent, String pointer, String what) {
        if (looked.add(agent.command()) && AgentCommand.findExecutable(agent, agentDir).isEmpty()) {
            problem(pointer, what + ": '" + agent.command().get(0) + "' (" + agent.cli()
                    + ") not found; is it installed and on PATH?");
        }
    }

    /**
     * A warning at each key under {@code at} that the file sets and the agent's CLI cannot honour; and at a Codex
     * home under /tmp, from which Codex 0.169.0 will not run its sandbox helper, so that each command its agent runs
     * fails.
     */
    private void unsupported(AgentSettings agent, String at, String owner) {
        String codexHome = agent.env().getOrDefault("CODEX_HOME", "");
        if (agent.cli().equals("codex") && (codexHome.equals("/tmp") || codexHome.startsWith("/tmp/"))) {
            findings.add(new Finding(places.problem(at + "/env/CODEX_HOME", owner + ".env.CODEX_HOME: codex does not"
                    + " run its sandbox from a home under /tmp, so every command its agent runs would fail; put it"
                    + " elsewhere").getMessage(), false));
        }
        Map<String, String> cannot = AgentCommand.kind(agent).unsupported();
        for (String key : KEYS) {
            if (cannot.containsKey(key) && places.has(at + "/" + key)) {
                findings.add(new Finding(places.problem(at + "/" + key, owner + "." + key + ": " + cannot.get(key))
                        .getMessage(), false));
            }
        }
    }

    private void problem(String pointer, String text) {
        findings.add(new Finding(places.problem(pointer, text).getMessage(), true));
    }

    private static boolean isEmpty(String value) {
        return value == null || value.isEmpty();
    }
}
