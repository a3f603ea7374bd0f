package dev.troupe.journal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a run's {@code events.jsonl}, live or dead. A last line cut short by a crash is expected and left out;
 * any other unreadable line is left out too and counted, so that one bad line never makes a run unreadable.
 */
public final class JournalReader {

    /** The events, and how many lines could not be read (besides a torn last line). */
    public record Read(List<TeamEvent> events, int unreadable, boolean tornLastLine) {}

    // Unknown properties are skipped: a journal written by a newer troupe stays readable.
    private static final ObjectReader READER = Json.MAPPER.readerFor(TeamEvent.class)
            .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private JournalReader() {}

    /** One journal line, or empty when it is not a readable event (a torn line, say). */
    public static java.util.Optional<TeamEvent> parse(String line) {
        try {
            return line.isBlank() ? java.util.Optional.empty() : java.util.Optional.of(READER.readValue(line));
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    /** How an agent-output line begins; such lines are most of a journal and say nothing of decisions. */
    private static final String AGENT_OUTPUT = "{\"type\":\"agent-output\"";

    /**
     * The journal's events but the agents' output lines, read as a stream: a journal of a gigabyte of agent output
     * costs a scan, not its size in memory. What the team decided (and so {@link RunHistory}) is all there.
     */
    public static Read decisions(Path file) throws IOException {
        List<TeamEvent> events = new ArrayList<>();
        int unreadable = 0;
        boolean torn = false;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line = reader.readLine();
            while (line != null) {
                String next = reader.readLine();
                if (!line.isBlank() && !line.startsWith(AGENT_OUTPUT)) {
                    try {
                        events.add(READER.readValue(line));
                    } catch (IOException e) {
                        if (next == null) {
                            torn = true;
                        } else {
                            unreadable++;
                        }
                    }
                }
                line = next;
            }
        }
        return new Read(List.copyOf(events), unreadable, torn);
    }
}
