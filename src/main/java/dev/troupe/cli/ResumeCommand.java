package dev.troupe.cli;

import com.typesafe.config.ConfigFactory;
import dev.troupe.agent.AgentCommand;
import dev.troupe.agent.AgentProcess;
import dev.troupe.agent.Sandbox;
import dev.troupe.git.Branches;
import dev.troupe.git.Commits;
import dev.troupe.git.GitCli;
import dev.troupe.git.GitDirs;
import dev.troupe.git.GitException;
import dev.troupe.git.IntegrationBranch;
import dev.troupe.git.Worktrees;
import dev.troupe.goal.Goal;
import dev.troupe.goal.GoalException;
import dev.troupe.goal.GoalLoader;
import dev.troupe.journal.RunHistory;
import dev.troupe.journal.TeamEvent;
import dev.troupe.team.rules.ResumeFrom;
import dev.troupe.team.rules.RunContext;
import dev.troupe.workspace.Workspaces;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code troupe resume [RUN]}: finishes a run whose troupe stopped (Ctrl-C, a crash, {@code kill -9}). Tasks the
 * integration branch holds (by trailer) are never merged again; agents of the dead run still alive are killed;
 * what its worktrees held is committed to {@code troupe/failed/...} before they are removed; every task not
 * merged, failed or skipped runs again.
 */
@Command(name = "resume", description = "Finish an interrupted run.")
final class ResumeCommand implements Callable<Integer> {

    @Mixin
    RunDirs.Selection selection = new RunDirs.Selection();

    @Mixin
    WebOption web = new WebOption();

    @Mixin
    Launcher.OutputOptions display = new Launcher.OutputOptions();

    @Mixin
    ClusterOptions clusterOptions = new ClusterOptions();

    @Spec
    CommandSpec spec;

    /** The command line's err, as the launcher takes it; set when the command runs. */
    private PrintStream err;

    @Override
    public Integer call() throws TroupeException {
        PrintStream out = WriterStream.printStream(spec.commandLine().getOut());
        err = WriterStream.printStream(spec.commandLine().getErr());
        Launcher.Output output = display.output();
        web.check();
        Optional<ClusterOptions.Lead> cluster = clusterOptions.lead();
        RunDirs dirs = RunDirs.of(selection);
        Path runDir = dirs.pick(selection.run());
        try (RunLock lock = RunLock.acquire(runDir)) {
            // Read while the journal is: a big run's journal takes a second, and JGit's first use half a second.
            Optional<CompletableFuture<Map<String, ObjectId>>> merged = RunDirs.startedIfAny(runDir)
                    .map(started -> mergedTasks(dirs.top, started));
            Optional<List<TeamEvent>> journal = RunDirs.journalIfAny(runDir);
            Optional<RunHistory> journaled = journal.flatMap(RunHistory::of);
            if (journaled.isEmpty()) {
                throw NeverStarted.cleanUp(dirs.top, runDir);
            }
            RunHistory history = journaled.get();
            TeamEvent.RunStarted started = history.started();
            if (history.finished().isPresent()) {
                out.println("Run " + started.run() + " finished already; nothing to resume.");
                return history.finished().get().exitCode();
            }
            if (started.planOnly()) {
                throw TroupeException.badInput("run " + started.run() + " was only to plan (--plan-only) and stopped"
                        + " before it finished; plan again with: troupe run " + started.goalFile() + " --plan-only");
            }
            Goal goal = goalOf(runDir, started, history.plan().isPresent());
            if (cluster.isPresent()) {
                clusterOptions.lead(goal);
                cluster.get().checkPortFree();
            }
            RunSetup setup = setupOf(dirs, goal, started);
            preflight(setup);
            try (WebOption.Served page = web.start(dirs.runs(), started.run(), Launcher.secretsOf(goal), err).orElse(null)) {
                return resume(setup, journal.get(), history, merged, cluster, output, out);
            }
        }
    }

    /** Takes the stopped run on where it stopped, once everything is checked, and runs it to its end. */
    private int resume(RunSetup setup, List<TeamEvent> past, RunHistory history,
            Optional<CompletableFuture<Map<String, ObjectId>>> mergedTasks, Optional<ClusterOptions.Lead> cluster,
            Launcher.Output output, PrintStream out) throws TroupeException {
        TeamEvent.RunStarted started = history.started();
        int killed = AgentProcess.killAllWith(RunContext.RUN_MARKER + "=" + started.run());
        removeStaleRefLocks(setup);
        saveWorktreesAndKeepTheirs(setup);
        Map<String, ObjectId> merged;
        try {
            merged = mergedTasks.orElseGet(() -> mergedTasks(setup.top(), started)).join();
        } catch (CompletionException e) {
            throw new TroupeException(ExitCodes.INTERNAL, "cannot read what " + started.integrationBranch()
                    + " holds: " + (e.getCause().getMessage() == null ? e.getCause() : e.getCause().getMessage()));
        }
        Set<String> finished = FinishedWork.stillThere(setup, history, merged.keySet());
        Set<String> goingOn = new java.util.HashSet<>(finished);
        goingOn.addAll(merged.keySet());
        FinishedWork.keepTheRest(setup, history, goingOn);
        err.printf("troupe: resuming run %s: %d of %d tasks merged already%s%s%n", started.run(), merged.size(),
                history.tasks().size(), finished.isEmpty() ? "" : "; " + named(finished)
                        + " finished before the stop and go on from their commits (review, merge) without running again",
                killed > 0 ? ", " + killed + " leftover agent processes stopped" : "");
        return Launcher.run(setup, Optional.of(new ResumeFrom(history, merged, killed, finished)), past, output, false,
                cluster, out, err);
    }

