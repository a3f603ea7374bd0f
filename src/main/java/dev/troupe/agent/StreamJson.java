package dev.troupe.agent;

import akka.NotUsed;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.troupe.journal.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decoding of an agent's JSON lines (Claude Code's {@code --output-format stream-json}, and the other CLIs' like
 * it): newline-delimited JSON objects, each read by the agent's {@link AgentReader}.
 */
public final class StreamJson {

    /**
     * One decoded line: the JSON object when it is one ({@code json} non-null), else the raw text, and what it
     * means to a worker.
     */
    public record Line(JsonNode json, String text, AgentMessage message) {

        /** A line kept as text, whatever it holds. */
        public static Line text(String text) {
            return new Line(null, text, new AgentMessage.NotJson());
        }
    }

    /** Reads exactly one JSON value: a line with more after its object is not a stream-json line. */
    private static final ObjectReader READER =
            Json.AGENT_LINES.readerFor(JsonNode.class).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** The longest string value the mapper reads (Jackson's {@code StreamReadConstraints}). */
    private static final int LONGEST_STRING =
            Json.AGENT_LINES.getFactory().streamReadConstraints().getMaxStringLength();

    private StreamJson() {}

    /** One line of output; {@code truncated}: it was longer than the cap and only its start is kept. */
    public record RawLine(ByteString bytes, boolean truncated) {}

    private static final ByteString NEWLINE = ByteString.fromString("\n");

    /**
     * Splits bytes into lines (the last one may lack its newline). A line longer than {@code maxLineBytes} is cut
     * to that many bytes and the rest of it skipped, so memory stays bounded whatever an agent prints. Empty
     * lines are dropped.
     */
    public static Flow<ByteString, RawLine, NotUsed> lines(int maxLineBytes) {
        return Flow.<ByteString>create()
                // A final newline lets the last line out even when the agent did not end it.
                .concat(Source.single(NEWLINE))
                .statefulMapConcat(() -> new Splitter(maxLineBytes)::split);
    }

    /** Keeps the start of the current line, at most the cap, and whether it overflowed. */
    private static final class Splitter {
        private final int max;
        private ByteString current = ByteString.emptyByteString();
        private boolean overflowed;

        Splitter(int max) {
            this.max = max;
        }

        List<RawLine> split(ByteString chunk) {
            List<RawLine> lines = new ArrayList<>();
            // The array itself: ByteString.indexOf boxes every byte it looks at.
            byte[] bytes = chunk.toArrayUnsafe();
            int start = 0;
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] == '\n') {
                    append(chunk.slice(start, i));
                    if (!current.isEmpty() || overflowed) {
                        lines.add(new RawLine(current, overflowed));
                    }
                    current = ByteString.emptyByteString();
                    overflowed = false;
                    start = i + 1;
                }
            }
            append(chunk.slice(start, chunk.size()));
            return lines;
        }

        private void append(ByteString part) {
            int room = max - current.size();
            if (part.size() > room) {
                current = current.concat(part.take(room)).compact();
                overflowed = true;
            } else if (!part.isEmpty()) {
                current = current.concat(part);
            }
        }
    }

    /**
     * A JSON line as the journal may write it as printed (trimmed): not when it holds a control character, since
     * JSON allows a carriage return between tokens and a reader of lines would split the journal's line there.
     */
    public static Optional<String> verbatim(String jsonLine) {
        String trimmed = jsonLine.strip();
        for (int i = 0; i < trimmed.length(); i++) {
            if (trimmed.charAt(i) < 0x20) {
                return Optional.empty();
            }
        }
        return Optional.of(trimmed);
    }

    /**
     * The {@code type} of a line that is exactly one JSON object (its last string {@code type}, {@code ""} if none),
     * found by reading its tokens without building its tree; empty when the line is not one JSON object. Most of
     * an agent's lines are only journaled, and for those this is all the reading they need.
     */
    public static Optional<String> objectType(String line) {
        String trimmed = line.strip();
        if (!trimmed.startsWith("{")) {
            return Optional.empty();
        }
        if (trimmed.length() > LONGEST_STRING) {
            // Skipping a string does not hold it to the parser's limit on string length; building the tree does.
            JsonNode json = decode(trimmed).json();
            return json == null ? Optional.empty() : Optional.of(json.path("type").isTextual() ? json.path("type").asText() : "");
        }
        try (JsonParser parser = Json.AGENT_LINES.getFactory().createParser(trimmed)) {
            parser.nextToken();
            String type = "";
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                boolean isType = "type".equals(parser.currentName());
                JsonToken value = parser.nextToken();
                if (isType && value == JsonToken.VALUE_STRING) {
                    type = parser.getText();
                } else {
                    // Skipping still reads every token, so a broken value is found.
                    parser.skipChildren();
                }
            }
            return parser.nextToken() == null ? Optional.of(type) : Optional.empty();
        } catch (IOException notOneObject) {
            return Optional.empty();
        }
    }

    public static Line decode(ByteString bytes) {
        return decode(bytes.decodeString(StandardCharsets.UTF_8));
    }

    /** A line of Claude Code's. */
    public static Line decode(String line) {
        return decode(line, ClaudeKind.READER);
    }

    public static Line decode(String line, AgentReader reader) {
        String trimmed = line.strip();
        if (trimmed.startsWith("{")) {
            try {
                JsonNode json = READER.readValue(trimmed);
                if (json != null && json.isObject()) {
                    return new Line(json, null, reader.read(json));
                }
            } catch (JsonProcessingException notJson) {
                // Falls through: recorded as text.
            }
        }
        return Line.text(line);
    }
}
