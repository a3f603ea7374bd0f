package dev.troupe.agent;

import dev.troupe.goal.AgentSettings;
import dev.troupe.goal.Goal;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The command line every agent gets, real or fake: the goal's {@code agent.command} (the executable and leading
 * arguments), then what its {@link AgentKind} makes of the run ({@code agent.cli}; Claude Code's by default).
 * {@code [demo]} runs the built-in {@link DemoAgent} in a fresh JVM.
 */
public final class AgentCommand {

    private AgentCommand() {}

    /** The kind of agent CLI these settings run. */
    public static AgentKind kind(AgentSettings agent) {
        return AgentKind.named(agent.cli()).orElseThrow(() -> new IllegalArgumentException("no agent CLI " + agent.cli()));
    }

    public static List<String> argv(AgentSettings agent, Goal.TaskSpec task, String prompt, String sessionId) {
        return argv(agent, call(agent, task, prompt, sessionId, Optional.empty(), Optional.empty(), Path.of("")));
    }

    /** The executable and leading arguments, then what the agent's kind makes of {@code call}. */
    public static List<String> argv(AgentSettings agent, AgentCall call) {
        List<String> argv = new ArrayList<>(executable(agent));
        argv.addAll(kind(agent).arguments(call));
        return argv;
    }

    /** What the agent reads on its stdin, when it takes no live input ({@link AgentKind#stdin}). */
    public static Optional<String> stdin(AgentSettings agent, AgentCall call) {
        return call.live() ? Optional.empty() : kind(agent).stdin(call);
    }

    /**
     * The run as the agent's kind is asked for it: the task's own settings, else the agent's.
     *
     * @param jsonSchema for an agent that answers rather than edits (the planner, a reviewer): the CLI makes it
     *     answer with an object of this schema
     * @param resume an earlier session to continue, the prompt its next user message
     * @param scratch a directory of the worker's own where the kind may write files its CLI reads (a schema)
     */
    public static AgentCall call(AgentSettings agent, Goal.TaskSpec task, String prompt, String sessionId,
            Optional<String> jsonSchema, Optional<String> resume, Path scratch) {
        return new AgentCall(prompt, task.model().or(agent::model), task.permissionMode().orElse(agent.permissionMode()),
                task.allowedTools().orElse(agent.allowedTools()), task.maxTurns().or(agent::maxTurns),
                task.appendSystemPrompt().or(agent::appendSystemPrompt), jsonSchema, resume, sessionId,
                takesLiveInput(agent), scratch);
    }

    /**
     * Whether the agent is driven through its stdin ({@code --input-format stream-json}): its prompt the first user
     * message, and what it is told while it works the next ones. Only a kind that can ({@link
     * AgentKind#takesLiveInput}: Claude Code) is, and of those the real CLI (an executable named {@code claude}, or one
     * inside its npm package) and the demo agent, unless the goal's {@code agent.live-input} says otherwise; any other
     * command gets its prompt as its last argument and stdin closed.
     */
    public static boolean takesLiveInput(AgentSettings agent) {
        return kind(agent).takesLiveInput()
                && agent.liveInput().orElseGet(() -> agent.isDemo() || isClaudeCode(agent.command().get(0)));
    }

    private static boolean isClaudeCode(String executable) {
        Path named = Path.of(executable);
        String name = named.getFileName().toString();
        if (name.equals("claude") || name.equals("claude.exe")) {
            return true;
        }
        try {
            return named.toRealPath().toString().contains("@anthropic-ai/claude-code");
        } catch (java.io.IOException | SecurityException notThere) {
            return false;
        }
    }

    private static List<String> executable(AgentSettings agent) {
        if (agent.isDemo()) {
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            // Absolute entries: the agent runs in a worktree, not where troupe was started.
            String classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                    .map(entry -> Path.of(entry).toAbsolutePath().toString())
                    .collect(Collectors.joining(File.pathSeparator));
            return List.of(java.toString(), "-cp", classpath, DemoAgent.class.getName());
        }
        return agent.command();
    }

    /**
     * Where the agent's executable is: a path (the goal loader made it absolute) or a name on PATH.
     * Empty when it cannot be run, so a run can refuse before it starts anything.
     */
    public static Optional<Path> findExecutable(AgentSettings agent, Path cwd) {
        if (agent.isDemo()) {
            return Optional.of(Path.of(System.getProperty("java.home"), "bin", "java"));
        }
        String name = agent.command().get(0);
        if (name.contains(File.separator)) {
            Path path = cwd.resolve(name);
            return Files.isRegularFile(path) && Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
        }
        return onPath(name);
    }

    /** The executable file {@code name} in the first directory of PATH that has one. */
    public static Optional<Path> onPath(String name) {
        String pathVariable = Optional.ofNullable(System.getenv("PATH")).orElse("");
        for (String dir : pathVariable.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
