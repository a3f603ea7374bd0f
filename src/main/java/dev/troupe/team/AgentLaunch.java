package dev.troupe.team;

import dev.troupe.agent.AgentCommand;
import dev.troupe.agent.AgentProcess;
import dev.troupe.git.GitCli;
import dev.troupe.git.GitException;
import dev.troupe.git.Worktrees;
import dev.troupe.goal.Goal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Starts one worker's agents, blocking: a fresh checkout of the base in the worker's worktree, then the agent
 * through the run's {@code LiveAgents}, which refuses it once the run's agents are being stopped.
 */
final class AgentLaunch {

    /** A started agent and the worktree it runs in. */
    record Started(AgentProcess process, Path worktree) {}

    private final RunContext run;
    private final String worker;

    AgentLaunch(RunContext run, String worker) {
        this.run = run;
        this.worker = worker;
    }

    /**
     * Blocking: the fresh checkout in this worker's worktree, then the agent process. A worktree that cannot be
     * switched (an agent killed mid-commit leaves {@code index.lock} behind) is replaced by a new one. A
     * reviewer is shown the change it reviews.
     *
     * @param replacement where a new worktree goes if {@code worktree} is broken
     */
    Started start(Assignment assignment, String sessionId, Path worktree, Path replacement) throws Exception {
        Path checkout = worktree;
        try {
            Worktrees.checkoutFresh(run.repo(), checkout, assignment.base().name());
        } catch (GitException broken) {
            try {
                Worktrees.remove(run.repo(), checkout);
            } catch (GitException stillBroken) {
                // Left for the end of the run; a new worktree takes its place now.
            }
            checkout = replacement;
            Worktrees.checkoutFresh(run.repo(), checkout, assignment.base().name());
        }
        String prompt = assignment.prompt();
        if (assignment.changeFrom().isPresent()) {
            prompt = Prompts.withDiff(prompt, GitCli.run(checkout, "diff", "--no-color", "--no-ext-diff",
                    assignment.changeFrom().get().name(), assignment.base().name()));
        }
        Path stderr = run.agentOutput(assignment, ".stderr");
        Files.createDirectories(stderr.getParent());
        return new Started(run.agents().start(argv(assignment, sessionId, prompt), checkout, environment(), stderr),
                checkout);
    }

    /** The agent's command line; an agent that answers gets the schema of its answer. */
    List<String> argv(Assignment assignment, String sessionId, String prompt) {
        return AgentCommand.argv(run.goal().agent(), assignment.task(), prompt, sessionId,
                assignment.role().answers() ? Optional.of(Answers.schema(assignment.role())) : Optional.empty());
    }

    /**
     * What the agent gets on top of troupe's own environment (credentials pass through untouched): bounds on the
     * CLI's own API retries and waits, its own temp dir, optionally its own config dir, then the goal's
     * {@code agent.env}, which wins.
     */
    private Map<String, String> environment() throws IOException {
        Map<String, String> env = new HashMap<>();
        // Inherited by everything the agent starts: after a crash, `troupe resume` finds them by it.
        env.put(RunContext.RUN_MARKER, run.runId());
        Goal.Limits limits = run.goal().limits();
        env.put("CLAUDE_CODE_MAX_RETRIES", Integer.toString(limits.apiRetries()));
        env.put("API_TIMEOUT_MS", Long.toString(limits.apiTimeout().toMillis()));
        env.put("CLAUDE_BYTE_STREAM_IDLE_TIMEOUT_MS", Long.toString(limits.apiTimeout().toMillis()));
        Path tmp = run.runDir().resolve("tmp").resolve(worker);
        Files.createDirectories(tmp);
        env.put("CLAUDE_CODE_TMPDIR", tmp.toString());
        if (run.goal().agent().isolateConfig()) {
            Path config = run.runDir().resolve("config").resolve(worker);
            Files.createDirectories(config);
            env.put("CLAUDE_CONFIG_DIR", config.toString());
        }
        env.putAll(run.goal().agent().env());
        return env;
    }
}
