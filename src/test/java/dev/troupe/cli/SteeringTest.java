package dev.troupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.testing.Await;
import dev.troupe.testing.FakeAgent;
import dev.troupe.testing.Journals;
import dev.troupe.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Steering a live run in another process: {@code troupe stop} (what runs finishes, the rest waits for resume),
 * {@code troupe cancel} (the task's agent stopped, what comes after it skipped), {@code troupe add} and
 * {@code troupe tell} (the message goes with the task's next attempt).
 */
class SteeringTest {

    @TempDir
    Path tmp;

    @Test
    void aStoppedRunFinishesWhatRunsLaunchesNothingMoreAndResumeDoesTheRest() throws Exception {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hello\n"));
        Path go = tmp.resolve("go");
        Process troupe = startRun(repo,
                "  - id: a\n    prompt: |\n      write a.txt 1\n      run while [ ! -e " + go + " ]; do sleep 0.05; done\n"
                + "  - id: b\n    prompt: write b.txt 2\n"
                + "  - id: c\n    prompt: write c.txt 3\n    after: [b]\n");
        Path runs = repo.dir().resolve(".troupe/runs");
        try {
            Await.until(() -> journal(runs).stream().anyMatch(e -> e.path("type").asText().equals("agent-started")),
                    "a's agent is at work");

            Invocation stop = Invocation.troupe("stop", "-C", repo.dir().toString());

            assertEquals(0, stop.exitCode(), stop.err());
            assertTrue(stop.out().contains("stops: nothing more is launched; 1 task under way finishes first"), stop.out());
            Files.writeString(go, "");
            assertTrue(troupe.waitFor(60, TimeUnit.SECONDS), "the run ends once a is merged");
        } finally {
            troupe.destroyForcibly();
        }
        String out = Files.readString(tmp.resolve("run.out"));
        assertEquals(130, troupe.exitValue(), out);
        assertTrue(out.contains("Stopped by troupe stop with 2 tasks not run"), out);
        List<JsonNode> events = journal(runs);
        assertEquals(1, Journals.ofType(events, "agent-started").size(), "b was never launched");
        assertEquals(1, Journals.ofType(events, "run-stopped").size());
        String runId = Journals.ofType(events, "run-started").get(0).path("run").asText();
        assertEquals(List.of("a"), repo.mergedTasks("troupe/" + runId));

        Invocation resumed = Invocation.troupe("resume", "-C", repo.dir().toString());

        assertEquals(0, resumed.exitCode(), resumed.out() + resumed.err());
        assertEquals(List.of("a", "b", "c"), repo.mergedTasks("troupe/" + runId), "each merged once, in order");
    }

    @Test
    void cancellingARunningTaskStopsItsAgentSkipsWhatComesAfterAndTheRestRuns() throws Exception {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hello\n"));
        Process troupe = startRun(repo, "  - id: slow\n    prompt: |\n      write slow.txt 1\n      hang\n"
                + "  - id: after-slow\n    prompt: write after.txt 2\n    after: [slow]\n"
                + "  - id: other\n    prompt: write other.txt 3\n");
        Path runs = repo.dir().resolve(".troupe/runs");
        long agent;
        try {
            Await.until(() -> journal(runs).stream().anyMatch(e -> e.path("type").asText().equals("agent-started")),
                    "the slow task's agent is at work");
            agent = Journals.ofType(journal(runs), "agent-started").get(0).path("pid").asLong();

            Invocation cancel = Invocation.troupe("cancel", "-C", repo.dir().toString(), "slow");

            assertEquals(0, cancel.exitCode(), cancel.err());
            assertTrue(cancel.out().contains("task 'slow' is cancelled once its agent on worker-1 has stopped"), cancel.out());
            assertTrue(troupe.waitFor(60, TimeUnit.SECONDS), "the run goes on and ends");
        } finally {
            troupe.destroyForcibly();
        }
        String out = Files.readString(tmp.resolve("run.out"));
        assertEquals(1, troupe.exitValue(), "after-slow was skipped: " + out);
        assertFalse(ProcessHandle.of(agent).map(ProcessHandle::isAlive).orElse(false), "the slow agent is stopped");
        List<JsonNode> events = journal(runs);
        assertEquals(List.of("slow"), Journals.ofType(events, "task-cancelled").stream().map(e -> e.path("task").asText()).toList());
        assertEquals(List.of("after-slow"), Journals.ofType(events, "task-skipped").stream().map(e -> e.path("task").asText()).toList());
        String runId = Journals.ofType(events, "run-started").get(0).path("run").asText();
        assertEquals(List.of("other"), repo.mergedTasks("troupe/" + runId));
        assertEquals("1", repo.show("troupe/failed/" + runId + "/slow-1", "slow.txt"), "the cancelled work is kept");
        assertTrue(out.contains("1 cancelled"), out);
    }

    @Test
    void tasksAddedToALiveRunRunAndAResumeAfterAStopKnowsThem() throws Exception {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hello\n"));
        Path go = tmp.resolve("go");
        Path more = tmp.resolve("more.yaml");
        Files.writeString(more, "- id: b\n  prompt: write b.txt 2\n  after: [a]\n- id: c\n  prompt: write c.txt 3\n");
        Path wrong = tmp.resolve("wrong.yaml");
        Files.writeString(wrong, "- id: d\n  prompt: write d.txt 4\n  after: [nope]\n");
        Process troupe = startRun(repo,
                "  - id: a\n    prompt: |\n      write a.txt 1\n      run while [ ! -e " + go + " ]; do sleep 0.05; done\n");
        Path runs = repo.dir().resolve(".troupe/runs");
        try {
            Await.until(() -> journal(runs).stream().anyMatch(e -> e.path("type").asText().equals("agent-started")),
                    "a's agent is at work");
            String runGoalBefore = Files.readString(onlyRun(runs).resolve("goal.yaml"));

            Invocation refused = Invocation.troupe("add", "-C", repo.dir().toString(), wrong.toString());
            Invocation added = Invocation.troupe("add", "-C", repo.dir().toString(), more.toString());

            assertEquals(ExitCodes.BAD_INPUT, refused.exitCode(), refused.out());
            assertTrue(refused.err().contains(wrong + ": the run refuses these tasks:") && refused.err().contains("nope"),
                    refused.err());
            assertEquals(0, added.exitCode(), added.err());
            assertTrue(added.out().contains(": b, c"), added.out());
            assertTrue(Files.readString(onlyRun(runs).resolve("goal.yaml")).contains("id: c"));
            assertTrue(runGoalBefore.length() < Files.readString(onlyRun(runs).resolve("goal.yaml")).length());
            assertEquals(0, Invocation.troupe("stop", "-C", repo.dir().toString()).exitCode());
            Files.writeString(go, "");
            assertTrue(troupe.waitFor(60, TimeUnit.SECONDS), "the run ends once a is merged");
        } finally {
            troupe.destroyForcibly();
        }
        assertEquals(130, troupe.exitValue(), Files.readString(tmp.resolve("run.out")));
        String runId = onlyRun(runs).getFileName().toString();

        Invocation resumed = Invocation.troupe("resume", "-C", repo.dir().toString());

        assertEquals(0, resumed.exitCode(), resumed.out() + resumed.err());
        assertEquals(List.of("a", "b", "c"), repo.mergedTasks("troupe/" + runId).stream().sorted().toList());
        assertTrue(journal(runs).stream().noneMatch(e -> e.path("task").asText().equals("d")), "d never joined");
    }

    @Test
    void aToldMessageReachesTheTasksNextAttemptAndAResumeAfterAStopStillDeliversIt() throws Exception {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hello\n"));
        Path go = tmp.resolve("go");
        Path argv = tmp.resolve("b-argv");
        Process troupe = startRun(repo,
                "  - id: a\n    prompt: |\n      write a.txt 1\n      run while [ ! -e " + go + " ]; do sleep 0.05; done\n"
                + "  - id: b\n    prompt: |\n      write b.txt 2\n      argv " + argv + "\n");
        Path runs = repo.dir().resolve(".troupe/runs");
        try {
            Await.until(() -> journal(runs).stream().anyMatch(e -> e.path("type").asText().equals("agent-started")),
                    "a's agent is at work");

            Invocation toB = Invocation.troupe("tell", "-C", repo.dir().toString(), "b", "Use British spelling.");
            Invocation toA = Invocation.troupe("tell", "-C", repo.dir().toString(), "a", "Hurry up.");
            Invocation unknown = Invocation.troupe("tell", "-C", repo.dir().toString(), "nope", "Hello?");
            Invocation empty = Invocation.troupe("tell", "-C", repo.dir().toString(), "b", " ");

            assertEquals(0, toB.exitCode(), toB.err());
            assertTrue(toB.out().contains("task 'b': its agent is told when it starts"), toB.out());
            assertEquals(0, toA.exitCode(), toA.err());
            assertTrue(toA.out().contains("not delivered now (its agent takes no live input (agent.command is not Claude"
                    + " Code, or agent.live-input is false)); kept for its next attempt"), toA.out());
            assertEquals(ExitCodes.BAD_INPUT, unknown.exitCode());
            assertTrue(unknown.err().contains("no task 'nope' in run"), unknown.err());
            assertEquals(ExitCodes.BAD_INPUT, empty.exitCode());
            assertTrue(empty.err().contains("the message is empty"), empty.err());
            assertEquals(0, Invocation.troupe("stop", "-C", repo.dir().toString()).exitCode());
            Files.writeString(go, "");
            assertTrue(troupe.waitFor(60, TimeUnit.SECONDS), "the run ends once a is merged");
        } finally {
            troupe.destroyForcibly();
        }
        assertEquals(130, troupe.exitValue(), Files.readString(tmp.resolve("run.out")));
        assertFalse(Files.exists(argv), "b never ran before the stop");
        assertEquals(List.of("b", "a"), Journals.ofType(journal(runs), "task-told").stream()
                .map(e -> e.path("task").asText()).toList());

        Invocation resumed = Invocation.troupe("resume", "-C", repo.dir().toString());

        assertEquals(0, resumed.exitCode(), resumed.out() + resumed.err());
        String bSaw = Files.readString(argv);
        assertTrue(bSaw.contains("told this task:") && bSaw.contains("- Use British spelling."), bSaw);
        assertFalse(bSaw.contains("Hurry up."), "a's message is a's");
        Invocation late = Invocation.troupe("tell", "-C", repo.dir().toString(), "b", "Too late.");
        assertEquals(ExitCodes.BAD_INPUT, late.exitCode());
        assertTrue(late.err().contains("no live run in " + repo.dir() + ": nothing to tell"), late.err());
        Invocation report = Invocation.troupe("report", "-C", repo.dir().toString());
        assertEquals(0, report.exitCode(), report.err());
        String page = Files.readString(onlyRun(runs).resolve("report.html"));
        assertTrue(page.contains("told with troupe tell</span>Use British spelling."), "b's transcript shows it");
        assertTrue(page.contains("while it ran: only a later attempt hears it</span>Hurry up."), "a's transcript shows it");
    }

    /** {@code troupe run} in a JVM of its own, on a team of one fake agent doing {@code tasks} (YAML). */
    private Process startRun(TestRepo repo, String tasks) throws java.io.IOException {
        Path goal = tmp.resolve("goal.yaml");
        Files.writeString(goal, "goal: test\nrepo: " + repo.dir() + "\nteam: {size: 1, stagger: 0ms}\n"
                + "agent:\n  command: " + FakeAgent.yamlCommand() + "\n  isolate-config: true\n"
                + "tasks:\n" + tasks);
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        return new ProcessBuilder(javaBin.toString(), "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "run", goal.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("run.out").toFile()).start();
    }

    private static Path onlyRun(Path runs) throws java.io.IOException {
        try (var dirs = Files.list(runs)) {
            return dirs.findFirst().orElseThrow();
        }
    }

    @Test
    void withNoLiveRunThereIsNothingToStop() {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hello\n"));

        Invocation stop = Invocation.troupe("stop", "-C", repo.dir().toString());

        assertEquals(ExitCodes.BAD_INPUT, stop.exitCode());
        assertTrue(stop.err().contains("no live run in " + repo.dir() + ": nothing to stop"), stop.err());
    }

    private static List<JsonNode> journal(Path runs) {
        try (var dirs = Files.list(runs)) {
            Path events = dirs.findFirst().orElseThrow().resolve("events.jsonl");
            return Files.exists(events) ? Journals.read(events) : List.of();
        } catch (java.io.IOException | java.util.NoSuchElementException notYet) {
            return List.of();
        }
    }
}
