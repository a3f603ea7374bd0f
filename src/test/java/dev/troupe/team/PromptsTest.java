package dev.troupe.team;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
