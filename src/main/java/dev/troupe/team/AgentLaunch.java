package dev.troupe.team;

import dev.troupe.agent.AgentCall;
import dev.troupe.agent.AgentCommand;
import dev.troupe.agent.AgentProcess;
import dev.troupe.agent.LiveAgents;
import dev.troupe.agent.Sandbox;
import dev.troupe.agent.SandboxNetwork;
import dev.troupe.git.GitCli;
import dev.troupe.git.GitDirs;
import dev.troupe.git.GitException;
import dev.troupe.git.LastWords;
import dev.troupe.goal.AgentProfile;
import dev.troupe.goal.AgentSettings;
import dev.troupe.goal.Endpoint;
import dev.troupe.goal.Goal;
import dev.troupe.journal.TeamEvent;
import dev.troupe.team.rules.Answers;
import dev.troupe.team.rules.Assignment;
import dev.troupe.team.rules.Judging;
import dev.troupe.team.rules.Prompts;
import dev.troupe.team.rules.RunContext;
import dev.troupe.workspace.SetupFailed;
import dev.troupe.workspace.Workspace;
import dev.troupe.workspace.Workspaces;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.lib.ObjectId;

/**
 * Starts one worker's agents, blocking: its workspace prepared for the task (the base checked out, files copied,
 * setup run when needed), then the agent through the run's {@code LiveAgents}, which refuses it once the run's
 * agents are being stopped.
 */
final class AgentLaunch {

    /**
     * A started agent, the workspace it runs in, what of it is the workspace's own (never committed), the
     * session it resumed, if it did, its prompt (for an agent that takes it on its stdin), and its command line as
     * the journal shows it (the prompt a placeholder).
     */
    record Started(AgentProcess process, Workspace workspace, List<String> leaveOut, Optional<String> resumed,
            String prompt, List<String> shownArgv) {}

    private final RunContext run;
    private final String worker;
    /** The workspace this worker holds, or null before its first launch and after its setup failed. */
    private volatile Workspace held;

    AgentLaunch(RunContext run, String worker) {
        this.run = run;
        this.worker = worker;
    }

    /**
     * Blocking: this worker's workspace prepared for the assignment (claimed the first time), then the agent
     * process. A workspace that cannot be reset (an agent killed mid-commit leaves {@code index.lock} behind) is
     * discarded and another one taken. A reviewer is shown the change it reviews.
     *
     * @throws SetupFailed when the workspace's setup did not pass (the workspace is retired, the worker has none)
     * @throws Failed when git or the agent's process could not be started: its reason leads with what git (or the
     *     system) said, and names the attempt's stderr file, which holds the whole of it
     */
    Started start(Assignment assignment, String sessionId) throws Exception {
        try {
            return launch(assignment, sessionId);
        } catch (SetupFailed | LiveAgents.Stopped passedOn) {
            throw passedOn;
        } catch (GitException | IOException e) {
            throw failed(assignment, e);
        }
    }

    /** The agent could not be started; the message is the attempt's reason, on one line. */
    static final class Failed extends Exception {

        private static final long serialVersionUID = 1L;

        Failed(String reason, Throwable cause) {
            super(reason, cause);
        }
    }

    /** How long the first line of a launch failure may be in its reason. */
    private static final int REASON_CHARS = 600;

