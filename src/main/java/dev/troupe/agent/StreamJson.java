package dev.troupe.agent;

import akka.NotUsed;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Framing;
import akka.stream.javadsl.FramingTruncation;
import akka.util.ByteString;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.troupe.journal.Json;
import java.nio.charset.StandardCharsets;

/** Decoding of Claude Code's {@code --output-format stream-json}: newline-delimited JSON objects. */
public final class StreamJson {

    /**
     * One decoded line: the JSON object when it is one ({@code json} non-null), else the raw text, and what it
     * means to a worker.
     */
    public record Line(JsonNode json, String text, AgentMessage message) {}

    /** Reads exactly one JSON value: a line with more after its object is not a stream-json line. */
    private static final ObjectReader READER =
            Json.MAPPER.readerFor(JsonNode.class).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private StreamJson() {}

    /** Splits bytes into lines (the last one may lack its newline); a line over {@code maxLineBytes} fails the stream. */
    public static Flow<ByteString, ByteString, NotUsed> lines(int maxLineBytes) {
        return Framing.delimiter(ByteString.fromString("\n"), maxLineBytes, FramingTruncation.ALLOW);
    }

    public static Line decode(ByteString bytes) {
        return decode(bytes.decodeString(StandardCharsets.UTF_8));
    }

    public static Line decode(String line) {
        String trimmed = line.strip();
        if (trimmed.startsWith("{")) {
            try {
                JsonNode json = READER.readValue(trimmed);
                if (json != null && json.isObject()) {
                    return new Line(json, null, AgentMessage.of(json));
                }
            } catch (JsonProcessingException notJson) {
                // Falls through: recorded as text.
            }
        }
        return new Line(null, line, new AgentMessage.NotJson());
    }
}
