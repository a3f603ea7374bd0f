package dev.troupe.journal;

import akka.Done;
import akka.actor.typed.ActorSystem;
import akka.japi.Pair;
import akka.stream.ActorAttributes;
import akka.stream.OverflowStrategy;
import akka.stream.QueueOfferResult;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.stream.javadsl.SourceQueueWithComplete;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The run's journal: one stream into which every producer (the team lead's decisions, every agent's output)
 * appends {@link TeamEvent}s, written in order to {@code events.jsonl} and shown to a listener (the console).
 * The queue in front of the writer is bounded and backpressures: {@link #append} completes only once the
 * event is queued, so a fast agent is slowed to the writer's pace and no event is ever dropped.
 */
public final class Journal {

    public static final String BLOCKING_DISPATCHER = "troupe.blocking-dispatcher";

    private final SourceQueueWithComplete<TeamEvent> queue;
    private final CompletionStage<Done> written;

    private Journal(SourceQueueWithComplete<TeamEvent> queue, CompletionStage<Done> written) {
        this.queue = queue;
        this.written = written;
    }

    /**
     * Opens {@code file} for appending and starts the writer.
     *
     * @param listener sees every event after it is written, on the writer's thread; must not block for long
     */
    public static Journal open(Path file, Consumer<TeamEvent> listener, ActorSystem<?> system) throws IOException {
        int buffer = system.settings().config().getInt("troupe.journal.decision-buffer");
        OutputStream out = new BufferedOutputStream(Files.newOutputStream(file,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE), 1 << 16);
        Pair<SourceQueueWithComplete<TeamEvent>, CompletionStage<Done>> running =
                Source.<TeamEvent>queue(buffer, OverflowStrategy.backpressure(), buffer)
                        .batch(1024, Journal::firstOfBatch, Journal::addToBatch)
                        .toMat(Sink.<List<TeamEvent>>foreach(batch -> write(out, batch, listener))
                                .withAttributes(ActorAttributes.dispatcher(BLOCKING_DISPATCHER)), Keep.both())
                        .run(system);
        CompletionStage<Done> written = running.second().whenComplete((done, failure) -> closeQuietly(out));
        return new Journal(running.first(), written);
    }

    /** Completes once the event is queued for writing; fails if the journal is closed or broken. */
    public CompletionStage<Done> append(TeamEvent event) {
        return queue.offer(event).thenCompose(result -> {
            if (result == QueueOfferResult.enqueued()) {
                return CompletableFuture.completedFuture(Done.getInstance());
            }
            return CompletableFuture.failedFuture(new IllegalStateException("journal refused an event: " + result));
        });
    }

    /** No more events: completes when everything appended before is written and the file closed. */
    public CompletionStage<Done> close() {
        queue.complete();
        return written;
    }

    private static List<TeamEvent> firstOfBatch(TeamEvent event) {
        List<TeamEvent> batch = new ArrayList<>();
        batch.add(event);
        return batch;
    }

    private static List<TeamEvent> addToBatch(List<TeamEvent> batch, TeamEvent event) {
        batch.add(event);
        return batch;
    }

    private static void write(OutputStream out, List<TeamEvent> batch, Consumer<TeamEvent> listener) throws IOException {
        for (TeamEvent event : batch) {
            out.write(toLine(event));
        }
        out.flush();
        batch.forEach(listener);
    }

    static byte[] toLine(TeamEvent event) {
        try {
            return (Json.MAPPER.writeValueAsString(event) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void closeQuietly(OutputStream out) {
        try {
            out.close();
        } catch (IOException ignored) {
            // The stream already failed or finished; there is nothing left to save.
        }
    }
}
