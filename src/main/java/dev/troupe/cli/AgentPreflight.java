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
    private final Set<String> warned = new HashSet<>();

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
        Goal.Workspace workspace = goal.workspace();
        if (workspace.unconfinedBypass() && !workspace.confined()) {
            warn("/workspace/allow-unconfined-bypass", "workspace.allow-unconfined-bypass: an agent with"
                    + " bypassPermissions runs any command unasked, and reaches any host, outside the confined sandbox");
        }
        unsupported(goal.agent(), List.of("/agent"), "agent");
        for (AgentProfile profile : goal.profiles()) {
            String at = "/agents/" + profile.name();
            executable(profile.agent(), at + "/command", "agents." + profile.name() + ".command");
            unsupported(profile.agent(), List.of(at, "/agent"), "agents." + profile.name());
            profile.keyEnv().filter(variable -> isEmpty(environment.apply(variable))).ifPresent(variable ->
                    problem(at + "/key-env", "agents." + profile.name() + ".key-env: " + variable + " is not set"));
        }
        for (int i = 0; i < goal.tasks().size(); i++) {
            Goal.TaskSpec task = goal.tasks().get(i);
            String at = "/tasks/" + i;
            executable(goal.agentFor(task), at + "/cli", "the agent of task '" + task.id() + "'");
            unsupported(goal.agentFor(task), sections(at, task), "task '" + task.id() + "'");
            for (int k = 1; k <= task.variants().count(); k++) {
                Goal.TaskSpec variant = task.asVariant(k);
                String owner = "variant " + k + " of task '" + task.id() + "'";
                executable(goal.agentFor(variant), at + "/variants/" + (k - 1) + "/cli", "the agent of " + owner);
                unsupported(goal.agentFor(variant), sections(at, variant), owner);
            }
        }
    }

    /** Where a task's (or a variant's) agent settings may be written, the most telling first. */
    private static List<String> sections(String task, Goal.TaskSpec spec) {
        List<String> sections = new ArrayList<>(List.of(task));
        spec.agent().ifPresent(profile -> sections.add("/agents/" + profile));
        sections.add("/agent");
        return sections;
    }

    private void executable(AgentSettings agent, String pointer, String what) {
        if (looked.add(agent.command()) && AgentCommand.findExecutable(agent, agentDir).isEmpty()) {
            problem(pointer, what + ": '" + agent.command().get(0) + "' (" + agent.cli()
                    + ") not found; is it installed and on PATH?");
        }
    }

    /**
     * A warning at each key that the file sets for this agent (in the first of {@code sections} that has it) and its
     * CLI cannot honour, each place once for each CLI; at a Codex home under /tmp, from which Codex 0.169.0 will not
     * run its sandbox helper, so that each command its agent runs fails; and at an {@code OPENCODE_CONFIG_CONTENT}
     * of the goal's, which replaces the rules that keep OpenCode's planners and reviewers read-only.
     */
    private void unsupported(AgentSettings agent, List<String> sections, String owner) {
        String codexHome = agent.env().getOrDefault("CODEX_HOME", "");
        if (agent.cli().equals("codex") && (codexHome.equals("/tmp") || codexHome.startsWith("/tmp/"))) {
            warn(setIn(sections, "env/CODEX_HOME"), owner + ": codex does not run its sandbox from a CODEX_HOME under"
                    + " /tmp, so every command its agent runs would fail; put it elsewhere");
        }
        if (agent.cli().equals("opencode") && agent.env().containsKey("OPENCODE_CONFIG_CONTENT")) {
            warn(setIn(sections, "env/OPENCODE_CONFIG_CONTENT"), owner + ": this OPENCODE_CONFIG_CONTENT replaces"
                    + " troupe's, which keeps OpenCode's planners, reviewers and judges from editing and running commands");
        }
        if (goal.workspace().confined() && goal.workspace().network().isEmpty()
                && AgentCommand.kind(agent).api(agent.env()).isEmpty()) {
            warn(places.has("/workspace/sandbox") ? "/workspace/sandbox" : "/workspace", owner + ": " + agent.cli()
                    + " finds its API in its own config, so the sandbox lets its agent reach nothing; list the API's"
                    + " host under workspace.sandbox.network");
        }
        Map<String, String> cannot = AgentCommand.kind(agent).unsupported();
        for (String key : KEYS) {
            String pointer = setIn(sections, key);
            if (cannot.containsKey(key) && pointer != null) {
                warn(pointer, owner + "." + key + ": " + cannot.get(key));
            }
        }
    }

    /** The first of {@code sections} in which the file sets {@code key}; null if none does. */
    private String setIn(List<String> sections, String key) {
        return sections.stream().map(section -> section + "/" + key).filter(places::has).findFirst().orElse(null);
    }

    /** A warning at {@code pointer}, once for each thing it says there. */
    private void warn(String pointer, String text) {
        if (pointer != null && warned.add(pointer + " " + text.substring(text.indexOf(": ") + 2))) {
            findings.add(new Finding(places.problem(pointer, text).getMessage(), false));
        }
    }

    private void problem(String pointer, String text) {
        findings.add(new Finding(places.problem(pointer, text).getMessage(), true));
    }

    private static boolean isEmpty(String value) {
        return value == null || value.isEmpty();
    }
}
