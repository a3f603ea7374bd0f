package dev.troupe.agent;

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
 * The command line every agent gets, real or fake: {@code -p [--input-format stream-json --replay-user-messages]
 * --output-format stream-json --verbose --permission-mode <mode> --allowedTools <list> [--model M] [--max-turns N]
 * [--append-system-prompt T] [--json-schema S] [--resume <id> --fork-session] --session-id <uuid> [-- <prompt>]},
 * after the goal's {@code agent.command}. An agent that {@linkplain #takesLiveInput takes live input} gets its
 * prompt on stdin ({@code AgentInput}); any other gets it as the positional argument ({@code -p}, print mode,
 * takes no value in Claude Code), last after {@code --} so that a prompt starting with "-" (a markdown list) is not
 * read as an option. {@code [demo]} runs the built-in {@link DemoAgent} in a fresh JVM.
 */
public final class AgentCommand {

    private AgentCommand() {}

    public static List<String> argv(Goal.AgentSettings agent, Goal.TaskSpec task, String prompt, String sessionId) {
        return argv(agent, task, prompt, sessionId, Optional.empty());
    }

    /**
     * @param jsonSchema for an agent that answers rather than edits (the planner, a reviewer): the CLI makes it
     *     answer with an object of this schema, in the result's {@code structured_output}
     */
    public static List<String> argv(Goal.AgentSettings agent, Goal.TaskSpec task, String prompt, String sessionId,
            Optional<String> jsonSchema) {
        return argv(agent, task, prompt, sessionId, jsonSchema, Optional.empty());
    }

    /**
     * @param resume an earlier session to continue: {@code --resume <id> --fork-session}, the prompt its next user
     *     message. Forked, so the session goes on under {@code sessionId} (which the CLI accepts only with
     *     {@code --fork-session}) and the earlier one stays as it was
     */
    public static List<String> argv(Goal.AgentSettings agent, Goal.TaskSpec task, String prompt, String sessionId,
            Optional<String> jsonSchema, Optional<String> resume) {
        List<String> argv = new ArrayList<>(executable(agent));
        boolean live = takesLiveInput(agent);
        argv.add("-p");
        if (live) {
            argv.addAll(List.of("--input-format", "stream-json", "--replay-user-messages"));
        }
        argv.addAll(List.of("--output-format", "stream-json", "--verbose",
                "--permission-mode", task.permissionMode().orElse(agent.permissionMode())));
        List<String> tools = task.allowedTools().orElse(agent.allowedTools());
        if (!tools.isEmpty()) {
            argv.add("--allowedTools");
            argv.add(String.join(",", tools));
        }
        Optional<String> model = task.model().or(agent::model);
        model.ifPresent(m -> {
            argv.add("--model");
            argv.add(m);
        });
        task.maxTurns().or(agent::maxTurns).ifPresent(n -> {
            argv.add("--max-turns");
            argv.add(Integer.toString(n));
        });
        task.appendSystemPrompt().or(agent::appendSystemPrompt).ifPresent(text -> {
            argv.add("--append-system-prompt");
            argv.add(text);
        });
        jsonSchema.ifPresent(schema -> {
            argv.add("--json-schema");
            argv.add(schema);
        });
        resume.ifPresent(session -> argv.addAll(List.of("--resume", session, "--fork-session")));
        argv.add("--session-id");
        argv.add(sessionId);
        if (!live) {
            argv.add("--");
            argv.add(prompt);
        }
        return argv;
    }

    /**
     * Whether the agent is driven through its stdin ({@code --input-format stream-json}): its prompt the first user
     * message, and what it is told while it works the next ones. So is Claude Code (an executable named
     * {@code claude}, or one inside its npm package) and the demo agent, unless the goal's {@code agent.live-input}
     * says otherwise; any other command gets its prompt as its last argument and stdin closed, as before.
     */
    public static boolean takesLiveInput(Goal.AgentSettings agent) {
        return agent.liveInput().orElseGet(() -> agent.isDemo() || isClaudeCode(agent.command().get(0)));
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

    private static List<String> executable(Goal.AgentSettings agent) {
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
    public static Optional<Path> findExecutable(Goal.AgentSettings agent, Path cwd) {
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
