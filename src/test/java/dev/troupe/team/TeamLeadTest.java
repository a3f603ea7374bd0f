package dev.troupe.team;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.troupe.git.IntegrationBranch;
import dev.troupe.goal.Goal;
import dev.troupe.journal.RunOutcome;
import dev.troupe.team.rules.RunContext;
import dev.troupe.testing.Journals;
import dev.troupe.testing.TestRepo;
import dev.troupe.testing.TestRuns;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Repository;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TeamLeadTest {

    static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load("application-test"));

    @AfterAll
    static void cleanup() {
        testKit.shutdownTestKit();
    }

    @TempDir
    Path tmp;

    private record Finished(RunOutcome outcome, List<JsonNode> events) {}

    private Finished run(Goal.Team team, Goal.TaskSpec... tasks) throws Exception {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hi\n"));
        Goal base = TestRuns.goal(repo, Duration.ofMinutes(1), tasks);
        Goal goal = base.withTeam(team);
        RunContext run = TestRuns.context(testKit.system(), repo, tmp.resolve("run"), goal);
        Repository jgit = Git.open(repo.dir().toFile()).getRepository();
        new IntegrationBranch(jgit, run.integrationBranch()).create(run.startCommit());
        TestProbe<RunOutcome> done = testKit.createTestProbe();

        testKit.spawn(TeamLead.create(run, jgit, done.getRef()));

        RunOutcome outcome = done.expectMessageClass(RunOutcome.class, Duration.ofSeconds(60));
        run.journal().close().toCompletableFuture().get();
        return new Finished(outcome, Journals.read(run.runDir().resolve("events.jsonl")));
    }

    private static Goal.TaskSpec task(String id, String prompt, String... after) {
        return new Goal.TaskSpec(id, id, prompt, List.of(after), Optional.empty());
    }

    @Test
    void neverRunsMoreThanTheTeamSizeAndStaggersLaunches() throws Exception {
        List<Goal.TaskSpec> tasks = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            tasks.add(task("t" + i, "sleep 0.5\nwrite t" + i + ".txt " + i));
        }
        Duration stagger = Duration.ofMillis(200);

        Finished run = run(new Goal.Team(2, stagger), tasks.toArray(Goal.TaskSpec[]::new));

        assertEquals(0, run.outcome().exitCode());
        int running = 0;
        int most = 0;
        List<Instant> launches = new ArrayList<>();
        for (JsonNode event : run.events()) {
            switch (event.path("type").asText()) {
                case "task-assigned" -> {
                    running++;
                    launches.add(Instant.parse(event.path("time").asText()));
                }
                case "task-succeeded", "task-failed" -> running--;
                default -> { }
            }
            most = Math.max(most, running);
        }
        assertEquals(2, most, "two at once, never three");
        for (int i = 1; i < launches.size(); i++) {
            Duration gap = Duration.between(launches.get(i - 1), launches.get(i));
            assertTrue(gap.compareTo(stagger) >= 0, "launch " + i + " came " + gap.toMillis() + " ms after the one before");
        }
    }

    @Test
    void theOutcomeGivesEveryTasksFateAndTheRunsCost() throws Exception {
        Finished run = run(new Goal.Team(3, Duration.ZERO),
                task("ok", "write ok.txt fine"),
                task("broken", "exit 2"),
                task("after-broken", "write never.txt no", "broken"),
                task("after-ok", "write later.txt yes", "ok"));

        RunOutcome outcome = run.outcome();
        assertEquals(1, outcome.exitCode());
        Map<String, RunOutcome.Fate> fates = new java.util.HashMap<>();
        outcome.tasks().forEach(t -> fates.put(t.id(), t.fate()));
        assertEquals(Map.of("ok", RunOutcome.Fate.MERGED, "broken", RunOutcome.Fate.FAILED,
                "after-broken", RunOutcome.Fate.SKIPPED, "after-ok", RunOutcome.Fate.MERGED), fates);
        assertEquals(0.025, outcome.costUsd(), 1e-9, "two successful attempts at $0.0125");
        JsonNode last = run.events().get(run.events().size() - 1);
        assertEquals("run-finished", last.path("type").asText());
        assertEquals(2, last.path("merged").asInt());
        assertEquals(1, last.path("failed").asInt());
        assertEquals(1, last.path("skipped").asInt());
    }
}
