package dev.troupe.goal;

import java.util.Optional;

/**
 * A named way to run agents ({@code agents:} in the goal file): a CLI and its settings, over the goal's
 * {@code agent:}, and the account it uses. A task or variant names it with {@code agent:}.
 *
 * @param keyEnv the variable in troupe's environment (on each machine that runs its agents) that holds the account's
 *     API key, handed to the CLI under the name it reads; never the key itself, since the goal is copied into the run
 * @param share how many of the team's workers may run it at once, also for tasks that name no profile; empty: it
 *     runs only the tasks and variants that name it, as many as there are
 */
public record AgentProfile(String name, AgentSettings agent, Optional<String> keyEnv, Optional<Integer> share) {}
