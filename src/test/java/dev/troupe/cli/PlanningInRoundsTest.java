package dev.troupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.testing.Await;
import dev.troupe.testing.FakeAgent;
import dev.troupe.testing.Journals;
import dev.troupe.testing.TestRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code plan: {rounds: N}} end to end, through {@code troupe run} and {@code troupe resume}: real repositories, the
 * built-in demo agent as a planner that plans round after round, the fake agent where a run must be stopped.
 */
class PlanningInRoundsTest {

    @TempDir
    Path tmp;

    /** Three rounds of steps for the demo planner, which says the goal is met when asked for a fourth. */
    private static final String THREE_ROUNDS = """
            goal: |
              Greet in rounds.
              Round 1:
              - Write "Hello" into greetings/en.txt.
              Round 2:
              - Write "Bonjour" into greetings/fr.txt.
              - Write "Hello again" into greetings/en.txt.
              Round 3:
              - Add "See greetings/." to README.md.
            team: {size: 2, stagger: 10ms}
            agent: {command: [demo]}
            """;

    @Test
    void aGoalPlannedInThreeRoundsEndsWhenThePlannerSaysItIsMet() throws IOException {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hello\n"));
        Path goal = goal(repo, THREE_ROUNDS + "plan: {rounds: 5}\n");

        Invocation run = Invocation.troupe("run", goal.toString());

        assertEquals(0, run.exitCode(), run.out() + run.err());
        Path runDir = onlyRun(repo);
        List<JsonNode> events = Journals.read(runDir.resolve("events.jsonl"));
        assertEquals(List.of(1, 2, 3, 4), ints(Journals.ofType(events, "plan-started"), "round"),
                "the planner is asked after each round, and a fourth time to judge");
        List<JsonNode> made = Journals.ofType(events, "plan-made");
        assertEquals(List.of(1, 2, 3), ints(made, "round"));
        assertEquals(List.of("[\"en\"]", "[\"fr\",\"en-2\"]", "[\"readme\"]"),
                made.stream().map(e -> e.path("tasks").toString()).toList(), "a later round never reuses an id");
        JsonNode met = Journals.ofType(events, "goal-met").get(0);
        assertEquals(3, met.path("round").asInt());
        assertTrue(met.path("summary").asText().contains("The goal is met"), met.toString());
        String branch = "troupe/" + runDir.getFileName();
        List<String> merged = repo.mergedTasks(branch);
        assertEquals(List.of("en", "en-2", "fr", "readme"), merged.stream().sorted().toList());
        assertEquals("en", merged.get(0));
        assertEquals("readme", merged.get(3), "round 3 starts once round 2 is merged");
        assertEquals("Hello\nHello again", repo.show(branch, "greetings/en.txt"));
        assertTrue(Files.readString(runDir.resolve("plan.yaml")).contains("id: en-2"), "the plan holds every round");
        assertEquals(0, Invocation.troupe("validate", runDir.resolve("plan.yaml").toString()).exitCode());
        assertTrue(run.err().contains("the planner says the goal is met after 3 rounds"), run.err());
        assertTrue(run.out().contains("The planner says the goal is met: The goal is met: 3 rounds"), run.out());
        String plan = Files.readString(runDir.resolve("plan.md"));
        assertTrue(plan.contains("## Round 2\n\nThe planner: Round 2 of the goal's steps: fr, en-2.\n\n"
                + "| task | after | state | attempts | cost | note |"), plan);
        assertTrue(plan.contains("| en-2 |  | merged |"), plan);
        assertTrue(plan.contains("**The goal is met**, the planner says after 3 rounds: The goal is met"), plan);
        assertEquals(0, Invocation.troupe("report", "-C", repo.dir().toString()).exitCode());
        String html = Files.readString(runDir.resolve("report.html"));
        assertTrue(html.contains("<tr id=\"round-3\"><td>3</td><td>Round 3 of the goal&#39;s steps: readme.</td>"), html);
        assertTrue(html.contains("href=\"#task-en-2\""), "the report groups the tasks by round");
    }

    @Test
    void theRoundsBoundEndsTheRunAfterTheLastRoundWithoutAskingThePlannerAgain() throws IOException {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hello\n"));
        Path goal = goal(repo, THREE_ROUNDS + "plan: {rounds: 2}\n");
        Invocation validate = Invocation.troupe("validate", goal.toString());
        assertTrue(validate.out().contains("valid: no tasks: the planner makes them from the goal text, in up to 2 rounds"),
                validate.out() + validate.err());

        Invocation run = Invocation.troupe("run", goal.toString());

        assertEquals(0, run.exitCode(), "every task of the two rounds merged: " + run.out() + run.err());
        Path runDir = onlyRun(repo);
        List<JsonNode> events = Journals.read(runDir.resolve("events.jsonl"));
        assertEquals(List.of(1, 2), ints(Journals.ofType(events, "plan-started"), "round"));
        assertEquals(0, Journals.ofType(events, "goal-met").size());
        String branch = "troupe/" + runDir.getFileName();
        assertEquals(3, repo.mergedTasks(branch).size());
        assertEquals("hello", repo.show(branch, "README.md"), "round 3 was never planned");
    }

