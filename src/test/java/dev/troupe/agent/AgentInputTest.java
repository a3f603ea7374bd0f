package dev.troupe.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.journal.Json;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What troupe writes to an agent that takes live input, through a real pipe to a real process ({@code cat}, which
 * gives back each line as it came): one JSON line a message, whatever it holds, in the order sent.
 */
class AgentInputTest {

    @TempDir
    Path tmp;

    @Test
    void everyMessageIsOneJsonLineThatReadsBackAsWrittenWhateverItHolds() throws Exception {
        String text = "line one\nline \"two\"\r\n\ttab \\ backslash \u0000 nul, \u2028 separator, ünï 🎉 日本";
        String big = "x".repeat(1 << 20) + "\n" + text;
        String line = AgentInput.userMessage(text, "id-1");

        assertFalse(line.contains("\n") || line.contains("\r"), line);
        JsonNode read = Json.MAPPER.readTree(line);
        assertEquals("user", read.path("type").asText());
        assertEquals("user", read.path("message").path("role").asText());
        assertEquals(text, read.path("message").path("content").asText());
        assertEquals("id-1", read.path("uuid").asText());
        JsonNode interrupt = Json.MAPPER.readTree(AgentInput.interrupt("r-1"));
        assertEquals("control_request", interrupt.path("type").asText());
        assertEquals("interrupt", interrupt.path("request").path("subtype").asText());
        assertEquals("r-1", interrupt.path("request_id").asText());

        AgentProcess cat = AgentProcess.start(List.of("cat"), tmp, Map.of(), tmp.resolve("stderr"), true);
        try {
            AgentInput input = cat.input().orElseThrow();
            // A megabyte fills the pipe many times over: cat must be read while it is written.
            input.send(AgentInput.userMessage(big, "big"));
            for (int i = 0; i < 50; i++) {
                input.send(AgentInput.userMessage("message " + i, "m-" + i));
            }
            input.close();
            List<JsonNode> echoed = new ArrayList<>();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(cat.stdout(), StandardCharsets.UTF_8))) {
                for (String echo = out.readLine(); echo != null; echo = out.readLine()) {
                    echoed.add(Json.MAPPER.readTree(echo));
                }
            }

            assertEquals(51, echoed.size(), "one line a message");
            assertEquals(big, echoed.get(0).path("message").path("content").asText());
            for (int i = 0; i < 50; i++) {
                assertEquals("m-" + i, echoed.get(i + 1).path("uuid").asText(), "in the order sent");
            }
            assertEquals(0, cat.exit().get(30, TimeUnit.SECONDS), "closing the input ends it");
            assertTrue(input.isClosed());
        } finally {
            cat.stopNow(Duration.ofSeconds(1));
        }
    }

    @Test
    void aProcessWithoutLiveInputHasNone() throws Exception {
        AgentProcess process = AgentProcess.start(List.of("cat"), tmp, Map.of(), tmp.resolve("stderr"), false);
        assertTrue(process.input().isEmpty());
        assertEquals(0, process.exit().get(30, TimeUnit.SECONDS), "its stdin is closed: cat ends at once");
    }
}
