package dev.troupe.goal;

import com.fasterxml.jackson.annotation.JsonValue;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A validated goal: what the team is asked to do, where, and with which settings, defaults filled in.
 * Built only by {@link GoalLoader}, so holding one means every check of the file has passed; {@code places}
 * says where in the file each setting was written.
 */
public record Goal(
        Path file,
        String text,
        Path repo,
        Optional<String> base,
        Team team,
        AgentSettings agent,
        Limits limits,
        Sync sync,
        Optional<Fanout> fanout,
        List<TaskSpec> tasks,
        Notify notifications,
        Workspace workspace,
        GoalPlaces places,
        Plan plan,
        List<AgentProfile> profiles) {

    public Goal(Path file, String text, Path repo, Optional<String> base, Team team, AgentSettings agent, Limits limits,
            Sync sync, Optional<Fanout> fanout, List<TaskSpec> tasks, Notify notifications, Workspace workspace,
            GoalPlaces places, Plan plan) {
        this(file, text, repo, base, team, agent, limits, sync, fanout, tasks, notifications, workspace, places, plan,
                List.of());
    }

    /** A goal made in code rather than read from a file: its problems point at the file alone. */
    public Goal(Path file, String text, Path repo, Optional<String> base, Team team, AgentSettings agent, Limits limits,
            Sync sync, Optional<Fanout> fanout, List<TaskSpec> tasks, Notify notifications) {
        this(file, text, repo, base, team, agent, limits, sync, fanout, tasks, notifications, Workspace.NONE,
                GoalPlaces.none(file), Plan.ONCE);
    }

    /** The same goal with another team (a {@code --team} on the command line). */
    public Goal withTeam(Team other) {
        return new Goal(file, text, repo, base, other, agent, limits, sync, fanout, tasks, notifications, workspace, places, plan, profiles);
    }

    /** The same goal planned in other rounds. */
    public Goal withPlan(Plan other) {
        return new Goal(file, text, repo, base, team, agent, limits, sync, fanout, tasks, notifications, workspace, places, other, profiles);
    }

    /** The same goal with another workspace section. */
    public Goal withWorkspace(Workspace other) {
        return new Goal(file, text, repo, base, team, agent, limits, sync, fanout, tasks, notifications, other, places, plan, profiles);
    }

    /** The same goal as read from a copy: where it came from, and the repository it was for. */
    public Goal withOrigin(Path originalFile, Path originalRepo) {
        return new Goal(originalFile, text, originalRepo, base, team, agent, limits, sync, fanout, tasks, notifications, workspace, places, plan, profiles);
    }

    /** The same goal with more tasks (a fan-out's, made from the repository's files). */
    public Goal withTasks(List<TaskSpec> more) {
        List<TaskSpec> all = new java.util.ArrayList<>(tasks);
        all.addAll(more);
        return new Goal(file, text, repo, base, team, agent, limits, sync, fanout, List.copyOf(all), notifications, workspace, places, plan, profiles);
    }

    /**
     * Batch work: one task per tracked file matching {@code files} at the base, its prompt {@code prompt} with
     * {@code {file}} replaced. The first {@code canary} run first; the rest start only once all of them merged.
     */
    public record Fanout(String files, String prompt, int canary) {}

    /**
     * Telling people what needs them: on a task failed for good, the run finished, the team paused (rate limit,
     * budget) and an agent refused tools. {@code command} is run with {@code bash -c}, the event in its
     * environment and as JSON on stdin; {@code bell} rings the terminal.
     */
    public record Notify(Optional<String> command, boolean bell) {

        public static final Notify NONE = new Notify(Optional.empty(), false);
    }

    /**
     * How a worker's workspace (its worktree) is prepared before its first agent, and kept.
     *
     * @param copy globs (git's, as for zones) of untracked or ignored files copied from the user's checkout into
     *     every workspace, on top of what {@code .worktreeinclude} lists
     * @param setup a shell command run in a workspace before its first agent, and again when {@code setupInputs}
     *     changed at the task's base
     * @param setupInputs globs of tracked files whose content at the base decides whether setup runs again
     * @param keep workspaces stay between runs, under the workspace root's {@code workspaces/}
     * @param ports worker k gets {@code TROUPE_PORT = ports + 100 * k}
     * @param sandbox each agent runs under bubblewrap, able to write only in its own workspace
     * @param anyNetwork a sandboxed agent reaches the network as the machine does ({@code sandbox: {network: any}});
     *     otherwise only its CLI's API and {@code network}
     * @param network the endpoints a sandboxed agent may reach besides its CLI's API
     * @param unconfinedBypass the goal insists on {@code bypassPermissions} without the confined sandbox
     * @param root the folder that holds a folder of workspaces for each repository (absolute); empty: the
     *     repository's sibling {@code <repo>.troupe/} (see {@code workspace.WorkspaceRoot})
     */
    public record Workspace(List<String> copy, Optional<String> setup, List<String> setupInputs, boolean keep,
            Optional<Integer> ports, boolean sandbox, boolean anyNetwork, List<Endpoint> network,
            boolean unconfinedBypass, Optional<Path> root) {

        public static final Workspace NONE = new Workspace(List.of(), Optional.empty(), List.of(), false,
                Optional.empty(), false, false, List.of(), false, Optional.empty());

        /** Agents run in the sandbox with the network confined: the only place {@code bypassPermissions} is safe. */
        public boolean confined() {
            return sandbox && !anyNetwork;
        }

        /** The port of worker {@code k}, when the goal gives ports. */
        public Optional<Integer> port(int k) {
            return ports.map(first -> first + PORT_STRIDE * k);
        }

        /** How far apart two workers' ports are. */
        public static final int PORT_STRIDE = 100;
    }

    /**
     * Planning in rounds ({@code plan: {rounds: N}}): once every task of a round is settled, the planner reads the
     * results and either says the goal is met or plans the next round, {@code rounds} rounds at most (the tasks the
     * goal lists, when it lists some, are the first).
     */
    public record Plan(int rounds) {

        /** A goal planned once (or not at all, when it lists its tasks): no {@code plan:} key. */
        public static final Plan ONCE = new Plan(1);

        /** The planner looks at the results after a round: it may plan another, or say the goal is met. */
        public boolean inRounds() {
            return rounds > 1;
        }
    }

    /** What happens to a finished task that changed files outside its zone. */
    public enum ZonePolicy {
        WARN, REJECT;

        /** As a goal file writes it. */
        @JsonValue
        public String written() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * When finished tasks merge: {@code EACH} as soon as each is done; {@code END} at sync points, when no task
     * is running (all of them at the end for tasks without dependencies).
     */
    public enum MergePolicy {
        EACH, END;

        /** As a goal file writes it. */
        @JsonValue
        public String written() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * What a task's next attempt starts from after its agent did the work but the work did not make it in (a merge
     * conflict, a failed {@code sync.check}, a review that asked for changes, files outside its zone refused):
     * {@code RESUME} continues the agent's Claude Code session with the reason as its next message; {@code FRESH}
     * starts a new one. A crash, a hang, a timeout or an error result always starts fresh.
     */
    public enum Retry {
        RESUME, FRESH;

        /** As a goal file writes it. */
        @JsonValue
        public String written() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param check a shell command that must pass on the merged result before the integration branch moves
     * @param checkTimeout how long the check may run before it is killed, with everything it started, and fails
     */
    public record Sync(ZonePolicy zonePolicy, Optional<String> check, MergePolicy merge, Duration checkTimeout) {

        /** {@code sync.check-timeout}'s default in {@code conf/application.conf}, for goals made in code. */
        public static final Duration DEFAULT_CHECK_TIMEOUT = Duration.ofMinutes(10);

        public Sync(ZonePolicy zonePolicy, Optional<String> check) {
            this(zonePolicy, check, MergePolicy.EACH);
        }

        public Sync(ZonePolicy zonePolicy, Optional<String> check, MergePolicy merge) {
            this(zonePolicy, check, merge, DEFAULT_CHECK_TIMEOUT);
        }
    }

    public record Team(int size, Duration stagger) {}

    /**
     * @param apiRetries how often the agent CLI itself may retry a failed API request ({@code CLAUDE_CODE_MAX_RETRIES})
     * @param apiTimeout how long the agent CLI waits for an API response or between streamed bytes
     *     ({@code API_TIMEOUT_MS}, {@code CLAUDE_BYTE_STREAM_IDLE_TIMEOUT_MS})
     * @param attempts how many attempts a task gets before it fails for good
     * @param budgetUsd no attempt starts once the run has spent this much
     */
    public record Limits(Duration taskTimeout, Duration idleTimeout, int apiRetries, Duration apiTimeout, int attempts,
            Optional<Double> budgetUsd) {}

    /**
     * One unit of work. {@code id} is the user's name for it; {@code slug} is the same id made safe for
     * branch names and paths, unique within the goal. The optional settings override the goal's {@code agent:}
     * for this task (a cheap model for routine work, the strongest for architecture). {@code review}: a second
     * agent reviews the change before it merges. {@code retry}: the task's own, or {@code agent.retry}.
     * {@code hears}: tasks whose reports its agent is told as they merge, even while it works. {@code agent}: the
     * agent profile it runs with ({@code agents:}); {@code cli}: the agent CLI, if not the profile's or the goal's.
     */
    public record TaskSpec(String id, String slug, String prompt, List<String> after, Optional<String> model,
            Optional<List<String>> allowedTools, Optional<String> permissionMode, Optional<Integer> maxTurns,
            Optional<String> appendSystemPrompt, List<String> zone, List<String> gate, boolean review, Retry retry,
            Variants variants, List<String> hears, Optional<String> agent, Optional<String> cli) {

        public TaskSpec(String id, String slug, String prompt, List<String> after, Optional<String> model,
                Optional<List<String>> allowedTools, Optional<String> permissionMode, Optional<Integer> maxTurns,
                Optional<String> appendSystemPrompt, List<String> zone, List<String> gate, boolean review, Retry retry,
                Variants variants, List<String> hears) {
            this(id, slug, prompt, after, model, allowedTools, permissionMode, maxTurns, appendSystemPrompt, zone, gate,
                    review, retry, variants, hears, Optional.empty(), Optional.empty());
        }

        public TaskSpec(String id, String slug, String prompt, List<String> after, Optional<String> model,
                Optional<List<String>> allowedTools, Optional<String> permissionMode, Optional<Integer> maxTurns,
                Optional<String> appendSystemPrompt, List<String> zone, List<String> gate, boolean review, Retry retry,
                Variants variants) {
            this(id, slug, prompt, after, model, allowedTools, permissionMode, maxTurns, appendSystemPrompt, zone, gate,
                    review, retry, variants, List.of());
        }

        public TaskSpec(String id, String slug, String prompt, List<String> after, Optional<String> model,
                Optional<List<String>> allowedTools, Optional<String> permissionMode, Optional<Integer> maxTurns,
                Optional<String> appendSystemPrompt, List<String> zone, List<String> gate, boolean review) {
            this(id, slug, prompt, after, model, allowedTools, permissionMode, maxTurns, appendSystemPrompt, zone, gate,
                    review, Retry.RESUME, Variants.NONE);
        }

        public TaskSpec(String id, String slug, String prompt, List<String> after, Optional<String> model,
                Optional<List<String>> allowedTools, Optional<String> permissionMode, Optional<Integer> maxTurns,
                Optional<String> appendSystemPrompt, List<String> zone, List<String> gate, boolean review, Retry retry) {
            this(id, slug, prompt, after, model, allowedTools, permissionMode, maxTurns, appendSystemPrompt, zone, gate,
                    review, retry, Variants.NONE);
        }

        public TaskSpec(String id, String slug, String prompt, List<String> after, Optional<String> model,
                Optional<List<String>> allowedTools, Optional<String> permissionMode, Optional<Integer> maxTurns,
                Optional<String> appendSystemPrompt, List<String> zone, List<String> gate, boolean review,
                Variants variants) {
            this(id, slug, prompt, after, model, allowedTools, permissionMode, maxTurns, appendSystemPrompt, zone, gate,
                    review, Retry.RESUME, variants);
        }

        /** The same task, tried as these variants. */
        public TaskSpec withVariants(Variants other) {
            return new TaskSpec(id, slug, prompt, after, model, allowedTools, permissionMode, maxTurns,
                    appendSystemPrompt, zone, gate, review, retry, other, hears, agent, cli);
        }

        /** The same task, run with the agent CLI {@code name}. */
        public TaskSpec withCli(String name) {
            return new TaskSpec(id, slug, prompt, after, model, allowedTools, permissionMode, maxTurns,
                    appendSystemPrompt, zone, gate, review, retry, variants, hears, agent, Optional.of(name));
        }

        /** The same task, run with the agent profile {@code name}. */
        public TaskSpec withAgent(String name) {
            return new TaskSpec(id, slug, prompt, after, model, allowedTools, permissionMode, maxTurns,
                    appendSystemPrompt, zone, gate, review, retry, variants, hears, Optional.of(name), cli);
        }

        /** As {@link #asVariant(int, Optional)}, for a goal whose {@code agent:} adds nothing to the system prompt. */
        public TaskSpec asVariant(int k) {
            return asVariant(k, Optional.empty());
        }

        /**
         * The task as variant {@code k} (from 1) does it: the variant's model, agent profile and CLI win, its system
         * prompt's suffix comes after the task's own, or after {@code agentSuffix} ({@code agent.append-system-prompt})
         * when it has none. A variant that names another profile or CLI and no model leaves the model to it.
         */
        public TaskSpec asVariant(int k, Optional<String> agentSuffix) {
            Variant variant = variants.each().get(k - 1);
            Optional<String> own = appendSystemPrompt.or(() -> agentSuffix);
            Optional<String> suffix = variant.appendSystemPrompt().isEmpty() ? appendSystemPrompt
                    : Optional.of(own.map(text -> text + "\n\n").orElse("") + variant.appendSystemPrompt().get());
            boolean otherAgent = variant.agent().isPresent() || variant.cli().isPresent();
            Optional<String> variantModel = variant.model().or(() -> otherAgent ? Optional.empty() : model);
            return new TaskSpec(id, slug, prompt, after, variantModel, allowedTools, permissionMode, maxTurns, suffix,
                    zone, gate, review, retry, variants, hears, variant.agent().or(() -> agent),
                    variant.cli().or(() -> variant.agent().isPresent() ? Optional.empty() : cli));
        }

        /** The tools of an agent that may look but not touch: the planner and reviewers. */
        public static final List<String> READ_ONLY_TOOLS = List.of("Read", "Glob", "Grep");

        public TaskSpec(String id, String slug, String prompt, List<String> after, Optional<String> model) {
            this(id, slug, prompt, after, model, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                    List.of(), List.of(), false);
        }

        /**
         * The same task for an agent that only reads: plan mode (the CLI refuses every write) and read-only
         * tools; the model and turn limit stay.
         */
        public TaskSpec readOnly() {
            return new TaskSpec(id, slug, prompt, after, model, Optional.of(READ_ONLY_TOOLS), Optional.of("plan"),
                    maxTurns, Optional.empty(), zone, gate, false, Retry.FRESH, variants, List.of(), agent, cli);
        }

        /**
         * Every task that must be merged before this one starts: its {@code after} tasks, whose outcomes it is
         * told, and its {@code gate} (a fan-out's canaries), which it only waits for.
         */
        public List<String> waitsFor() {
            if (gate.isEmpty()) {
                return after;
            }
            List<String> all = new java.util.ArrayList<>(after);
            all.addAll(gate);
            return all;
        }
    }

    /**
     * Several attempts at a task at once, each on its own worker from the same base, the best one merged
     * ({@code variants:}). {@code each} is empty, or holds two or more variants; {@code judge} picks the winner.
     */
    public record Variants(List<Variant> each, Judge judge) {

        public static final Variants NONE = new Variants(List.of(), Judge.AGENT);

        /** {@code count} variants that differ in nothing but their run. */
        public static Variants alike(int count, Judge judge) {
            return new Variants(java.util.Collections.nCopies(count, Variant.SAME), judge);
        }

        public boolean any() {
            return each.size() > 1;
        }

        public int count() {
            return each.size();
        }
    }

    /** What one variant does differently: its model, a suffix to the system prompt, its agent profile and its CLI. */
    public record Variant(Optional<String> model, Optional<String> appendSystemPrompt, Optional<String> agent,
            Optional<String> cli) {

        public static final Variant SAME = new Variant(Optional.empty(), Optional.empty());

        public Variant(Optional<String> model, Optional<String> appendSystemPrompt) {
            this(model, appendSystemPrompt, Optional.empty(), Optional.empty());
        }
    }

    /**
     * How the winner among the variants that passed {@code sync.check} is picked: a read-only agent compares
     * their diffs ({@code AGENT}), or the first that passed wins ({@code CHECK}).
     */
    public enum Judge {
        AGENT, CHECK;

        /** As a goal file writes it. */
        @JsonValue
        public String written() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * How an agent for {@code task} is run: the profile it names ({@code agent:} on the task or its variant), else the
     * goal's {@code agent:}; then with the CLI it names ({@code cli:}), if that is another.
     */
    public AgentSettings agentFor(TaskSpec task) {
        AgentSettings named = task.agent().flatMap(this::profile).map(AgentProfile::agent).orElse(agent);
        return task.cli().filter(cli -> !cli.equals(named.cli())).map(named::withCli).orElse(named);
    }

    /** The agent profile of that name ({@code agents:}). */
    public Optional<AgentProfile> profile(String name) {
        return profiles.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    public Optional<TaskSpec> task(String id) {
        return tasks.stream().filter(t -> t.id().equals(id)).findFirst();
    }
}
