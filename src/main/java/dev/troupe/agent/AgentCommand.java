package dev.troupe.agent;

import dev.troupe.goal.Goal;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The command line every agent gets, real or fake: {@code -p <prompt> --output-format stream-json --verbose
 * --permission-mode <mode> --allowedTools <list> [--model M] [--max-turns N] --session-id <uuid>}, after the
 * goal's {@code agent.command}. {@code [demo]} runs the built-in {@link DemoAgent} in a fresh JVM.
 */
public final class AgentCommand {

    private AgentCommand() {}

    public static List<String> argv(Goal.AgentSettings agent, Goal.TaskSpec task, String prompt, String sessionId) {
        List<String> argv = new ArrayList<>(executable(agent));
        argv.addAll(List.of("-p", prompt, "--output-format", "stream-json", "--verbose",
                "--permission-mode", agent.permissionMode()));
        if (!agent.allowedTools().isEmpty()) {
            argv.add("--allowedTools");
            argv.add(String.join(",", agent.allowedTools()));
        }
        Optional<String> model = task.model().or(agent::model);
        model.ifPresent(m -> {
            argv.add("--model");
            argv.add(m);
        });
        agent.maxTurns().ifPresent(n -> {
            argv.add("--max-turns");
            argv.add(Integer.toString(n));
        });
        argv.add("--session-id");
        argv.add(sessionId);
        return argv;
    }

    private static List<String> executable(Goal.AgentSettings agent) {
        if (agent.isDemo()) {
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            return List.of(java.toString(), "-cp", System.getProperty("java.class.path"), DemoAgent.class.getName());
        }
        return agent.command();
    }

    /**
     * Where the agent's executable is: a path (absolute, or relative to {@code cwd}) or a name on PATH.
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
