package dev.troupe.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.journal.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads a run's journal ({@code events.jsonl}) the way a tool like jq would: one JSON object a line. */
public final class Journals {

    private Journals() {}

    public static List<JsonNode> read(Path eventsFile) {
        try {
            List<JsonNode> events = new ArrayList<>();
            for (String line : Files.readAllLines(eventsFile)) {
                events.add(Json.MAPPER.readTree(line));
            }
            return events;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The journal of a live run: its last line may be half written, and it may not exist yet. */
    public static List<JsonNode> readLive(Path eventsFile) {
        List<JsonNode> events = new ArrayList<>();
        if (!Files.exists(eventsFile)) {
            return events;
        }
        try {
            for (String line : Files.readAllLines(eventsFile)) {
                try {
                    events.add(Json.MAPPER.readTree(line));
                } catch (IOException torn) {
                    // The writer is mid-line.
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return events;
    }

    public static List<JsonNode> ofType(List<JsonNode> events, String type) {
        return events.stream().filter(e -> e.path("type").asText().equals(type)).toList();
    }
}