    /** Blocking: the whole failure kept in the attempt's stderr file, and a reason that names it. */
    private Failed failed(Assignment assignment, Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().strip();
        String reason = LastWords.firstLine(message, REASON_CHARS);
        Path stderr = run.agentOutput(assignment, ".stderr");
        try {
            Files.createDirectories(stderr.getParent());
            Files.writeString(stderr, "troupe could not start the agent:\n" + message + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            reason += "; the whole output is in " + stderr;
        } catch (IOException notKept) {
            // The reason still says what went wrong.
        }
        return new Failed(reason, e);
    }

    private Started launch(Assignment assignment, String sessionId) throws Exception {
        Workspace workspace = held != null ? held : run.workspaces().claim(number(worker));
        held = workspace;
        Workspaces.Prepared prepared;
        try {
            try {
                prepared = prepare(workspace, assignment);
            } catch (GitException broken) {
                held = null;
                run.workspaces().discard(workspace);
                workspace = run.workspaces().claim(number(worker));
                held = workspace;
                prepared = prepare(workspace, assignment);
            }
        } catch (SetupFailed failed) {
            held = null;
            run.workspaces().retire(workspace);
            // Worker and workspace names differ once a worker has taken another's number.
            throw worker.equals(workspace.name()) ? failed : new SetupFailed(worker + ": " + failed.getMessage());
        }
        Path checkout = workspace.dir();
        // Claude Code finds a session under the path of the directory it was made in: elsewhere, start afresh.
        Optional<Assignment.Resume> resume = assignment.resume().filter(r -> r.session().cwd().equals(checkout));
        String prompt = resume.map(Assignment.Resume::message).orElse(assignment.prompt());
        Optional<String> resumed = resume.map(r -> r.session().id());
        if (assignment.role() == Assignment.Role.JUDGE) {
            Map<Integer, String> diffs = new java.util.LinkedHashMap<>();
            for (Map.Entry<Integer, ObjectId> candidate : assignment.candidates().entrySet()) {
                diffs.put(candidate.getKey(), GitCli.run(checkout, "diff", "--no-color", "--no-ext-diff",
                        assignment.base().name(), candidate.getValue().name()));
            }
            prompt = Judging.withDiffs(prompt, diffs);
        } else if (assignment.changeFrom().isPresent() && assignment.role() == Assignment.Role.PLANNER) {
            // A later round's planner: what the rounds so far changed, by file.
            prompt = Prompts.withDiffStat(prompt, GitCli.run(checkout, "diff", "--stat=120", "--no-color",
                    assignment.changeFrom().get().name(), assignment.base().name()));
        } else if (assignment.changeFrom().isPresent()) {
            prompt = Prompts.withDiff(prompt, GitCli.run(checkout, "diff", "--no-color", "--no-ext-diff",
                    assignment.changeFrom().get().name(), assignment.base().name()));
        }
        Path stderr = run.agentOutput(assignment, ".stderr");
        Files.createDirectories(stderr.getParent());
        AgentSettings agent = agent(assignment);
        Map<String, String> env = environment(workspace, assignment);
        AgentCall call = AgentCommand.call(agent, assignment.task(), prompt, sessionId, schema(assignment), resumed,
                scratch());
        List<String> argv = AgentCommand.argv(agent, call);
        // Made here, before the agent starts: a kind may write a file its command line names (Codex's schema).
        List<String> shown = AgentCommand.argv(agent, call.withPrompt("<prompt>"));
        if (run.goal().workspace().sandbox()) {
            argv = sandboxed(argv, checkout, env, agent, call);
        } else if (run.goal().workspace().unconfinedBypass()) {
            env.putAll(AgentCommand.kind(agent).confinedEnvironment(call)); // the goal insists, and was warned
        }
        Optional<Path> stdin = stdin(assignment, agent, call);
        return new Started(run.agents().start(argv, checkout, env, stderr, AgentCommand.takesLiveInput(agent), stdin),
                workspace, prepared.leaveOut(), resumed, prompt, shown);
    }

    /** {@code k} of a worker named {@code worker-k}; 0 for any other name. */
    static int number(String worker) {
        String digits = worker.substring(worker.lastIndexOf('-') + 1);
        return digits.matches("[0-9]{1,6}") ? Integer.parseInt(digits) : 0;
    }

    /** The worker stops: its workspace is free for another. */
    void release() {
        Workspace workspace = held;
        held = null;
        if (workspace != null) {
            run.workspaces().release(workspace);
        }
    }

    private Workspaces.Prepared prepare(Workspace workspace, Assignment assignment) throws Exception {
        Map<String, String> env = new HashMap<>(run.goal().agent().env());
        env.put(RunContext.RUN_MARKER, run.runId());
        env.putAll(workspace.environment(run.goal().workspace().ports()));
        return run.workspaces().prepare(workspace, assignment.base().name(), env,
                new SetupJournal(run.journal(), worker, assignment.task().id()));
    }

    /** The journal's record of an agent just started, its command line shown with a placeholder for the prompt. */
    TeamEvent.AgentStarted started(Assignment assignment, String sessionId, Started started) {
        AgentSettings agent = agent(assignment);
        return new TeamEvent.AgentStarted(Instant.now(), assignment.task().id(), assignment.attempt(),
                started.process().pid(), sessionId, started.shownArgv(),
                assignment.role() == Assignment.Role.WRITER ? null : assignment.role().name().toLowerCase(Locale.ROOT),
                started.resumed().orElse(null), agent.cli(), assignment.task().model().or(agent::model).orElse(null),
                assignment.task().agent().orElse(null));
    }

    /** How the assignment's agent runs: its task's (or variant's) profile and CLI, else the goal's {@code agent:}. */
    AgentSettings agent(Assignment assignment) {
        return run.goal().agentFor(assignment.task());
    }

    /** The worker's own directory outside its workspace, for files the agent's CLI is given by path. */
    private Path scratch() {
        return run.runDir().resolve("tmp").resolve(worker);
    }

    /** A file holding what the agent reads on its stdin, for a CLI that takes its prompt there; empty: none. */
    private Optional<Path> stdin(Assignment assignment, AgentSettings agent, AgentCall call) throws IOException {
        Optional<String> text = AgentCommand.stdin(agent, call);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        Path file = run.agentOutput(assignment, ".stdin");
        Files.writeString(file, text.get(), StandardCharsets.UTF_8);
        return Optional.of(file);
    }

    /** An agent that answers gets the schema of its answer. */
    private Optional<String> schema(Assignment assignment) {
        return assignment.role().answers() ? Optional.of(Answers.schema(assignment, run.goal().plan().inRounds()))
                : Optional.empty();
    }

    /**
     * The agent's command line under bubblewrap ({@code workspace.sandbox}). It may write in its workspace, the
     * worktree's own files in the repository's {@code .git} (so that {@code git status} and {@code git diff} work;
     * troupe commits for it), its temp dir and Claude Code's config; it reads the rest of the system, the
     * repository and the other workspaces included, and writes none of it. With the network confined it reaches
     * only its CLI's API and the goal's {@code sandbox.network}, through a {@link SandboxNetwork}, whose proxy
     * settings go into {@code env}. The workspace's setup is not sandboxed.
     */
    private List<String> sandboxed(List<String> argv, Path checkout, Map<String, String> env, AgentSettings agent,
            AgentCall call) throws IOException, GitException {
        Optional<SandboxNetwork> network = Optional.empty();
        Goal.Workspace spec = run.goal().workspace();
        if (spec.confined()) {
            List<Endpoint> allowed = new ArrayList<>(AgentCommand.kind(agent).api(env));
            allowed.addAll(spec.network());
            network = Optional.of(SandboxNetwork.of(allowed));
            env.putAll(network.get().environment());
        }
        if (spec.confined() || spec.unconfinedBypass()) {
            env.putAll(AgentCommand.kind(agent).confinedEnvironment(call));
        }
        Path gitDir = GitDirs.gitDir(checkout);
        Path commonDir = GitDirs.commonDir(checkout);
        List<Path> writable = new ArrayList<>(List.of(gitDir, Path.of(env.get("CLAUDE_CODE_TMPDIR"))));
        writable.addAll(AgentCommand.kind(agent).stateDirs(env));
        // Where git finds the repository, which troupe's own git commands in this workspace follow outside the
        // sandbox: an agent that pointed them at a config of its making could have them run its commands.
        List<Path> pointers = List.of(checkout.resolve(".git"), gitDir.resolve("commondir"), gitDir.resolve("gitdir"));
        // The repository is read-only like everything else; named here because one under /tmp would be hidden,
        // and so would an agent installed there (a project's own copy of the CLI, a script). So are the other
        // workspaces beside this one and the folder above them, outside the repository.
        Path workspaces = run.workspaces().root();
        List<Path> readable = new ArrayList<>(List.of(run.repo(), commonDir, workspaces.getParent(),
                workspaces));
        readable.addAll(agentInstall(argv.get(0)));
        agent.command().stream().skip(1).map(Path::of).filter(Path::isAbsolute)
                .forEach(arg -> readable.addAll(installOf(arg)));
        return Sandbox.wrap(argv, checkout, readable, writable, pointers, network);
    }

    /** Where the agent's executable lives (found on PATH when named bare), for the sandbox to show it. */
    private static List<Path> agentInstall(String executable) {
        Path named = Path.of(executable);
        return named.isAbsolute() ? installOf(named)
                : AgentCommand.onPath(executable).map(AgentLaunch::installOf).orElse(List.of());
    }

    /**
     * The folder of {@code path} as named (where a link such as {@code node_modules/.bin/claude} is executed from)
     * and once its links are followed (the CLI's package, a script's folder), if it exists.
     */
    private static List<Path> installOf(Path path) {
        try {
            Path real = path.toRealPath();
            if (java.nio.file.Files.isDirectory(real)) {
                return List.of(real);
            }
            Path named = path.toAbsolutePath().getParent();
            return named.equals(real.getParent()) ? List.of(named) : List.of(named, real.getParent());
        } catch (IOException missing) {
            return List.of();
        }
    }

    /**
     * What the agent gets on top of troupe's own environment (credentials pass through untouched): its workspace's
     * number and port, bounds on the CLI's own API retries and waits, its own temp dir, optionally its own config
     * dir, what its CLI needs to run headless, its profile's API key (read here, on the machine that runs it, under
     * the name the CLI reads), then its {@code env}, which wins.
     */
    private Map<String, String> environment(Workspace workspace, Assignment assignment) throws IOException, Failed {
        AgentSettings agent = agent(assignment);
        Map<String, String> env = new HashMap<>(workspace.environment(run.goal().workspace().ports()));
        // Inherited by everything the agent starts: after a crash, `troupe resume` finds them by it.
        env.put(RunContext.RUN_MARKER, run.runId());
        Goal.Limits limits = run.goal().limits();
        env.put("CLAUDE_CODE_MAX_RETRIES", Integer.toString(limits.apiRetries()));
        env.put("API_TIMEOUT_MS", Long.toString(limits.apiTimeout().toMillis()));
        env.put("CLAUDE_BYTE_STREAM_IDLE_TIMEOUT_MS", Long.toString(limits.apiTimeout().toMillis()));
        Path tmp = scratch();
        Files.createDirectories(tmp);
        env.put("CLAUDE_CODE_TMPDIR", tmp.toString());
        if (agent.isolateConfig()) {
            Path config = run.runDir().resolve("config").resolve(worker);
            Files.createDirectories(config);
            env.put("CLAUDE_CONFIG_DIR", config.toString());
        }
        env.putAll(AgentCommand.kind(agent).environment());
        env.putAll(GitCli.noHousekeepingEnvironment(System.getenv()));
        Optional<AgentProfile> profile = assignment.task().agent().flatMap(run.goal()::profile);
        if (profile.isPresent() && profile.get().keyEnv().isPresent()) {
            String variable = profile.get().keyEnv().get();
            String key = System.getenv(variable);
            if (key == null || key.isEmpty()) {
                throw new Failed("agent profile '" + profile.get().name() + "' takes its API key from " + variable
                        + ", which is not set where this worker runs", null);
            }
            env.putAll(AgentCommand.kind(agent).keyEnvironment(key));
        }
        env.putAll(agent.env());
        return env;
    }
}
