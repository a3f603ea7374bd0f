package dev.troupe.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.journal.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The demo agent's stdin with {@code --input-format stream-json}: read on a thread of its own into a queue, so that
 * a message arrives while the agent works or sleeps. The queue is unbounded: a line is never dropped and the reader
 * never waits for the agent. Reading stops at the end of stdin ({@link End}) or at a line that is not a JSON object
 * ({@link Unreadable}, on which the CLI exits); a JSON line of a type it does not know is skipped, as the CLI does.
 */
final class DemoInbox {

    /** What came in on stdin. */
    sealed interface Input permits Said, Interrupt, Unreadable, End {}

    /** A user message, under the uuid it was written with. */
    record Said(String text, String uuid) implements Input {}

    /** A {@code control_request} to interrupt the turn under way. */
    record Interrupt(String requestId) implements Input {}

    /** A line that is not a JSON object; nothing is read after it. */
    record Unreadable(String line, String why) implements Input {}

    /** Stdin was closed. */
    record End() implements Input {}

    private final BlockingQueue<Input> queue = new LinkedBlockingQueue<>();

    private DemoInbox() {}

    /** Starts reading {@code stdin} on a daemon thread, which ends with it. */
    static DemoInbox reading(InputStream stdin) {
        DemoInbox inbox = new DemoInbox();
        Thread reader = new Thread(() -> inbox.readAll(stdin), "demo-stdin");
        reader.setDaemon(true);
        reader.start();
        return inbox;
    }

    /** The next input, waiting for it as long as it takes. */
    Input take() throws InterruptedException {
        return queue.take();
    }

    /** The next input, if one comes within {@code nanos}. */
    Optional<Input> poll(long nanos) throws InterruptedException {
        return Optional.ofNullable(queue.poll(nanos, TimeUnit.NANOSECONDS));
    }

    private void readAll(InputStream stdin) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                Optional<Input> input = read(line);
                input.ifPresent(queue::add);
                if (input.orElse(null) instanceof Unreadable) {
                    return;
                }
            }
        } catch (IOException broken) {
            // A broken stdin ends the conversation as a closed one does.
        }
        queue.add(new End());
    }

    /** What one line of stdin says; empty for a blank line or a JSON line of a type it does not know. */
    static Optional<Input> read(String line) {
        if (line.isBlank()) {
            return Optional.empty();
        }
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            return Optional.of(new Unreadable(line, e.getOriginalMessage()));
        }
        if (node == null || !node.isObject()) {
            return Optional.of(new Unreadable(line, "not a JSON object"));
        }
        return switch (node.path("type").asText("")) {
            case "user" -> Optional.of(new Said(text(node.path("message").path("content")),
                    node.path("uuid").asText(UUID.randomUUID().toString())));
            case "control_request" -> "interrupt".equals(node.path("request").path("subtype").asText(""))
                    ? Optional.of(new Interrupt(node.path("request_id").asText(""))) : Optional.empty();
            default -> Optional.empty();
        };
    }

    /** A message's content: a string, or the text of its text blocks. */
    private static String text(JsonNode content) {
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode block : content) {
            if ("text".equals(block.path("type").asText())) {
                text.append(text.isEmpty() ? "" : "\n").append(block.path("text").asText());
            }
        }
        return text.toString();
    }
}
