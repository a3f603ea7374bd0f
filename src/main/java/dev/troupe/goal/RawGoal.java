package dev.troupe.goal;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The goal file exactly as written, before defaults and checks. Every key of the documented format has a
 * field here (so an unknown key is a binding error); {@link GoalLoader} turns it into a {@link Goal}.
 */
record RawGoal(
        String goal,
        String repo,
        String base,
        Team team,
        Agent agent,
        Limits limits,
        Sync sync,
        List<Task> tasks,
        Fanout fanout,
        @com.fasterxml.jackson.annotation.JsonProperty("notify") Notify notifications,
        Workspace workspace,
        Plan plan,
        java.util.LinkedHashMap<String, Profile> agents) {

    /** A named agent profile: the keys it sets over {@code agent:}, and its account. */
    record Profile(String cli, List<String> command, String model, String permissionMode, List<String> allowedTools,
            Integer maxTurns, Boolean isolateConfig, Map<String, String> env, String appendSystemPrompt,
            Boolean liveInput, String keyEnv, Integer share) {}

    record Plan(Integer rounds) {}

    /** {@code sandbox}: true, false, or {@code {network: [hosts] | any}} (read by {@code WorkspaceChecks}). */
    record Workspace(List<String> copy, String setup, List<String> setupInputs, Boolean keep, Integer ports,
            com.fasterxml.jackson.databind.JsonNode sandbox, Boolean allowUnconfinedBypass, String root) {}

    record Notify(String command, Boolean bell) {}

    record Fanout(String files, String prompt, Integer canary) {}

    record Team(Integer size, @JsonDeserialize(using = Durations.Deserializer.class) Duration stagger) {}

    record Agent(
            List<String> command,
            String model,
            String permissionMode,
            List<String> allowedTools,
            Integer maxTurns,
            Boolean isolateConfig,
            Map<String, String> env,
            String appendSystemPrompt,
            Boolean review,
            Goal.Retry retry,
            com.fasterxml.jackson.databind.JsonNode variants,
            Goal.Judge judge,
            Boolean liveInput,
            String cli) {}

    record Limits(
            @JsonDeserialize(using = Durations.Deserializer.class) Duration taskTimeout,
            @JsonDeserialize(using = Durations.Deserializer.class) Duration idleTimeout,
            Integer apiRetries,
            @JsonDeserialize(using = Durations.Deserializer.class) Duration apiTimeout,
            Integer attempts,
            BigDecimal budgetUsd) {}

    record Sync(Goal.MergePolicy merge, String check, Goal.ZonePolicy zonePolicy,
            @JsonDeserialize(using = Durations.Deserializer.class) Duration checkTimeout) {}

    record Task(String id, String prompt, List<String> zone, List<String> after, String model, Boolean review,
            List<String> allowedTools, String permissionMode, Integer maxTurns, String appendSystemPrompt,
            Goal.Retry retry, com.fasterxml.jackson.databind.JsonNode variants, Goal.Judge judge, List<String> hears,
            String agent, String cli) {}
}