    /** The tasks the integration branch holds (by their trailers), read on a thread of its own. */
    private static CompletableFuture<Map<String, ObjectId>> mergedTasks(Path top, TeamEvent.RunStarted started) {
        return CompletableFuture.supplyAsync(() -> {
            try (Repository git = Git.open(top.toFile()).getRepository()) {
                return new IntegrationBranch(git, started.integrationBranch())
                        .mergedTasks(started.run(), ObjectId.fromString(started.baseCommit()));
            } catch (IOException | GitException e) {
                throw new CompletionException(e);
            }
        });
    }

    /** The most tasks the resume line names; `troupe status` lists them all. */
    private static final int MOST_NAMED = 10;

    /** The tasks by name, the first {@value #MOST_NAMED} of a longer list and how many more. */
    private static String named(Set<String> tasks) {
        List<String> first = tasks.stream().sorted().limit(MOST_NAMED).toList();
        return String.join(", ", first) + (tasks.size() > first.size() ? " and " + (tasks.size() - first.size())
                + " more" : "");
    }

    /** What `run` checks before it starts anything, checked again: the world may have changed since. */
    private static void preflight(RunSetup setup) throws TroupeException {
        if (AgentCommand.findExecutable(setup.goal().agent(), setup.top()).isEmpty()) {
            throw TroupeException.badInput("agent command '" + setup.goal().agent().command().get(0)
                    + "' not found; is it installed and on PATH?");
        }
        List<String> problems = AgentPreflight.check(setup.goal(), setup.top(), System::getenv).stream()
                .filter(AgentPreflight.Finding::problem).map(AgentPreflight.Finding::line).toList();
        if (!problems.isEmpty()) {
            throw TroupeException.badInput(String.join("\n", problems));
        }
        if (setup.goal().workspace().sandbox()) {
            Optional<String> unavailable = Sandbox.unavailable(setup.goal().workspace().confined());
            if (unavailable.isPresent()) {
                throw TroupeException.badInput(setup.goal().places().problem("/workspace/sandbox", unavailable.get())
                        .getMessage());
            }
        }
        try {
            Optional<Path> checkedOut = Worktrees.checkedOutAt(setup.top(), setup.integrationBranch());
            if (checkedOut.isPresent()) {
                throw TroupeException.badInput("branch '" + setup.integrationBranch() + "' is checked out at "
                        + checkedOut.get() + "; switch that worktree to another branch, then resume");
            }
        } catch (GitException e) {
            throw new TroupeException(ExitCodes.INTERNAL, e.getMessage());
        }
    }

    /**
     * The goal as the run began with it: the copy in the run directory, read as if it stood where it came from;
     * for a planned run, the planned goal. A run that died while planning plans again.
     */
    private static Goal goalOf(Path runDir, TeamEvent.RunStarted started, boolean planned) throws TroupeException {
        Path copy = planned ? runDir.resolve(RunContext.PLANNED_GOAL) : RunContext.goalCopy(runDir);
        Path original = Path.of(started.goalFile()).toAbsolutePath();
        try {
            Goal goal = new GoalLoader(ConfigFactory.load()).load(copy, original.getParent());
            return goal.withOrigin(original, Path.of(started.repo()))
                    .withTeam(new Goal.Team(started.teamSize(), goal.team().stagger()));
        } catch (GoalException e) {
            throw TroupeException.badInput("cannot read the run's goal: " + e.getMessage());
        }
    }

    private static RunSetup setupOf(RunDirs dirs, Goal goal, TeamEvent.RunStarted started) throws TroupeException {
        Optional<String> noRoot = Preflight.workspaceRootProblem(dirs.top, goal.workspace().root());
        if (noRoot.isPresent()) {
            throw TroupeException.badInput("run " + started.run() + " cannot be resumed here: " + noRoot.get());
        }
        try {
            String head = GitCli.run(dirs.top, "rev-parse", "--verify", "--quiet",
                    "refs/heads/" + started.integrationBranch()).strip();
            Path commonDir = dirs.top.resolve(GitCli.run(dirs.top, "rev-parse", "--git-common-dir").strip()).normalize();
            return new RunSetup(RunSetup.expandFanout(goal, dirs.top, started.baseCommit()), dirs.top, commonDir,
                    started.base(), started.baseCommit(), started.run(), started.integrationBranch(), true, head, List.of());
        } catch (GitException e) {
            throw TroupeException.badInput("the integration branch " + started.integrationBranch()
                    + " of run " + started.run() + " is gone; it cannot be resumed");
        }
    }

