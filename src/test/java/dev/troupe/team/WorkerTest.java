package dev.troupe.team;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.troupe.goal.Goal;
import dev.troupe.journal.Json;
import dev.troupe.team.WorkerProtocol.AttemptFailed;
import dev.troupe.team.WorkerProtocol.AttemptSucceeded;
import dev.troupe.team.WorkerProtocol.Report;
import dev.troupe.team.rules.AgentSession;
import dev.troupe.team.rules.Assignment;
import dev.troupe.team.rules.AttemptResult;
import dev.troupe.team.rules.RunContext;
import dev.troupe.testing.TestRepo;
import dev.troupe.testing.TestRuns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkerTest {

    static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load("application-test"));

    @AfterAll
    static void cleanup() {
        testKit.shutdownTestKit();
    }

    @TempDir
    Path tmp;

    private TestRepo repo;
    private RunContext run;

    private ActorRef<WorkerProtocol.Command> worker(Duration idleTimeout, Goal.TaskSpec... tasks) throws IOException {
        repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hi\n"));
        run = TestRuns.context(testKit.system(), repo, tmp.resolve("run"), TestRuns.goal(repo, idleTimeout, tasks));
        return testKit.spawn(Worker.create(run, "worker-1"));
    }

    private WorkerProtocol.Assign assign(Goal.TaskSpec task, int attempt, TestProbe<Report> lead) {
        return new WorkerProtocol.Assign(new Assignment(task, attempt, run.taskBranch(task), run.startCommit(),
                task.prompt()), lead.getRef());
    }

    @Test
    void aSuccessfulAgentsWorkIsCommittedOnTheTaskBranchAndReported() throws IOException {
        Goal.TaskSpec task = TestRuns.task("greet", "write greeting.txt hello");
        ActorRef<WorkerProtocol.Command> worker = worker(Duration.ofMinutes(1), task);
        TestProbe<Report> lead = testKit.createTestProbe();

        worker.tell(assign(task, 1, lead));

        AttemptSucceeded done = lead.expectMessageClass(AttemptSucceeded.class, Duration.ofSeconds(20));
        assertEquals("greet", done.attempt().taskId());
        AttemptResult result = done.result();
        assertEquals(run.taskBranch(task), result.branch());
        assertEquals(result.commit().name(), repo.git("rev-parse", result.branch()));
        assertEquals("hello", repo.show(result.branch(), "greeting.txt"));
        assertEquals(List.of("greeting.txt"), result.filesChanged());
        assertEquals(0.0125, result.costUsd(), 1e-9);
        assertEquals(100, result.usage().inputTokens());
        assertEquals(20, result.usage().outputTokens());
        assertEquals("Did as told.", result.text());
        assertTrue(Files.readString(run.resultFile(task)).contains("greeting.txt"));
    }

    @Test
    void anAgentThatExitsWithoutAResultFailsTheAttempt() throws IOException {
        Goal.TaskSpec task = TestRuns.task("crash", "exit 5");
        ActorRef<WorkerProtocol.Command> worker = worker(Duration.ofMinutes(1), task);
        TestProbe<Report> lead = testKit.createTestProbe();

        worker.tell(assign(task, 1, lead));

        AttemptFailed failed = lead.expectMessageClass(AttemptFailed.class, Duration.ofSeconds(20));
        assertEquals("agent exited with code 5 without a result", failed.reason());
    }

    @Test
    void aWorkspaceGitCannotCheckOutFailsTheAttemptWithWhatGitSaidAndWhereItAllIs() throws IOException {
        Goal.TaskSpec task = TestRuns.task("blocked", "write a.txt 1");
        ActorRef<WorkerProtocol.Command> worker = worker(Duration.ofMinutes(1), task);
        TestProbe<Report> lead = testKit.createTestProbe();
        // Files where the worker's workspace and the one it falls back to would go: git refuses both paths.
        Files.createDirectories(run.worktrees());
        Files.writeString(run.worktrees().resolve("worker-1"), "in the way\n");
        Files.writeString(run.worktrees().resolve("worker-2"), "in the way\n");

        worker.tell(assign(task, 1, lead));

        String reason = lead.expectMessageClass(AttemptFailed.class, Duration.ofSeconds(20)).reason();
        String gitSaid = "fatal: '" + run.worktrees().resolve("worker-2") + "' already exists";
        assertTrue(reason.startsWith("could not start the agent: " + gitSaid + " (git "), "git's words lead: " + reason);
        assertTrue(reason.contains("worktree add"), "then the command: " + reason);
        Path stderr = run.agentOutput(assign(task, 1, lead).assignment(), ".stderr");
        assertTrue(reason.endsWith("; the whole output is in " + stderr), reason);
        assertTrue(Files.readString(stderr).contains(gitSaid), "kept whole there");
    }

    @Test
    void theNextTaskStartsFromAFreshCheckoutOfItsBase() throws IOException {
        Goal.TaskSpec first = TestRuns.task("first", "write first.txt 1");
        Goal.TaskSpec second = TestRuns.task("second", "write second.txt 2");
        ActorRef<WorkerProtocol.Command> worker = worker(Duration.ofMinutes(1), first, second);
        TestProbe<Report> lead = testKit.createTestProbe();
        worker.tell(assign(first, 1, lead));
        lead.expectMessageClass(AttemptSucceeded.class, Duration.ofSeconds(20));
        Path worktree = run.worktrees().resolve("worker-1");
        Files.writeString(worktree.resolve("leftover.txt"), "not part of any task\n");

        worker.tell(assign(second, 1, lead));

        AttemptResult result = lead.expectMessageClass(AttemptSucceeded.class, Duration.ofSeconds(20)).result();
        assertEquals(List.of("second.txt"), result.filesChanged(), "nothing of the first task or the leftover");
        assertEquals(List.of("README.md", "second.txt"), List.copyOf(repo.tree(result.branch()).keySet().stream().sorted().toList()));
    }

    @Test
    void aSessionIsResumedOnlyInTheWorkspaceThatMadeItAndElsewhereTheAgentStartsFresh() throws IOException {
        Goal.TaskSpec task = TestRuns.task("again", "argv " + tmp.resolve("fresh-argv.txt"));
        ActorRef<WorkerProtocol.Command> worker = worker(Duration.ofMinutes(1), task);
        TestProbe<Report> lead = testKit.createTestProbe();
        worker.tell(assign(task, 1, lead));
        AgentSession made = lead.expectMessageClass(AttemptSucceeded.class, Duration.ofSeconds(20)).result()
                .session().orElseThrow();
        assertEquals(run.worktrees().resolve("worker-1"), made.cwd(), "the session is where the agent ran");
        Files.delete(tmp.resolve("fresh-argv.txt"));

        worker.tell(resume(task, 2, new AgentSession("elsewhere", tmp.resolve("another-workspace")), lead));
        lead.expectMessageClass(AttemptSucceeded.class, Duration.ofSeconds(20));
        List<String> fresh = Files.readAllLines(tmp.resolve("fresh-argv.txt"));
        worker.tell(resume(task, 3, made, lead));
        lead.expectMessageClass(AttemptSucceeded.class, Duration.ofSeconds(20));
        List<String> resumed = Files.readAllLines(tmp.resolve("resumed-argv.txt"));

        assertFalse(fresh.contains("--resume"), "another directory cannot resume it: " + fresh);
        int at = resumed.indexOf("--resume");
        assertEquals(List.of(made.id(), "--fork-session", "--session-id"), resumed.subList(at + 1, at + 4), resumed.toString());
        assertEquals("argv " + tmp.resolve("resumed-argv.txt"), resumed.get(resumed.size() - 1), "the message is the prompt");
    }

    private WorkerProtocol.Assign resume(Goal.TaskSpec task, int attempt, AgentSession session,
            TestProbe<Report> lead) {
        Assignment.Resume resume = new Assignment.Resume(session, "argv " + tmp.resolve("resumed-argv.txt"));
        return new WorkerProtocol.Assign(new Assignment(task, attempt, run.taskBranch(task), run.startCommit(),
                task.prompt(), Assignment.Role.WRITER, Optional.empty(), Optional.of(resume)), lead.getRef());
    }

    @Test
    void stoppingAWorkerKillsItsAgent() throws Exception {
        Goal.TaskSpec task = TestRuns.task("forever", "hang");
        ActorRef<WorkerProtocol.Command> worker = worker(Duration.ofMinutes(1), task);
        TestProbe<Report> lead = testKit.createTestProbe();
        worker.tell(assign(task, 1, lead));
        long pid = awaitAgentPid();
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the agent runs");

        testKit.stop(worker);

        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the agent is gone with its worker");
    }

    /** The agent's pid, from the journal's agent-started event, once it is written. */
    private long awaitAgentPid() throws IOException {
        Path events = run.runDir().resolve("events.jsonl");
        TestProbe<Object> clock = testKit.createTestProbe();
        return clock.awaitAssert(Duration.ofSeconds(20), Duration.ofMillis(50), () -> {
            Optional<JsonNode> started = Optional.empty();
            try {
                for (String line : Files.exists(events) ? Files.readAllLines(events) : List.<String>of()) {
                    JsonNode event = Json.MAPPER.readTree(line);
                    if (event.path("type").asText().equals("agent-started")) {
                        started = Optional.of(event);
                    }
                }
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            return started.orElseThrow(() -> new AssertionError("no agent-started yet")).path("pid").asLong();
        });
    }

    @Test
    void aCommitIdOfTheBaseIsWhereTheBranchStarts() throws IOException {
        Goal.TaskSpec task = TestRuns.task("noop", "argv args.txt");
        ActorRef<WorkerProtocol.Command> worker = worker(Duration.ofMinutes(1), task);
        TestProbe<Report> lead = testKit.createTestProbe();

        worker.tell(assign(task, 1, lead));

        AttemptResult result = lead.expectMessageClass(AttemptSucceeded.class, Duration.ofSeconds(20)).result();
        assertEquals(run.startCommit().name(), repo.git("rev-parse", result.branch() + "^"));
        assertFalse(result.commit().equals(ObjectId.zeroId()));
    }
}
