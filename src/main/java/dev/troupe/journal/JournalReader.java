package dev.troupe.journal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads a run's {@code events.jsonl}, live or dead. A last line cut short by a crash is expected and left out;
 * any other unreadable line is left out too and counted, so that one bad line never makes a run unreadable.
 */
public final class JournalReader {

    /**
     * The events, how many lines could not be read (besides a torn last line), and the time of the journal's last
     * readable line, agent output included (empty when it has none).
     */
    public record Read(List<TeamEvent> events, int unreadable, boolean tornLastLine, Optional<Instant> lastTime) {}

    // Unknown properties are skipped: a journal written by a newer troupe stays readable.
    private static final ObjectReader READER = Json.MAPPER.readerFor(TeamEvent.class)
            .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private JournalReader() {}

    /** One journal line, or empty when it is not a readable event (a torn line, say). */
    public static Optional<TeamEvent> parse(String line) {
        try {
            return line.isBlank() ? Optional.empty() : Optional.of(READER.readValue(line));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * The journal's events but the agents' output lines, read as a stream: a journal of a gigabyte of agent output
     * costs a scan, not its size in memory. What the team decided (and so {@link RunHistory}) is all there. Bytes
     * that are not UTF-8 (a line torn mid-character by a crash) are read as U+FFFD, never as an error.
     */
    public static Read decisions(Path file) throws IOException {
        List<TeamEvent> events = new ArrayList<>();
        int unreadable = 0;
        boolean torn = false;
        Instant lastTime = null;
        try (BufferedReader reader = lenientReader(file)) {
            String line = reader.readLine();
            while (line != null) {
                String next = reader.readLine();
                if (line.startsWith(Journal.AGENT_OUTPUT_START)) {
                    lastTime = outputTime(line).orElse(lastTime);
                } else if (!line.isBlank()) {
                    try {
                        TeamEvent event = READER.readValue(line);
                        events.add(event);
                        lastTime = event.time();
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
        return new Read(List.copyOf(events), unreadable, torn, Optional.ofNullable(lastTime));
    }

    /**
     * Reads {@code file} as UTF-8, taking bytes that are not (a line torn mid-character) as U+FFFD: a run's files
     * are shown, never refused.
     */
    public static BufferedReader lenientReader(Path file) throws IOException {
        return lenientReader(file, 0);
    }

    /**
     * The same from byte {@code from} on; from inside the file, its first line is the rest of a line and is skipped.
     */
    public static BufferedReader lenientReader(Path file, long from) throws IOException {
        InputStream in = Files.newInputStream(file);
        try {
            in.skipNBytes(from);
            if (from > 0) {
                for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
                    // The rest of a line begun before.
                }
            }
        } catch (IOException e) {
            in.close();
            throw e;
        }
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE)));
    }

    /** The time of an agent-output line, read off its start (the journal writes {@code time} first). */
    private static Optional<Instant> outputTime(String line) {
        int start = Journal.AGENT_OUTPUT_START.length();
        int end = line.indexOf('"', start);
        try {
            return end < 0 ? Optional.empty() : Optional.of(Instant.parse(line.substring(start, end)));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