    @Test
    void aRunStoppedBetweenRoundsAndAgainMidRoundIsResumedIntoTheRightRound() throws Exception {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hello\n"));
        Path go = tmp.resolve("go");
        Path go2 = tmp.resolve("go2");
        Path plannerArgs = tmp.resolve("planner-args.txt");
        // The fake planner: the first time, round 2 (b, which waits for go2, and c after it); then the goal is met.
        String roundTwo = "{\"met\": false, \"summary\": \"a is in; b and c finish it\", \"tasks\": ["
                + "{\"id\": \"b\", \"prompt\": \"write b.txt 2\\nrun while [ ! -e " + go2 + " ]; do sleep 0.05; done\"},"
                + "{\"id\": \"c\", \"prompt\": \"write c.txt 3\", \"after\": [\"b\"]}]}";
        Path goal = goal(repo, "goal: |\n  Write three files in rounds.\n"
                + "  answer {\"met\": true, \"summary\": \"a, b and c are written\", \"tasks\": []}\n"
                + "  answer-once " + tmp.resolve("planned-once") + " " + roundTwo + "\n"
                + "  consult-argv " + plannerArgs + "\n"
                + "plan: {rounds: 3}\nteam: {size: 1, stagger: 0ms}\n"
                + "agent:\n  command: " + FakeAgent.yamlCommand() + "\n  isolate-config: true\n"
                + "tasks:\n  - id: a\n    prompt: |\n      write a.txt 1\n      run while [ ! -e " + go + " ]; do sleep 0.05; done\n");
        Path runs = repo.dir().resolve(".troupe/runs");

        Process first = start(goal, "run", goal.toString());
        try {
            Await.until(() -> count(runs, "agent-started") == 1, "a's agent is at work");
            assertEquals(0, Invocation.troupe("stop", "-C", repo.dir().toString()).exitCode());
            Files.writeString(go, "");
            assertTrue(first.waitFor(60, TimeUnit.SECONDS), "the run ends once round 1 is merged");
        } finally {
            first.destroyForcibly();
        }
        String stopped = Files.readString(tmp.resolve("run.out"));
        assertEquals(130, first.exitValue(), stopped);
        assertTrue(stopped.contains("Stopped by troupe stop between two rounds"), stopped);
        assertEquals(0, count(runs, "plan-started"), "stopped between rounds: round 2 was not planned");
        assertEquals(1, count(runs, "run-stopped"));

        Process second = start(goal, "resume", "-C", repo.dir().toString());
        try {
            Await.until(() -> count(runs, "plan-made") == 1 && count(runs, "agent-started") == 3,
                    "round 2 is planned and b's agent is at work");
            assertEquals(0, Invocation.troupe("stop", "-C", repo.dir().toString()).exitCode());
            Files.writeString(go2, "");
            assertTrue(second.waitFor(60, TimeUnit.SECONDS), "the run ends once b is merged, c not started");
        } finally {
            second.destroyForcibly();
        }
        assertEquals(130, second.exitValue(), Files.readString(tmp.resolve("run.out")));
        String runId = onlyRun(repo).getFileName().toString();
        assertEquals(List.of("a", "b"), repo.mergedTasks("troupe/" + runId));

        Invocation last = Invocation.troupe("resume", "-C", repo.dir().toString());

        assertEquals(0, last.exitCode(), last.out() + last.err());
        assertEquals(List.of("a", "b", "c"), repo.mergedTasks("troupe/" + runId), "c, of round 2, is known to resume");
        List<JsonNode> events = Journals.read(onlyRun(repo).resolve("events.jsonl"));
        assertEquals(List.of(2, 3), ints(Journals.ofType(events, "plan-started"), "round"),
                "round 2 was planned once, and the planner asked after it for round 3");
        assertEquals(2, Journals.ofType(events, "goal-met").get(0).path("round").asInt());
        String lastPrompt = String.join("\n", Files.readAllLines(plannerArgs));
        assertTrue(lastPrompt.contains("Round 2 (planned as: a is in; b and c finish it):"), lastPrompt);
        assertTrue(lastPrompt.contains("- c: merged."), lastPrompt);
        assertTrue(lastPrompt.contains("c.txt | 1 +"), "the diff stat since the run began: " + lastPrompt);
    }

    private Path goal(TestRepo repo, String yaml) throws IOException {
        Path file = tmp.resolve("goal.yaml");
        Files.writeString(file, "repo: " + repo.dir() + "\n" + yaml);
        return file;
    }

    /** {@code troupe ARGS} in a JVM of its own, its output in run.out. */
    private Process start(Path goal, String... args) throws IOException {
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new java.util.ArrayList<>(List.of(javaBin.toString(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(tmp.resolve("run.out").toFile())
                .start();
    }

    private static Path onlyRun(TestRepo repo) throws IOException {
        try (var dirs = Files.list(repo.dir().resolve(".troupe/runs"))) {
            return dirs.findFirst().orElseThrow();
        }
    }

    private static long count(Path runs, String type) {
        try (var dirs = Files.list(runs)) {
            Path events = dirs.findFirst().orElseThrow().resolve("events.jsonl");
            return Files.exists(events) ? Journals.ofType(Journals.readLive(events), type).size() : 0;
        } catch (IOException | java.util.NoSuchElementException notYet) {
            return 0;
        }
    }

    private static List<Integer> ints(List<JsonNode> events, String field) {
        return events.stream().map(e -> e.path(field).asInt()).toList();
    }
}
