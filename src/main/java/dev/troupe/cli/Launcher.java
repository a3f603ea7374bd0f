package dev.troupe.cli;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.troupe.agent.AgentProcess;
import dev.troupe.agent.LiveAgents;
import dev.troupe.agent.Secrets;
import dev.troupe.git.Housekeeping;
import dev.troupe.git.GitException;
import dev.troupe.git.IntegrationBranch;
import dev.troupe.git.Repositories;
import dev.troupe.git.Worktrees;
import dev.troupe.journal.Journal;
import dev.troupe.journal.RunHistory;
import dev.troupe.journal.RunOutcome;
import dev.troupe.journal.TeamEvent;
import dev.troupe.team.rules.ResumeFrom;
import dev.troupe.team.rules.RunContext;
import dev.troupe.remote.NodeScout;
import dev.troupe.team.TeamLead;
import dev.troupe.team.rules.Tuning;
import dev.troupe.workspace.WorkspaceRoot;
import dev.troupe.view.ConsoleView;
import dev.troupe.view.LiveStatus;
import dev.troupe.view.Notifier;
import dev.troupe.view.PlanFile;
import dev.troupe.view.Summary;
import dev.troupe.view.TeamBoard;
import dev.troupe.view.Terminal;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.stream.Stream;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import picocli.CommandLine.Option;

/**
 * Runs a team to its end, for {@code troupe run} and {@code troupe resume}: a {@link RunSession} (the actor system,
 * the journal, the agents), the team lead under a {@link RunGuardian} (so a lead that fails ends the run), the
 * summary, and the cleanup of worktrees. On SIGTERM or Ctrl-C the session's shutdown stops every agent first and
 * leaves the worktrees for {@code troupe resume}.
 */
final class Launcher {

    private Launcher() {}

    /**
     * How the run is shown: decisions on stderr (under a live status block when stderr is a terminal, as plain
     * lines otherwise), every event as JSON on stdout, or only the summary.
     */
    enum Output { LINES, JSON, QUIET }

    /** {@code --json} and {@code --quiet}, shared by {@code run} and {@code resume}. */
    static final class OutputOptions {
        @Option(names = "--json",
                description = "print every event as JSON Lines on stdout instead of the summary")
        boolean json;

        @Option(names = "--quiet", description = "print only the final summary")
        boolean quiet;

        Output output() throws TroupeException {
            if (json && quiet) {
                throw TroupeException.badInput("--json and --quiet do not go together");
            }
            return json ? Output.JSON : quiet ? Output.QUIET : Output.LINES;
        }
    }

