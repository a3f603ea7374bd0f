package dev.troupe.goal;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How agents are launched. {@code command} is the executable and leading arguments;
 * {@code [demo]} selects the built-in demo agent. {@code env} is added to the environment troupe passes on.
 * {@code review}: every task's change is reviewed before it merges, unless the task says otherwise.
 * {@code retry}: how a task's attempt after work that did not make it in starts, unless the task says otherwise.
 * {@code variants}: every task is tried these ways at once, unless it says otherwise.
 * {@code liveInput}: whether the agent takes messages on its stdin while it works (Claude Code's stream-json
 * input); unset, troupe decides by the command ({@link dev.troupe.agent.AgentCommand#takesLiveInput}).
 * {@code cli}: which agent CLI it is ({@code claude}, {@code codex}, {@code gemini}, {@code opencode}), which says
 * how its command line is made and its output read.
 */
public record AgentSettings(
        List<String> command,
        Optional<String> model,
        String permissionMode,
        List<String> allowedTools,
        Optional<Integer> maxTurns,
        boolean isolateConfig,
        Map<String, String> env,
        Optional<String> appendSystemPrompt,
        boolean review,
        Goal.Retry retry,
        Goal.Variants variants,
        Optional<Boolean> liveInput,
        String cli) {

    public AgentSettings(List<String> command, Optional<String> model, String permissionMode,
            List<String> allowedTools, Optional<Integer> maxTurns, boolean isolateConfig, Map<String, String> env,
            Optional<String> appendSystemPrompt, boolean review, Goal.Retry retry, Goal.Variants variants,
            Optional<Boolean> liveInput) {
        this(command, model, permissionMode, allowedTools, maxTurns, isolateConfig, env, appendSystemPrompt, review,
                retry, variants, liveInput, "claude");
    }

    public AgentSettings(List<String> command, Optional<String> model, String permissionMode,
            List<String> allowedTools, Optional<Integer> maxTurns, boolean isolateConfig, Map<String, String> env,
            Optional<String> appendSystemPrompt, boolean review, Goal.Retry retry, Goal.Variants variants) {
        this(command, model, permissionMode, allowedTools, maxTurns, isolateConfig, env, appendSystemPrompt, review,
                retry, variants, Optional.empty());
    }

    public AgentSettings(List<String> command, Optional<String> model, String permissionMode,
            List<String> allowedTools, Optional<Integer> maxTurns, boolean isolateConfig, Map<String, String> env,
            Optional<String> appendSystemPrompt, boolean review) {
        this(command, model, permissionMode, allowedTools, maxTurns, isolateConfig, env, appendSystemPrompt, review,
                Goal.Retry.RESUME, Goal.Variants.NONE);
    }

    public AgentSettings(List<String> command, Optional<String> model, String permissionMode,
            List<String> allowedTools, Optional<Integer> maxTurns, boolean isolateConfig, Map<String, String> env,
            Optional<String> appendSystemPrompt, boolean review, Goal.Retry retry) {
        this(command, model, permissionMode, allowedTools, maxTurns, isolateConfig, env, appendSystemPrompt, review,
                retry, Goal.Variants.NONE);
    }

    public AgentSettings(List<String> command, Optional<String> model, String permissionMode,
            List<String> allowedTools, Optional<Integer> maxTurns, boolean isolateConfig, Map<String, String> env,
            Optional<String> appendSystemPrompt, boolean review, Goal.Variants variants) {
        this(command, model, permissionMode, allowedTools, maxTurns, isolateConfig, env, appendSystemPrompt, review,
                Goal.Retry.RESUME, variants);
    }

    /** The same settings, every task tried as {@code other} unless it says otherwise. */
    public AgentSettings withVariants(Goal.Variants other) {
        return new AgentSettings(command, model, permissionMode, allowedTools, maxTurns, isolateConfig, env,
                appendSystemPrompt, review, retry, other, liveInput, cli);
    }

    /** The same settings for another CLI, run by its own executable's name, with its own default model. */
    public AgentSettings withCli(String other) {
        return new AgentSettings(List.of(other), Optional.empty(), permissionMode, allowedTools, maxTurns, isolateConfig, env,
                appendSystemPrompt, review, retry, variants, Optional.empty(), other);
    }

    public AgentSettings(List<String> command, Optional<String> model, String permissionMode,
            List<String> allowedTools, Optional<Integer> maxTurns, boolean isolateConfig, Map<String, String> env) {
        this(command, model, permissionMode, allowedTools, maxTurns, isolateConfig, env, Optional.empty(), false,
                Goal.Retry.RESUME, Goal.Variants.NONE);
    }

    public boolean isDemo() {
        return command.equals(List.of("demo"));
    }
}
