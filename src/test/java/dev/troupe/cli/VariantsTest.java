package dev.troupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.testing.Journals;
import dev.troupe.testing.TestRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Variants end to end on the built-in demo agent: several attempts at a task at once, each tried against the
 * integration head and sync.check without moving it, the winner picked by the judge and merged once, every variant
 * kept on its branch.
 */
class VariantsTest {

    @TempDir
    Path tmp;

    /** Three variants that write different lines: the first three lines, the second one, the third a TODO. */
    private static final String GREETING = """
              - id: greeting
                prompt: Write "Hello, world!" into greeting.txt.
                variants:
                  - append-system-prompt: "Write \\"Hello, world!\\nWelcome to the team.\\nHave a good day.\\" in full."
                  - append-system-prompt: "Write \\"Hello, world!\\" and nothing more."
                  - append-system-prompt: "Write \\"TODO: greet\\" for now."
            """;

    private TestRepo repo;

    private Path goal(String extra, String tasks) throws IOException {
        repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hello\n"));
        Path file = tmp.resolve("goal.yaml");
        Files.writeString(file, "goal: test\nrepo: " + repo.dir() + "\nagent:\n  command: [demo]\n"
                + "team:\n  size: 3\n  stagger: 10ms\nsync:\n  check: \"! grep -rq TODO --include='*.txt' .\"\n"
                + extra + "tasks:\n" + tasks);
        return file;
    }

    private String runId() {
        return repo.branches("troupe/*").stream().filter(b -> b.chars().filter(c -> c == '/').count() == 1)
                .findFirst().orElseThrow().substring("troupe/".length());
    }

    private List<JsonNode> events(String type) {
        return Journals.ofType(Journals.read(repo.dir().resolve(".troupe/runs/" + runId() + "/events.jsonl")), type);
    }

    @Test
    void aVariantFailingTheCheckIsOutAndTheJudgeChoosesBetweenTheOtherTwo() throws IOException {
        Path goal = goal("", GREETING);

        Invocation run = Invocation.troupe("run", goal.toString());

        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("[greeting] the judge compares variants"), run.err());
        assertTrue(run.err().contains("is out (check-failed)"), run.err());
        String integration = "troupe/" + runId();
        assertEquals(List.of("greeting"), repo.mergedTasks(integration), "the winner merged once");
        assertEquals("Hello, world!", repo.show(integration, "greeting.txt"), "the smaller change won");
        List<JsonNode> done = events("variant-done");
        assertEquals(3, done.size(), done.toString());
        assertEquals(3, events("task-assigned").stream().map(e -> e.path("worker").asText()).distinct().count(),
                "each variant on a worker of its own");
        JsonNode third = done.stream().filter(d -> d.path("variant").asInt() == 3).findFirst().orElseThrow();
        assertFalse(third.path("passed").asBoolean());
        assertEquals("check-failed", third.path("outcome").asText());
        assertTrue(third.path("reason").asText().contains("grep"), third.toString());
        List<JsonNode> judged = events("judge-started");
        assertEquals(1, judged.size(), "one judge for the two that passed");
        assertEquals(2, judged.get(0).path("candidates").size());
        JsonNode chosen = events("variant-chosen").get(0);
        assertEquals("agent", chosen.path("by").asText());
        int winner = chosen.path("winner").asInt();
        assertEquals(2, done.stream().filter(d -> d.path("attempt").asInt() == winner).findFirst().orElseThrow()
                .path("variant").asInt(), "the judge picked the variant with the smallest diff: " + chosen);
        assertTrue(chosen.path("reasons").asText().contains("smallest change"), chosen.toString());
        for (JsonNode variant : done) {
            String branch = "troupe/variants/" + runId() + "/greeting/" + variant.path("attempt").asInt();
            assertEquals(variant.path("commit").asText(), repo.git("rev-parse", branch).strip(), "kept on " + branch);
        }
        assertEquals("TODO: greet", repo.show("troupe/variants/" + runId() + "/greeting/"
                + third.path("attempt").asInt(), "greeting.txt"), "the variant that failed the check is kept too");
        assertTrue(Files.isRegularFile(repo.dir().resolve(".troupe/runs/" + runId() + "/agents/greeting-"
                + judged.get(0).path("attempt").asInt() + ".judge.jsonl")));
        assertEquals(1, events("merge-done").size());
        assertTrue(events("attempt-failed").isEmpty(), "one attempt, which passed");
        assertTrue(run.out().lines().anyMatch(line -> line.matches("\\s*greeting\\s+merged\\s+1\\s.*")),
                "the summary counts the round of three variants as one attempt: " + run.out());
        assertEquals(done.stream().map(d -> d.path("attempt").asInt()).sorted().toList(), events("check-started").stream()
                .filter(e -> e.path("trial").asBoolean()).map(e -> e.path("attempt").asInt()).sorted().toList(),
                "each variant's trial is a check of its own in the journal");
        assertEquals(List.of(1, 0, 0), events("check-done").stream().map(e -> e.path("exitCode").asInt()).sorted(
                java.util.Comparator.reverseOrder()).toList(), "the third failed it; the winner's tree is not checked again");