    /**
     * @param past what a resumed run's journal held (empty for a new run), for the listeners that keep a history of
     *     their own as events come (the live board, plan.md): {@code resumed}'s is the team lead's. Read once by the
     *     resume, replayed for each
     * @param planOnly stop once the planner's tasks are made and checked
     * @param cluster the lead's node of a cluster, when workers on other nodes join the team
     * @return the run's exit code
     */
    static int run(RunSetup setup, Optional<ResumeFrom> resumed, List<TeamEvent> past, Output output, boolean planOnly,
            Optional<ClusterOptions.Lead> cluster, PrintStream out, PrintStream err) throws TroupeException {
        Config config = ConfigFactory.load();
        Tuning tuning = Tuning.from(config);
        CompletableFuture<RunOutcome> finished = new CompletableFuture<>();
        Behavior<RunGuardian.Command> guardian = RunGuardian.create(finished);
        RunSession<RunGuardian.Command> session = RunSession.start(new LiveAgents(), tuning.killGrace(),
                () -> cluster.isPresent() ? cluster.get().start(guardian, config)
                        : ActorSystem.create(guardian, "troupe", config));
        ActorSystem<RunGuardian.Command> system = session.system();
        cluster.ifPresent(lead -> err.println("troupe: workers join with: troupe worker --join "
                + system.address().getHost().orElse(lead.address().host()) + ":" + system.address().getPort().orElse(0)
                + (lead.key().isPresent() ? " --key " + lead.key().get().file() : "") + " --slots N --work-dir DIR"));
        boolean over = false;
        try (Repository repo = Repositories.open(setup.top())) {
            if (!setup.integrationExists() && !planOnly) {
                new IntegrationBranch(repo, setup.integrationBranch()).create(ObjectId.fromString(setup.startCommit()));
            }
            RunOutcome outcome;
            Optional<LiveStatus> live = output == Output.LINES && Terminal.live(System.getenv())
                    ? Optional.of(LiveStatus.start(err, new TeamBoard(RunHistory.of(past),
                            setup.goal().limits().budgetUsd()), () -> Terminal.width(System.getenv())))
                    : Optional.empty();
            try {
                outcome = launch(session, tuning, setup, resumed, past, planOnly, cluster.isPresent(),
                        live.<Journal.Listener>map(l -> l).orElseGet(() -> switch (output) {
                            case JSON -> ConsoleView.jsonLines(out);
                            case LINES -> ConsoleView.lines(err);
                            case QUIET -> ConsoleView.silent();
                        }), () -> live.ifPresent(LiveStatus::close), finished, err);
            } finally {
                live.ifPresent(LiveStatus::close);
            }
            over = true;
            if (output != Output.JSON) {
                Summary.print(outcome, setup.top(), setup.runDir(), out);
            }
            return outcome.exitCode();
        } catch (IOException | GitException e) {
            throw new TroupeException(ExitCodes.INTERNAL, e.getMessage());
        } finally {
            session.end();
            if (over) {
                removeWorktrees(setup, err);
                Housekeeping.run(setup.top());
            }
        }
    }

