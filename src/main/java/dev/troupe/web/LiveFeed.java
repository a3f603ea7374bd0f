package dev.troupe.web;

import akka.NotUsed;
import akka.http.javadsl.model.sse.ServerSentEvent;
import akka.stream.javadsl.Source;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.troupe.agent.Secrets;
import dev.troupe.journal.Json;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A page's sections as server-sent events: every {@link #EVERY} the page is drawn again off the actors' threads, and
 * the sections that differ from what this browser last got go to it as one {@code sections} event (a JSON object of
 * element id to its {@code html} and that HTML's {@code hash}, see {@link Pages#hash}). A slow browser slows the drawing down (the stream is backpressured), and one that goes away
 * ends it.
 */
final class LiveFeed {

    static final Duration EVERY = Duration.ofMillis(500);
    /** A comment line this often keeps proxies and the browser from taking a quiet stream for a dead one. */
    static final Duration KEEP_ALIVE = Duration.ofSeconds(15);

    private LiveFeed() {}

    /**
     * The events of {@code page}, drawn on {@code blocking}, with {@code secrets} masked; {@code open} counts the
     * feeds under way.
     */
    static Source<ServerSentEvent, NotUsed> of(LivePage page, Executor blocking, Secrets secrets, AtomicInteger open) {
        Map<String, String> sent = new HashMap<>();
        return Source.tick(Duration.ZERO, EVERY, "tick")
                .mapAsync(1, tick -> CompletableFuture.supplyAsync(() -> changes(page, sent, secrets), blocking))
                .filter(Optional::isPresent).map(Optional::get)
                .keepAlive(KEEP_ALIVE, ServerSentEvent::heartbeat)
                .watchTermination((ticks, done) -> {
                    open.incrementAndGet();
                    done.whenComplete((over, failure) -> open.decrementAndGet());
                    return NotUsed.getInstance();
                });
    }

    /** The sections that changed since {@code sent}, as an event; none when none did. */
    private static Optional<ServerSentEvent> changes(LivePage page, Map<String, String> sent, Secrets secrets) {
        Map<String, Map<String, String>> changed = new LinkedHashMap<>();
        try {
            page.sections().forEach((id, html) -> {
                if (!html.equals(sent.get(id))) {
                    changed.put(id, Map.of("hash", Pages.hash(html), "html", html));
                    sent.put(id, html);
                }
            });
        } catch (IOException | RuntimeException e) {
            return Optional.of(ServerSentEvent.create(secrets.redact("troupe cannot read the run: " + e.getMessage()), "problem"));
        }
        if (changed.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(ServerSentEvent.create(secrets.redact(Json.MAPPER.writeValueAsString(changed)), "sections"));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
