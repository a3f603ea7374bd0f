package dev.troupe.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.agent.StreamJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal's lines: agent output written as printed, and read past without being parsed. */
class JournalLinesTest {

    private static final Instant T = Instant.parse("2026-11-21T10:00:00.123456789Z");

    @TempDir
    Path tmp;

    @Test
    void anAgentsJsonLineIsJournaledAsPrintedAndReadsBackAsTheMapperWouldWriteIt() throws IOException {
        String printed = "{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":\"text\",\"text\":\"caf\u00e9 \\\"quoted\\\" \\u2028\"}]},"
                + "\"n\":1.50,\"big\":12345678901234567890}";
        JsonNode tree = Json.MAPPER.readTree(printed);
        TeamEvent.AgentOutput asPrinted = TeamEvent.AgentOutput.unparsed(T, "task \"one\"", 2, printed);
        TeamEvent.AgentOutput asTree = new TeamEvent.AgentOutput(T, "task \"one\"", 2, tree, null, false);

        String written = Journal.toJson(asPrinted);

        assertTrue(written.contains("\"line\":" + printed), "the agent's own text: " + written);
        assertEquals(Json.MAPPER.readTree(Journal.toJson(asTree)), Json.MAPPER.readTree(written),
                "the same event as the mapper writes it");
        assertTrue(written.startsWith("{\"type\":\"agent-output\",\"time\":\"2026-11-21T10:00:00.123456789Z\","), written);
        TeamEvent.AgentOutput read = (TeamEvent.AgentOutput) JournalReader.parse(written).orElseThrow();
        assertEquals(tree, read.line());
        assertEquals(tree, asPrinted.json(), "parsed when asked");
        assertEquals("task \"one\"", read.task());
    }

    @Test
    void anAgentLinesTimeIsWrittenAsTheMapperWritesAnInstant() throws IOException {
        Journal.InstantText text = new Journal.InstantText();
        List<Instant> times = List.of(T, T.plusNanos(1), T.plusMillis(1), T.plusNanos(877_000), T.minusNanos(123_456_789),
                T.minusNanos(123_456_789).plusNanos(500_000_000), Instant.EPOCH, Instant.EPOCH.minusNanos(1),
                Instant.parse("+10000-01-01T00:00:00.000000010Z"), Instant.parse("1969-12-31T23:59:59.999Z"));
        for (Instant time : times) {
            String expected = Json.MAPPER.writeValueAsString(time);
            assertEquals(expected, "\"" + text.append(new StringBuilder(), time) + "\"", time::toString);
        }
    }

    @Test
    void aViewThatFailsDoesNotStopTheJournal() throws Exception {
        ActorTestKit kit = ActorTestKit.create();
        try {
            Path path = tmp.resolve("events.jsonl");
            List<TeamEvent> shown = new CopyOnWriteArrayList<>();
            Journal journal = Journal.open(path, (event, json) -> {
                shown.add(event);
                if (shown.size() == 1) {
                    throw new IllegalStateException("a broken view");
                }
            }, kit.system());
            List<TeamEvent> events = List.of(TeamEvent.AgentOutput.unparsed(T, "a", 1, "{\"n\":1}"),
                    TeamEvent.AgentOutput.unparsed(T, "a", 1, "{\"n\":2}"), TeamEvent.AgentOutput.unparsed(T, "a", 1, "{\"n\":3}"));

            journal.appendAll(events.subList(0, 2)).toCompletableFuture().get(10, TimeUnit.SECONDS);
            journal.appendDurably(events.get(2)).toCompletableFuture().get(10, TimeUnit.SECONDS);
            journal.close().toCompletableFuture().get(10, TimeUnit.SECONDS);

            assertEquals(events, shown, "the view saw every event, the one it failed on included");
            assertEquals(3, Files.readAllLines(path).size(), "every event was written");
        } finally {
            kit.shutdownTestKit();
        }
    }