    /**
     * Starts the team lead on the session's actor system and waits for the run's outcome. On SIGTERM or Ctrl-C the
     * session stops every agent and says so; the worktrees stay for {@code troupe resume}.
     */
    private static RunOutcome launch(RunSession<RunGuardian.Command> session, Tuning tuning, RunSetup setup,
            Optional<ResumeFrom> resumed, List<TeamEvent> past, boolean planOnly, boolean clustered,
            Journal.Listener view, Runnable stopDrawing, CompletableFuture<RunOutcome> finished, PrintStream err)
            throws IOException, TroupeException {
        Executor blocking = session.blocking();
        PlanFile plan = new PlanFile(setup.runDir().resolve("plan.md"), RunHistory.of(past));
        Notifier notifier = new Notifier(setup.goal().notifications(), setup.runId(), setup.top(), setup.runDir(), err,
                blocking, AgentProcess::usersArenas);
        Journal journal = session.openJournal(setup.runDir().resolve("events.jsonl"),
                view.andThen(plan).andThen(notifier));
        LiveAgents agents = session.agents();
        RunContext run = new RunContext(setup.runId(), setup.goal(), setup.top(), setup.base(), setup.runDir(),
                setup.worktrees(), setup.integrationBranch(), ObjectId.fromString(setup.startCommit()), journal, agents,
                secretsOf(setup.goal()),
                blocking, tuning, planOnly, RunContext.workspaces(setup.runId(), setup.goal(),
                        setup.top(), setup.runDir(), setup.worktrees(), setup.workspaceRoot().kept(), tuning, agents));
        // The actors run on while the JVM exits, but LiveAgents starts no agent once the session stopped them, so
        // what this says is true.
        RunSession.Registration interruption = session.onInterrupt(() -> {
            stopDrawing.run();
            err.println("troupe: interrupted; every agent is stopped. Finish the run with: troupe resume "
                    + setup.runId());
            err.flush();
        });
        // Without its journal a run can neither be trusted nor resumed: it ends, exit 3.
        journal.broken().whenComplete((done, failure) -> finished.completeExceptionally(
                new IllegalStateException("the journal " + setup.runDir().resolve("events.jsonl")
                        + " could not be written (" + failure.getMessage() + ")")));
        // A use of the run's repository for its Merger, which closes it when it stops.
        Repository leadRepo = Repositories.open(setup.top());
        session.system().tell(new RunGuardian.Start(replyTo -> TeamLead.create(run, leadRepo, resumed, replyTo),
                clustered ? Optional.of(lead -> NodeScout.create(run, lead)) : Optional.empty()));
        try {
            return finished.get();
        } catch (ExecutionException e) {
            throw new TroupeException(ExitCodes.INTERNAL, "the run failed: " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TroupeException(ExitCodes.INTERRUPTED, "interrupted");
        } finally {
            // An agent launched as its worker was stopping has no actor left to end it.
            agents.stopAll(tuning.killGrace());
            run.workspaces().releaseAll();
            interruption.close();
            awaitQuietly(session.closeJournal().toCompletableFuture());
            notifier.await(Duration.ofSeconds(40));
        }
    }

    /**
     * Worktrees are scratch space; the task branches (and so all committed work) stay. A run's worktrees may sit
     * in any root its repository's runs used (a run before workspaces left the repository: in {@code .troupe/}).
     */
    static void removeWorktrees(RunSetup setup, PrintStream err) {
        runWorktrees(setup).forEach(dir -> removeWorktrees(setup.top(), dir, err));
    }

    /** Each folder where the run's own worktrees may be: its goal's root first, then every other one known. */
    static List<Path> runWorktrees(RunSetup setup) {
        java.util.Set<Path> dirs = new java.util.LinkedHashSet<>(List.of(setup.worktrees()));
        dirs.addAll(runWorktrees(setup.top(), setup.runId()));
        return List.copyOf(dirs);
    }

    /** Each folder where a run's own worktrees may be, in every root its repository's runs used. */
    static List<Path> runWorktrees(Path top, String runId) {
        return WorkspaceRoot.known(top).stream().map(root -> root.runWorktrees(runId)).toList();
    }

    /** Removes every worktree in {@code dir} (troupe's, for one run) and the folder; returns how many. */
    static int removeWorktrees(Path top, Path dir, PrintStream err) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        List<Path> worktrees;
        try (Stream<Path> listing = Files.list(dir)) {
            worktrees = listing.toList();
        } catch (IOException e) {
            err.println("troupe: warning: could not list the worktrees in " + dir + ": " + e.getMessage());
            return 0;
        }
        int removed = 0;
        for (Path worktree : worktrees) {
            try {
                Worktrees.remove(top, worktree);
                removed++;
            } catch (GitException e) {
                err.println("troupe: warning: could not remove the worktree " + worktree + ": " + e.getMessage());
            }
        }
        try {
            Files.deleteIfExists(dir);
            // The folders above it (worktrees/, then the root beside the repository) go too once nothing is left
            // in them: a finished run leaves nothing beside the repository but kept workspaces.
            if (deleteIfEmpty(dir.getParent())) {
                deleteIfEmpty(dir.getParent().getParent());
            }
        } catch (IOException e) {
            err.println("troupe: warning: could not remove " + dir + ": " + e.getMessage());
        }
        return removed;
    }

    /** Whether {@code dir} is gone: it was empty, or was not there. */
    private static boolean deleteIfEmpty(Path dir) throws IOException {
        try {
            Files.deleteIfExists(dir);
            return true;
        } catch (java.nio.file.DirectoryNotEmptyException stillUsed) {
            return false;
        }
    }

    private static <T> T awaitQuietly(CompletableFuture<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException e) {
            return null;
        }
    }

    /** What a run of {@code goal} masks: troupe's environment's credentials, its agent profiles' keys too. */
    static Secrets secretsOf(dev.troupe.goal.Goal goal) {
        return Secrets.fromEnvironment(goal.profiles().stream().flatMap(p -> p.keyEnv().stream()).toList());
    }
}
