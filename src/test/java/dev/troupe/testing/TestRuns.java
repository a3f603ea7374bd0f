package dev.troupe.testing;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import dev.troupe.agent.LiveAgents;
import dev.troupe.agent.Secrets;
import dev.troupe.goal.AgentSettings;
import dev.troupe.goal.Goal;
import dev.troupe.goal.TaskIds;
import dev.troupe.journal.Journal;
import dev.troupe.team.rules.RunContext;
import dev.troupe.team.rules.Tuning;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.lib.ObjectId;

/** A run context for testing actors directly, on a real repository with the fake agent. */
public final class TestRuns {

    private TestRuns() {}

    public static Goal.TaskSpec task(String id, String prompt) {
        return new Goal.TaskSpec(id, TaskIds.slug(id), prompt, List.of(), Optional.empty());
    }

    public static Goal goal(TestRepo repo, Duration idleTimeout, Goal.TaskSpec... tasks) {
        return new Goal(repo.dir().resolve("goal.yaml"), "test", repo.dir(), Optional.of("main"),
                new Goal.Team(1, Duration.ZERO),
                new AgentSettings(FakeAgent.command(), Optional.empty(), "acceptEdits", List.of("Write"),
                        Optional.empty(), true, java.util.Map.of()),
                new Goal.Limits(Duration.ofMinutes(1), idleTimeout, 0, Duration.ofMinutes(1), 1, Optional.empty()),
                new Goal.Sync(Goal.ZonePolicy.WARN, Optional.empty()), Optional.empty(), List.of(tasks), Goal.Notify.NONE);
    }

    public static RunContext context(ActorSystem<?> system, TestRepo repo, Path runDir, Goal goal) throws IOException {
        Files.createDirectories(runDir.resolve("agents"));
        Journal journal = Journal.open(runDir.resolve("events.jsonl"), (event, json) -> { }, system);

        Tuning tuning = Tuning.from(system.settings().config());
        LiveAgents agents = new LiveAgents();
        return new RunContext("test-run", goal, repo.dir(), "main", runDir, runDir.resolve("worktrees"),
                "troupe/test-run", ObjectId.fromString(repo.head()), journal, agents, Secrets.fromEnvironment(),
                system.dispatchers().lookup(DispatcherSelector.fromConfig(Journal.BLOCKING_DISPATCHER)),
                tuning, false, RunContext.workspaces("test-run", goal, repo.dir(), runDir, runDir.resolve("worktrees"),
                        runDir.resolve("workspaces"), tuning, agents));
    }
}