    @Test
    void decisionsSkipAgentOutputButKnowWhenTheLastLineWasWritten() throws IOException {
        Path journal = tmp.resolve("events.jsonl");
        TeamEvent start = new TeamEvent.RunStarted(T, "r", "g", "/repo", "main", "0123456", "troupe/r", 1, List.of("a"),
                null, false);
        TeamEvent output = new TeamEvent.AgentOutput(T.plusSeconds(30), "a", 1, Json.MAPPER.readTree("{\"type\":\"x\"}"),
                null, false, "{\"type\":\"x\"}");
        Files.writeString(journal, Journal.toJson(start) + "\n" + Journal.toJson(output) + "\n"
                + "{\"type\":\"task-queued\",\"ti");

        JournalReader.Read read = JournalReader.decisions(journal);

        assertEquals(List.of(start), read.events());
        assertEquals(Optional.of(T.plusSeconds(30)), read.lastTime());
        assertTrue(read.tornLastLine());
        assertEquals(0, read.unreadable());
    }

    @Test
    void aLongJournalReadsInItsOrderWithItsBadLineCountedAndItsTornLastLineNot() throws IOException {
        Path journal = tmp.resolve("events.jsonl");
        List<TeamEvent> written = new java.util.ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 9000; i++) {
            TeamEvent event = new TeamEvent.RunStarted(T.plusSeconds(i), "r" + i, "g", "/repo", "main", "0123456",
                    "troupe/r", 1, List.of("a"), null, false);
            written.add(event);
            text.append(Journal.toJson(event)).append('\n');
            if (i % 100 == 0) {
                text.append(Journal.toJson(new TeamEvent.AgentOutput(T.plusSeconds(i), "a", 1,
                        Json.MAPPER.readTree("{\"type\":\"x\"}"), null, false, "{\"type\":\"x\"}"))).append('\n');
            }
            if (i == 5000) {
                text.append("{\"type\":\"run-started\",\"broken\n\n");
            }
        }
        Files.writeString(journal, text + "{\"type\":\"task-queued\",\"ti");

        JournalReader.Read read = JournalReader.decisions(journal);

        assertEquals(written, read.events(), "every event, in the journal's order");
        assertEquals(1, read.unreadable());
        assertTrue(read.tornLastLine());
        assertEquals(Optional.of(T.plusSeconds(8999)), read.lastTime());
    }

    /** An assistant line whose JSON nests {@code depth} deep ({@code {}} is 1). */
    private static String nested(int depth) {
        return "{\"type\":\"assistant\",\"deep\":" + "[".repeat(depth - 1) + "]".repeat(depth - 1) + "}";
    }

    @Test
    void aLineAsDeepAsTroupeTakesFromAnAgentIsWrittenIntoTheJournalAndReadsBack() throws IOException {
        String deepest = nested(Json.AGENT_LINE_DEPTH);
        assertEquals(Optional.of("assistant"), StreamJson.objectType(deepest), "taken as a JSON object");
        JsonNode tree = StreamJson.decode(deepest).json();
        assertNotNull(tree);

        // As printed, and from its tree (a line holding a control character is written from it).
        for (TeamEvent.AgentOutput said : List.of(TeamEvent.AgentOutput.unparsed(T, "a", 1, deepest),
                new TeamEvent.AgentOutput(T, "a", 1, tree, null, false))) {
            String written = Journal.toJson(said);
            TeamEvent.AgentOutput read = (TeamEvent.AgentOutput) JournalReader.parse(written)
                    .orElseThrow(() -> new AssertionError("the journal line does not read back"));
            assertEquals(tree, read.line());
        }
    }

    @Test
    void aLineOneLevelDeeperIsTakenAsTextAndReadsBack() {
        String deeper = nested(Json.AGENT_LINE_DEPTH + 1);
        assertEquals(Optional.empty(), StreamJson.objectType(deeper));
        StreamJson.Line decoded = StreamJson.decode(deeper);
        assertNull(decoded.json());

        String written = Journal.toJson(new TeamEvent.AgentOutput(T, "a", 1, null, decoded.text(), false));

        assertEquals(deeper, ((TeamEvent.AgentOutput) JournalReader.parse(written).orElseThrow()).text());
    }
}