        Invocation results = Invocation.troupe("results", "--repo", repo.dir().toString());
        assertEquals(0, results.exitCode(), results.err());
        assertTrue(results.out().contains("Added \"Hello, world!\" to greeting.txt."), "the winner's report: " + results.out());
        assertTrue(results.out().contains("## Variants"), results.out());
        assertTrue(results.out().contains("check-failed"), results.out());
        assertTrue(results.out().contains("+3 -0") && results.out().contains("+1 -0"), "diff stats: " + results.out());
        assertTrue(results.out().contains("chosen by the judge") && results.out().contains("smallest change"),
                results.out());

        Invocation report = Invocation.troupe("report", "-C", repo.dir().toString());
        assertEquals(0, report.exitCode(), report.err());
        String html = Files.readString(repo.dir().resolve(".troupe/runs/" + runId() + "/report.html"));
        assertTrue(html.contains("<section id=\"variants\">") && html.contains("The judge chose variant " + winner),
                "the report shows the variants and the judge's choice");
        assertTrue(html.contains("greeting judge of variants"), "the judge's transcript is in the report");
    }

    @Test
    void withJudgeCheckTheFirstVariantThatPassedWinsWithoutAJudgeAgent() throws IOException {
        Path goal = goal("", GREETING.replace("variants:", "judge: check\n    variants:"));

        Invocation run = Invocation.troupe("run", goal.toString());

        assertEquals(0, run.exitCode(), run.err());
        assertTrue(events("judge-started").isEmpty());
        JsonNode chosen = events("variant-chosen").get(0);
        assertEquals("check", chosen.path("by").asText());
        assertEquals("Hello, world!\nWelcome to the team.\nHave a good day.",
                repo.show("troupe/" + runId(), "greeting.txt"), "variant 1 passed and is first: " + chosen);
        assertEquals(List.of("greeting"), repo.mergedTasks("troupe/" + runId()));
    }

    @Test
    void aBadVariantIsRefusedAtItsLineAndColumnWithExitTwoAndNothingMade() throws IOException {
        Path goal = goal("", """
                  - id: greeting
                    prompt: Write "Hello" into greeting.txt.
                    variants:
                      - model: opus
                      - temperature: 2
                """);

        Invocation run = Invocation.troupe("run", goal.toString());

        assertEquals(2, run.exitCode(), run.err());
        assertTrue(run.err().contains(goal + ":15:9: variant 2 of task 'greeting' has unknown key 'temperature'"),
                run.err());
        assertFalse(run.err().contains("Exception"), "no stack trace: " + run.err());
        assertFalse(Files.exists(repo.dir().resolve(".troupe/runs")), "nothing made");
    }
}
