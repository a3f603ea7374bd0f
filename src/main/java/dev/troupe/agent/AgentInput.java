package dev.troupe.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.journal.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * The stdin of an agent that takes live input (Claude Code's {@code --input-format stream-json}): one JSON object a
 * line, a {@code user} message or a {@code control_request}. Each line is built by Jackson, so whatever a message
 * holds (newlines, quotes, megabytes, any Unicode) it is one valid line: the CLI dies at once on a line that is not
 * JSON. Writing blocks while the pipe is full, so lines are written by a thread of the agent's own (a stuck agent
 * holds no thread others need), one after another in the order they were sent.
 */
public final class AgentInput {

    private final OutputStream stdin;
    private final ExecutorService writer;
    private volatile boolean closed;

    AgentInput(OutputStream stdin, long pid) {
        this.stdin = stdin;
        this.writer = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "troupe-agent-input-" + pid);
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * A user message: the CLI takes it in at the next step of the turn under way (or, idle, as a turn of its own)
     * and, with {@code --replay-user-messages}, echoes it under {@code uuid} when it does.
     */
    public static String userMessage(String text, String uuid) {
        ObjectNode line = Json.MAPPER.createObjectNode().put("type", "user");
        line.putObject("message").put("role", "user").put("content", text);
        line.putNull("parent_tool_use_id");
        line.put("uuid", uuid);
        return oneLine(line);
    }

    /** Ends the turn under way; the CLI answers with a {@code control_response} and the turn's (error) result. */
    public static String interrupt(String requestId) {
        ObjectNode line = Json.MAPPER.createObjectNode().put("type", "control_request").put("request_id", requestId);
        line.putObject("request").put("subtype", "interrupt");
        return oneLine(line);
    }

    private static String oneLine(ObjectNode line) {
        try {
            // Jackson escapes every control character in a string: the line holds no newline of its own.
            return Json.MAPPER.writeValueAsString(line);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON line", e);
        }
    }

    /**
     * Writes {@code line} (from {@link #userMessage} or {@link #interrupt}) after every line sent before it. Fails
     * when the agent's stdin is closed or broken (the agent has exited).
     */
    public CompletionStage<Void> send(String line) {
        return submit(() -> write(line));
    }

    private CompletionStage<Void> submit(Runnable step) {
        try {
            return CompletableFuture.runAsync(step, writer);
        } catch (RejectedExecutionException closedMeanwhile) {
            return CompletableFuture.failedFuture(new IOException("the agent's input is closed"));
        }
    }

    private void write(String line) {
        try {
            if (closed) {
                throw new IOException("the agent's input is closed");
            }
            stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Closes the agent's stdin once the lines sent so far are written: the CLI finishes the turn under way and
     * exits.
     */
    public CompletionStage<Void> close() {
        CompletionStage<Void> closing = submit(this::closeStream);
        writer.shutdown();
        return closing;
    }

    /**
     * Closes the agent's stdin now, whatever is still queued; called once the agent is gone (a write blocked on a
     * full pipe holds the stream until its reader is).
     */
    void abandon() {
        closeStream();
        writer.shutdownNow();
    }

    private void closeStream() {
        closed = true;
        try {
            stdin.close();
        } catch (IOException alreadyBroken) {
            // The agent is gone; nothing was left to say.
        }
    }

    public boolean isClosed() {
        return closed;
    }
}
