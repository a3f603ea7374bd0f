package dev.troupe.cli;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.ChildFailed;
import akka.actor.typed.Terminated;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.Props;
import akka.actor.typed.SpawnProtocol;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.troupe.agent.LiveAgents;
import dev.troupe.agent.Secrets;
import dev.troupe.git.GitException;
import dev.troupe.git.IntegrationBranch;
import dev.troupe.git.Worktrees;
import dev.troupe.goal.Goal;
import dev.troupe.journal.Journal;
import dev.troupe.team.RunContext;
import dev.troupe.team.RunOutcome;
import dev.troupe.team.TeamLead;
import dev.troupe.team.Tuning;
import dev.troupe.view.ConsoleView;
import dev.troupe.view.Summary;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code troupe run GOAL}: checks the goal and the repository, then launches the team and waits for the run
 * to end. Progress goes to stderr, the summary to stdout ({@code --json}: every event to stdout instead).
 */
@Command(name = "run", description = "Launch a team on a goal file and see it through.")
final class RunCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "GOAL", description = "the goal file (YAML, or JSON for .json)")
    Path goalFile;

    @Option(names = "--team", paramLabel = "N", description = "number of workers (overrides team.size)")
    Integer team;

    @Option(names = "--into", paramLabel = "BRANCH", description = "integration branch (default troupe/<run>)")
    String into;

    @Option(names = "--json", description = "print every event as JSON Lines on stdout instead of the summary")
    boolean json;

    @Option(names = "--allow-dirty", description = "run even with uncommitted changes in tracked files (they are left alone)")
    boolean allowDirty;

    private final PrintStream out;
    private final PrintStream err;

    RunCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws TroupeException {
        Goal goal = withTeamSize(ValidateCommand.load(goalFile));
        RunSetup setup = RunSetup.check(goal, Optional.ofNullable(into), allowDirty);
        setup.warnings().forEach(w -> err.println("troupe: warning: " + w));

        Config config = ConfigFactory.load();
        try {
            setup.createFootprint();
        } catch (IOException e) {
            throw new TroupeException(ExitCodes.INTERNAL, "cannot create " + setup.runDir() + ": " + e.getMessage());
        }
        ActorSystem<SpawnProtocol.Command> system = ActorSystem.create(SpawnProtocol.create(), "troupe", config);
        try (Repository repo = Git.open(setup.top().toFile()).getRepository()) {
            if (!setup.integrationExists()) {
                new IntegrationBranch(repo, setup.integrationBranch()).create(ObjectId.fromString(setup.startCommit()));
            }
            RunOutcome outcome = launch(system, config, setup, json ? ConsoleView.jsonLines(out) : ConsoleView.lines(err));
            if (!json) {
                Summary.print(outcome, setup.top(), setup.runDir(), out);
            }
            return outcome.exitCode();
        } catch (IOException | GitException e) {
            throw new TroupeException(ExitCodes.INTERNAL, e.getMessage());
        } finally {
            system.terminate();
            awaitQuietly(system.getWhenTerminated().toCompletableFuture());
            removeWorktrees(setup, err);
        }
    }

    private Goal withTeamSize(Goal goal) throws TroupeException {
        if (team == null) {
            return goal;
        }
        if (team < 1) {
            throw TroupeException.badInput("--team must be at least 1, not " + team);
        }
        return new Goal(goal.file(), goal.text(), goal.repo(), goal.base(),
                new Goal.Team(team, goal.team().stagger()), goal.agent(), goal.limits(), goal.tasks());
    }

    private static RunOutcome launch(ActorSystem<SpawnProtocol.Command> system, Config config, RunSetup setup,
            ConsoleView view) throws IOException, TroupeException {
        Executor blocking = system.dispatchers().lookup(DispatcherSelector.fromConfig(Journal.BLOCKING_DISPATCHER));
        Journal journal = Journal.open(setup.runDir().resolve("events.jsonl"), view, system);
        Tuning tuning = Tuning.from(config);
        Duration killGrace = tuning.killGrace();
        LiveAgents agents = new LiveAgents();
        RunContext run = new RunContext(setup.runId(), setup.goal(), setup.top(), setup.base(), setup.runDir(),
                setup.worktrees(), setup.integrationBranch(), ObjectId.fromString(setup.startCommit()), journal, agents,
                Secrets.fromEnvironment(), blocking, tuning);
        // SIGTERM or Ctrl-C ends the JVM without the actors finishing their work: stop the agents from here.
        Thread onInterrupt = new Thread(() -> {
            agents.stopAll(killGrace);
            System.err.println("troupe: interrupted; every agent is stopped. Unfinished work stays in "
                    + setup.worktrees());
        }, "troupe-interrupted");
        Runtime.getRuntime().addShutdownHook(onInterrupt);
        CompletableFuture<RunOutcome> finished = new CompletableFuture<>();
        Repository leadRepo = Git.open(setup.top().toFile()).getRepository();
        spawn(system, watched(replyTo -> TeamLead.create(run, leadRepo, replyTo), finished), "run");
        try {
            return finished.get();
        } catch (ExecutionException e) {
            throw new TroupeException(ExitCodes.INTERNAL, "the team lead failed: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TroupeException(ExitCodes.INTERRUPTED, "interrupted");
        } finally {
            // An agent launched as its worker was stopping has no actor left to end it.
            agents.stopAll(killGrace);
            removeShutdownHook(onInterrupt);
            awaitQuietly(journal.close().toCompletableFuture());
        }
    }

    private static void removeShutdownHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The JVM is already exiting: the hook runs, as it should.
        }
    }

    /** Runs the team lead as a watched child, so a lead that fails ends the run instead of leaving it waiting. */
    private static Behavior<RunOutcome> watched(Function<ActorRef<RunOutcome>, Behavior<TeamLead.Command>> lead,
            CompletableFuture<RunOutcome> finished) {
        return Behaviors.setup(context -> {
            context.watch(context.spawn(lead.apply(context.getSelf()), "lead"));
            return Behaviors.receive(RunOutcome.class)
                    .onMessage(RunOutcome.class, outcome -> {
                        finished.complete(outcome);
                        return Behaviors.same();
                    })
                    .onSignal(ChildFailed.class, failed -> {
                        finished.completeExceptionally(failed.cause());
                        return Behaviors.stopped();
                    })
                    .onSignal(Terminated.class, stopped -> {
                        finished.completeExceptionally(new IllegalStateException("the team lead stopped"));
                        return Behaviors.stopped();
                    })
                    .build();
        });
    }

    private static <T> ActorRef<T> spawn(ActorSystem<SpawnProtocol.Command> system, Behavior<T> behavior,
            String name) {
        return AskPattern.<SpawnProtocol.Command, ActorRef<T>>ask(system,
                        replyTo -> new SpawnProtocol.Spawn<>(behavior, name, Props.empty(), replyTo),
                        Duration.ofSeconds(10), system.scheduler())
                .toCompletableFuture().join();
    }

    /** Worktrees are scratch space; the task branches (and so all committed work) stay. */
    private static void removeWorktrees(RunSetup setup, PrintStream err) {
        Path dir = setup.worktrees();
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<Path> worktrees;
        try (Stream<Path> listing = Files.list(dir)) {
            worktrees = listing.toList();
        } catch (IOException e) {
            err.println("troupe: warning: could not list the worktrees in " + dir + ": " + e.getMessage());
            return;
        }
        for (Path worktree : worktrees) {
            try {
                Worktrees.remove(setup.top(), worktree);
            } catch (GitException e) {
                err.println("troupe: warning: could not remove the worktree " + worktree + ": " + e.getMessage());
            }
        }
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            err.println("troupe: warning: could not remove " + dir + ": " + e.getMessage());
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
}
