package dev.troupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.journal.Json;
import dev.troupe.journal.JournalReader;
import dev.troupe.journal.TeamEvent;
import dev.troupe.testing.FakeAgent;
import dev.troupe.testing.TestRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What troupe makes of unusual agent lines in a real run, in its journal and the agent's output file: credentials
 * written with JSON escapes, and JSON nested as deep as troupe takes it and one level deeper.
 */
class AgentOutputTest {

    @TempDir
    Path tmp;

    /** Runs one task with the fake agent; returns the run's directory. */
    private Path run(String prompt) throws IOException {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hello\n"));
        Path goal = tmp.resolve("goal.yaml");
        Files.writeString(goal, "goal: test\nrepo: " + repo.dir() + "\nteam: {size: 1, stagger: 0ms}\n"
                + "agent:\n  command: " + FakeAgent.yamlCommand() + "\n  isolate-config: true\n"
                + "tasks:\n  - id: t\n    prompt: |\n" + prompt.indent(6) + "      write ok.txt fine\n");
        Invocation run = Invocation.troupe("run", goal.toString(), "--quiet");
        assertEquals(0, run.exitCode(), run.err());
        try (var runs = Files.list(repo.dir().resolve(".troupe/runs"))) {
            return runs.findFirst().orElseThrow();
        }
    }

    /** Every line of the journal, read back as troupe reads it; fails on any line it cannot read. */
    private static List<TeamEvent.AgentOutput> agentOutput(Path runDir) throws IOException {
        List<TeamEvent.AgentOutput> output = new ArrayList<>();
        for (String line : Files.readAllLines(runDir.resolve("events.jsonl"))) {
            TeamEvent event = JournalReader.parse(line).orElseThrow(() -> new AssertionError(
                    "a journal line does not read back: " + line.substring(0, Math.min(200, line.length()))));
            if (event instanceof TeamEvent.AgentOutput said) {
                output.add(said);
            }
        }
        return output;
    }

    @Test
    void aCredentialPrintedWithJsonEscapesIsMaskedInTheJournalAndTheOutputFile() throws IOException {
        String key = System.getenv("ANTHROPIC_API_KEY");
        assertTrue(key != null && key.length() > 16, "the pom gives the tests a key");

        Path runDir = run("env-escaped ANTHROPIC_API_KEY\nenv-escaped-all ANTHROPIC_API_KEY");

        List<String> stdouts = agentOutput(runDir).stream().map(TeamEvent.AgentOutput::json)
                .filter(json -> json != null && json.has("tool_use_result"))
                .map(json -> json.path("tool_use_result").path("stdout").asText()).toList();
        assertEquals(List.of("ANTHROPIC_API_KEY=[redacted]", "ANTHROPIC_API_KEY=[redacted]"), stdouts);
        for (String file : List.of("events.jsonl", "agents/t-1.jsonl")) {
            for (String line : Files.readAllLines(runDir.resolve(file))) {
                // Decoded, as any reader of the line sees it; and still JSON.
                JsonNode json = Json.MAPPER.readTree(line);
                assertFalse(json.toString().contains(key), file + ": " + line);
            }
        }
    }

    @Test
    void aLineAsDeepAsTroupeTakesIsJournaledAsJsonAndOneLevelDeeperAsTextAndBothReadBack() throws IOException {
        int deepest = Json.AGENT_LINE_DEPTH;

        // With a tab between its tokens a line is journaled from its tree, not as printed.
        Path runDir = run("deep " + deepest + "\ndeep-tab " + deepest + "\ndeep " + (deepest + 1));

        List<TeamEvent.AgentOutput> deep = agentOutput(runDir).stream()
                .filter(said -> said.line() != null ? said.line().has("deep") : said.text().contains("\"deep\""))
                .toList();
        assertEquals(3, deep.size(), "every deep line was journaled");
        for (TeamEvent.AgentOutput said : deep.subList(0, 2)) {
            assertEquals("assistant", said.line().path("type").asText(), "as JSON");
            assertEquals(deepest, depth(said.line()));
        }
        assertEquals(null, deep.get(2).line());
        assertTrue(deep.get(2).text().startsWith("{\"type\":\"assistant\",\"deep\":[["), "as text");
        assertFalse(deep.get(2).truncated());
    }

    /** How deep a tree nests ({@code {}} is 1); an array's first element only, as {@code deep} makes them. */
    private static int depth(JsonNode node) {
        int depth = 0;
        JsonNode at = node;
        while (at != null && at.isContainerNode()) {
            depth++;
            at = at.isObject() ? at.get("deep") : at.get(0);
        }
        return depth;
    }
}
