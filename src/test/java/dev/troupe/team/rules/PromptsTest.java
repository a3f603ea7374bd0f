package dev.troupe.team.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.journal.Json;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PromptsTest {

    @Test
    void aReviewersDiffIsCutToFitOneCommandLineArgumentWithoutSplittingACharacter() {
        String diff = "+" + "翻訳".repeat(100_000) + "\n";

        String prompt = Prompts.withDiff("Review this.", diff);

        int bytes = prompt.getBytes(StandardCharsets.UTF_8).length;
        assertTrue(bytes <= Prompts.MAX_PROMPT_BYTES, bytes + " bytes");
        assertTrue(prompt.contains("[... the diff goes on; read the changed files for the rest]"));
        assertEquals(-1, prompt.indexOf('\uFFFD'), "no character is split");
    }

    @Test
    void aJudgesDiffsShareOneCommandLineArgumentAndEachVariantKeepsItsPart() {
        String big = "+" + "é".repeat(80_000) + "\n";
        String prompt = Judging.withDiffs("Judge these.", new java.util.TreeMap<>(java.util.Map.of(1, big, 3, "+small\n")));

        assertTrue(prompt.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= Prompts.MAX_PROMPT_BYTES,
                "one argument: " + prompt.length());
        assertTrue(prompt.contains("<variant 1>") && prompt.contains("the diff goes on"), "variant 1 is cut");
        assertTrue(prompt.contains("<variant 3>\n```diff\n+small\n```\n</variant>"), "variant 3 whole");
        assertEquals("{\"type\":\"object\",\"additionalProperties\":false,\"required\":[\"winner\",\"reasons\"],"
                + "\"properties\":{\"winner\":{\"type\":\"integer\",\"enum\":[1,3],"
                + "\"description\":\"the number of the variant to merge\"},\"reasons\":{\"type\":\"string\","
                + "\"description\":\"why this variant, compared with the others\"}}}",
                Judging.schema(new java.util.TreeSet<>(java.util.Set.of(3, 1))), "only the variants that passed");
    }

    @Test
    void thePlannersTasksMayHearFromOtherTasksWhichItIsToldOf() throws Exception {
        for (String schema : java.util.List.of(Answers.PLAN_SCHEMA, Answers.ROUND_SCHEMA)) {
            JsonNode task = Json.MAPPER.readTree(schema).path("properties").path("tasks").path("items");
            JsonNode hears = task.path("properties").path("hears");

            assertEquals("array", hears.path("type").asText(), schema);
            assertEquals("string", hears.path("items").path("type").asText(), schema);
            assertTrue(hears.path("description").asText().contains("report and changed files"), schema);
            assertEquals(java.util.List.of("id", "prompt"),
                    java.util.List.of(Json.MAPPER.treeToValue(task.path("required"), String[].class)), "optional");
        }
        assertTrue(Prompts.plan("a goal", 2, null).contains("Use hears (ids of other tasks)"));
    }

    @Test
    void aShortDiffIsShownWhole() {
        String prompt = Prompts.withDiff("Review this.", "+hello\n");

        assertTrue(prompt.contains("```diff\n+hello\n```"), prompt);
    }

    @Test
    void cuttingToBytesKeepsWholeCharacters() {
        assertEquals("a", Prompts.cutToBytes("a€b", 3), "the euro sign needs 3 bytes, after a's 1");
        assertEquals("a€", Prompts.cutToBytes("a€b", 4));
        assertEquals("", Prompts.cutToBytes("😀", 3));
    }
}
