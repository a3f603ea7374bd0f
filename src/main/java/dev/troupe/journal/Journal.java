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
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run's journal: one stream into which every producer (the team lead's decisions, every agent's output)
 * appends {@link TeamEvent}s, written in order to {@code events.jsonl} and shown to a listener (the console).
 * The queue in front of the writer is bounded and backpressures: {@link #append} completes only once the
 * event is queued, so a fast agent is slowed to the writer's pace and no event is ever dropped. A batch that
 * holds a team decision is forced to disk (fsync) before {@link #appendDurably} completes, so a decision can
 * be journaled before it takes effect and survive a crash of the machine.
 */
public final class Journal {

    private static final Logger LOG = LoggerFactory.getLogger(Journal.class);

    public static final String BLOCKING_DISPATCHER = "troupe.blocking-dispatcher";

    /** Sees every event once it is written, with its JSON line (no newline), on the writer's thread. */
    @FunctionalInterface
    public interface Listener {
        void written(TeamEvent event, String json);

        default Listener andThen(Listener next) {
            return (event, json) -> {
                written(event, json);
                next.written(event, json);
            };
        }
    }

    /**
     * Events appended together; what to complete once they are written (when someone waits for that), and
     * whether they must reach the disk first.
     */
    private record Entry(List<TeamEvent> events, CompletableFuture<Done> written, boolean durable) {}

    private final SourceQueueWithComplete<Entry> queue;
    private final CompletionStage<Done> written;
    /** Durable appends not yet on disk: failed all at once if the writer breaks, so nobody waits forever. */
    private final Set<CompletableFuture<Done>> pending = ConcurrentHashMap.newKeySet();

    private Journal(SourceQueueWithComplete<Entry> queue, CompletionStage<Done> written) {
        this.queue = queue;
        this.written = written;
        written.whenComplete((done, failure) -> {
            IllegalStateException closed = new IllegalStateException(failure != null
                    ? "the journal could not be written: " + failure.getMessage() : "the journal is closed");
            pending.forEach(future -> future.completeExceptionally(closed));
        });
    }

    /** Completes (exceptionally) if the journal stops working while the run goes on: a run cannot go on without it. */
    public CompletionStage<Done> broken() {
        CompletableFuture<Done> broken = new CompletableFuture<>();
        written.whenComplete((done, failure) -> {
            if (failure != null) {
                broken.completeExceptionally(failure);
            }
        });
        return broken;
    }

    /**
     * Opens {@code file} for appending and starts the writer.
     *
     * @param listener sees every event after it is written, on the writer's thread; must not block for long
     */
    public static Journal open(Path path, Listener listener, ActorSystem<?> system) throws IOException {
        int buffer = system.settings().config().getInt("troupe.journal.decision-buffer");
        FileOutputStream file = new FileOutputStream(path.toFile(), true);
        endTornLine(path, file);
        OutputStream out = new BufferedOutputStream(file, 1 << 16);
        Pair<SourceQueueWithComplete<Entry>, CompletionStage<Done>> running =
                Source.<Entry>queue(buffer, OverflowStrategy.backpressure(), buffer)
                        .batch(1024, Journal::firstOfBatch, Journal::addToBatch)
                        .toMat(Sink.<List<Entry>>foreach(batch -> write(file, out, batch, listener))
                                .withAttributes(ActorAttributes.dispatcher(BLOCKING_DISPATCHER)), Keep.both())
                        .run(system);
        CompletionStage<Done> written = running.second().whenComplete((done, failure) -> closeQuietly(out));
        return new Journal(running.first(), written);
    }

    /** Completes once the event is queued for writing; fails if the journal is closed or broken. */
    public CompletionStage<Done> append(TeamEvent event) {
        return offer(new Entry(List.of(event), null, false));
    }

    /**
     * Appends {@code events} in their order as one entry (an agent's lines come in groups: a line at a time, the
     * handoff to the writer would cost more than the writing); completes once they are written. So a producer
     * that waits for it has no more groups in the queue than it waits for at once, and the queue's memory stays
     * bounded by its length in entries, whatever their size.
     */
    public CompletionStage<Done> appendAll(List<? extends TeamEvent> events) {
        return offerAndWait(new Entry(List.copyOf(events), new CompletableFuture<>(), false));
    }

    /** Completes once the event is written and forced to disk. */
    public CompletionStage<Done> appendDurably(TeamEvent event) {
        return offerAndWait(new Entry(List.of(event), new CompletableFuture<>(), true));
    }

    private CompletionStage<Done> offerAndWait(Entry entry) {
        CompletableFuture<Done> written = entry.written();
        pending.add(written);
        written.whenComplete((done, failure) -> pending.remove(written));
        return offer(entry).thenCompose(queued -> written);
    }

    private CompletionStage<Done> offer(Entry entry) {
        CompletableFuture<Done> queued = new CompletableFuture<>();
        // The stage Akka returns runs even its plain callbacks (thenCompose, whenComplete) as async ones on the
        // common pool, which on a 2-core machine starts a thread per callback: a thread per agent output line.
        // Given an executor that runs them where the offer completes, it starts none.
        queue.offer(entry).whenCompleteAsync((result, failure) -> {
            if (failure != null) {
                queued.completeExceptionally(failure);
            } else if (result == QueueOfferResult.enqueued()) {
                queued.complete(Done.getInstance());
            } else {
                queued.completeExceptionally(new IllegalStateException("journal refused an event: " + result));
            }
        }, Runnable::run);
        return queued;
    }

    /** No more events: completes when everything appended before is written and the file closed. */
    public CompletionStage<Done> close() {
        queue.complete();
        return written;
    }

    private static List<Entry> firstOfBatch(Entry entry) {
        List<Entry> batch = new ArrayList<>();
        batch.add(entry);
        return batch;
    }

    private static List<Entry> addToBatch(List<Entry> batch, Entry entry) {
        batch.add(entry);
        return batch;
    }

    private static void write(FileOutputStream file, OutputStream out, List<Entry> batch, Listener listener)
            throws IOException {
        List<String> lines = new ArrayList<>(batch.size());
        try {
            for (Entry entry : batch) {
                for (TeamEvent event : entry.events()) {
                    String line = toJson(event);
                    lines.add(line);
                    out.write(line.getBytes(StandardCharsets.UTF_8));
                    out.write('\n');
                }
            }
            out.flush();
            if (batch.stream().anyMatch(Entry::durable)) {
                file.getChannel().force(false);
            }
        } catch (IOException | RuntimeException e) {
            batch.stream().filter(entry -> entry.written() != null)
                    .forEach(entry -> entry.written().completeExceptionally(e));
            throw e;
        }
        int line = 0;
        for (Entry entry : batch) {
            if (entry.written() != null) {
                entry.written().complete(Done.getInstance());
            }
            for (TeamEvent event : entry.events()) {
                show(listener, event, lines.get(line++));
            }
        }
    }

    /** What a view gets wrong is its own failure: the events are written, and the run goes on without that view's update. */
    private static void show(Listener listener, TeamEvent event, String json) {
        try {
            listener.written(event, json);
        } catch (RuntimeException e) {
            LOG.warn("a view failed on a {} event: {}", event.getClass().getSimpleName(), e.toString());
        }
    }

    /** A crash can leave the last line half written: end it, so that what is appended now starts a line. */
    private static void endTornLine(Path path, FileOutputStream file) throws IOException {
        long size = file.getChannel().size();
        if (size == 0) {
            return;
        }
        try (java.nio.channels.FileChannel read = java.nio.channels.FileChannel.open(path)) {
            java.nio.ByteBuffer last = java.nio.ByteBuffer.allocate(1);
            read.read(last, size - 1);
            if (last.get(0) != '\n') {
                file.write('\n');
            }
        }
    }

    static String toJson(TeamEvent event) {
        try {
            if (event instanceof TeamEvent.AgentOutput output && output.raw() != null) {
                return agentOutputJson(output);
            }
            return Json.MAPPER.writeValueAsString(event);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * An agent's JSON line as the mapper would write its event, but with the line as the agent printed it: most
     * of a journal is agent output, and neither parsing each line into a tree nor serialising it again is needed.
     * The field order is the record's, as the mapper's is (readers rely on {@code type} and {@code time} first).
     */
    private static String agentOutputJson(TeamEvent.AgentOutput output) {
        StringBuilder json = new StringBuilder(output.raw().length() + 128).append(AGENT_OUTPUT_START);
        return INSTANT_TEXT.get().append(json, output.time())
                .append("\",\"task\":\"").append(JsonStringEncoder.getInstance().quoteAsString(output.task()))
                .append("\",\"attempt\":").append(output.attempt())
                .append(",\"line\":").append(output.raw())
                .append(",\"truncated\":").append(output.truncated())
                .append('}').toString();
    }

    /**
     * How every agent-output line of a journal begins (the mapper writes {@code type} and {@code time} first too):
     * such lines are most of a journal and say nothing of decisions, so readers of decisions skip them by it.
     */
    static final String AGENT_OUTPUT_START = "{\"type\":\"agent-output\",\"time\":\"";

    /** Per thread: a journal has one writer, and tests write lines of their own. */
    private static final ThreadLocal<InstantText> INSTANT_TEXT = ThreadLocal.withInitial(InstantText::new);

    /**
     * {@link Instant#toString()}'s text, the mapper's too, with the date and time of day worked out once a second:
     * an agent's lines come thousands a second, and formatting each from scratch was a tenth of the writer's time.
     */
    static final class InstantText {
        private long second = Long.MIN_VALUE;
        private String upToSeconds;

        StringBuilder append(StringBuilder out, Instant time) {
            if (time.getEpochSecond() != second) {
                String whole = Instant.ofEpochSecond(time.getEpochSecond()).toString();
                upToSeconds = whole.substring(0, whole.length() - 1);
                second = time.getEpochSecond();
            }
            out.append(upToSeconds);
            int nanos = time.getNano();
            if (nanos > 0) {
                // As many digits as needed, in groups of three, as DateTimeFormatter.ISO_INSTANT prints them.
                int shown = nanos % 1_000_000 == 0 ? nanos / 1_000_000 + 1_000
                        : nanos % 1_000 == 0 ? nanos / 1_000 + 1_000_000 : nanos + 1_000_000_000;
                String digits = Integer.toString(shown);
                out.append('.').append(digits, 1, digits.length());
            }
            return out.append('Z');
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