    private static Optional<ObjectId> unmergedHead(RunSetup setup, Path worktree) throws GitException {
        String head = GitCli.run(worktree, "rev-parse", "HEAD").strip();
        try {
            GitCli.run(setup.top(), "merge-base", "--is-ancestor", head, "refs/heads/" + setup.integrationBranch());
            return Optional.empty();
        } catch (GitException notAncestor) {
            return Optional.of(ObjectId.fromString(head));
        }
    }

    /**
     * A troupe killed while moving a branch leaves its {@code .lock} file, and git then refuses to move that
     * branch ever again. The run's own branches belong to this process now (it holds the run's lock), so their
     * lock files are stale.
     */
    private void removeStaleRefLocks(RunSetup setup) throws TroupeException {
        Path heads = setup.commonDir().resolve("refs").resolve("heads");
        List<Path> locks = new java.util.ArrayList<>();
        Path integrationLock = heads.resolve(setup.integrationBranch() + ".lock");
        // A branch of the user's (--into) may be locked by a git of theirs: only an old lock is surely stale.
        if (setup.integrationBranch().equals("troupe/" + setup.runId()) || isOld(integrationLock)) {
            locks.add(integrationLock);
        }
        for (String area : List.of("troupe/tasks/", "troupe/failed/", "troupe/variants/")) {
            Path dir = heads.resolve(area + setup.runId());
            if (Files.isDirectory(dir)) {
                try (Stream<Path> files = Files.walk(dir)) {
                    files.filter(f -> f.getFileName().toString().endsWith(".lock")).forEach(locks::add);
                } catch (IOException e) {
                    throw new TroupeException(ExitCodes.INTERNAL, "cannot read " + dir + ": " + e.getMessage());
                }
            }
        }
        for (Path lock : locks) {
            try {
                if (Files.deleteIfExists(lock)) {
                    err.println("troupe: removed " + lock + ", left by the troupe that stopped");
                }
            } catch (IOException e) {
                throw new TroupeException(ExitCodes.INTERNAL, "cannot remove the stale " + lock + ": " + e.getMessage());
            }
        }
    }

    private static boolean isOld(Path file) {
        try {
            return Files.exists(file) && Files.getLastModifiedTime(file).toInstant()
                    .isBefore(java.time.Instant.now().minusSeconds(60));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * What the dead run's agents left in their worktrees goes to a branch. The worktrees in the run's own folder then
     * stay for the resumed workers, who put each back at its next task's base as they do a kept workspace (removing
     * eight worktrees of a 10,000-file repository and checking them out again took most of a resume's first 18 s);
     * those anywhere else (a run of the older layout, in the repository) go.
     */
    private void saveWorktreesAndKeepTheirs(RunSetup setup) {
        List<Path> dirs = Launcher.runWorktrees(setup);
        dirs.stream().filter(Files::isDirectory).forEach(dir -> saveWorktrees(setup, dir));
        dirs.stream().filter(dir -> !dir.equals(setup.worktrees()))
                .forEach(dir -> Launcher.removeWorktrees(setup.top(), dir, err));
    }

    /** Each worktree's work saved, two or more at once: each is a walk of a whole worktree, big ones a second or so. */
    private void saveWorktrees(RunSetup setup, Path dir) {
        try (Stream<Path> listing = Files.list(dir)) {
            listing.toList().parallelStream().forEach(worktree -> save(setup, worktree));
        } catch (IOException e) {
            err.println("troupe: warning: could not list " + dir + ": " + e.getMessage());
        }
    }

    private void save(RunSetup setup, Path worktree) {
        try {
            // The dead troupe (or its agent) may have been mid-commit: its index lock is stale now.
            if (Files.deleteIfExists(GitDirs.gitDir(worktree).resolve("index.lock"))) {
                err.println("troupe: removed a stale index.lock in " + worktree.getFileName());
            }
            Commits.commitIfChanged(worktree, "troupe: work in progress when run " + setup.runId() + " stopped\n",
                    Workspaces.leaveOutOf(worktree));
            // Kept unless the integration branch holds it already: the agent may have committed by itself.
            Optional<ObjectId> saved = unmergedHead(setup, worktree);
            if (saved.isPresent()) {
                String branch = "troupe/failed/" + setup.runId() + "/interrupted-" + worktree.getFileName();
                Branches.force(setup.top(), branch, saved.get());
                err.println("troupe: what " + worktree.getFileName() + " was doing is kept on " + branch);
            }
        } catch (GitException | IOException e) {
            err.println("troupe: warning: could not keep what " + worktree + " held: " + e.getMessage());
        }
    }
}
