package dev.troupe.goal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A validated goal: what the team is asked to do, where, and with which settings, defaults filled in.
 * Built only by {@link GoalLoader}, so holding one means every check has passed.
 */
public record Goal(
        Path file,
        String text,
        Path repo,
        Optional<String> base,
        Team team,
        AgentSettings agent,
        Limits limits,
        List<TaskSpec> tasks) {

    public record Team(int size, Duration stagger) {}

    /**
     * How agents are launched. {@code command} is the executable and leading arguments;
     * {@code [demo]} selects the built-in demo agent.
     */
    public record AgentSettings(
            List<String> command,
            Optional<String> model,
            String permissionMode,
            List<String> allowedTools,
            Optional<Integer> maxTurns,
            boolean isolateConfig) {

        public boolean isDemo() {
            return command.equals(List.of("demo"));
        }
    }

    public record Limits(Duration taskTimeout, Duration idleTimeout) {}

    /**
     * One unit of work. {@code id} is the user's name for it; {@code slug} is the same id made safe for
     * branch names and paths, unique within the goal.
     */
    public record TaskSpec(String id, String slug, String prompt, List<String> after, Optional<String> model) {}

    public Optional<TaskSpec> task(String id) {
        return tasks.stream().filter(t -> t.id().equals(id)).findFirst();
    }
}
