package dev.troupe.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.troupe.journal.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The HTTP side the API stand-ins share: a JDK server on 127.0.0.1 whose paths {@code /s/<scenario>/...} select a
 * registered script {@code S}, the requests {@code R} kept per scenario, JSON and event-stream replies, and a hang
 * that lasts until close. A handler that throws makes the JDK server drop the connection mid-reply.
 */
final class StandInServer<S, R> implements AutoCloseable {

    /** Answers one exchange; the server closes it after. */
    @FunctionalInterface
    interface Handler {
        void handle(HttpExchange exchange) throws IOException;
    }

    private final HttpServer http;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final Map<String, S> scripts = new ConcurrentHashMap<>();
    private final Map<String, List<R>> requests = new ConcurrentHashMap<>();
    private final CountDownLatch closing = new CountDownLatch(1);

    private StandInServer(Handler handler) {
        try {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        } catch (IOException e) {
            throw new UncheckedIOException("no port on 127.0.0.1 for a stand-in", e);
        }
        http.createContext("/", exchange -> {
            try (exchange) {
                handler.handle(exchange);
            }
        });
        http.setExecutor(threads);
        http.start();
    }

    /** Starts at once; unchecked, so a test can start one where it declares it ({@code @AutoClose static final}). */
    static <S, R> StandInServer<S, R> start(Handler handler) {
        return new StandInServer<>(handler);
    }

    /** Registers a scenario and returns the URL that selects it: {@code http://127.0.0.1:<port>/s/<scenario>}. */
    String url(String scenario, S script) {
        scripts.put(scenario, script);
        return "http://127.0.0.1:" + http.getAddress().getPort() + "/s/" + scenario;
    }

    /** The scenario's script, or null when none is registered under that name. */
    S script(String scenario) {
        return scripts.get(scenario);
    }

    /** The scenario a path {@code /s/<scenario>/...} selects; empty for any other path. */
    static String scenario(HttpExchange exchange) {
        String[] parts = exchange.getRequestURI().getPath().split("/");
        return parts.length > 2 && parts[1].equals("s") ? parts[2] : "";
    }

    void record(String scenario, R request) {
        requests.computeIfAbsent(scenario, s -> new CopyOnWriteArrayList<>()).add(request);
    }

    /** The scenario's requests, in the order they came. */
    List<R> requests(String scenario) {
        return List.copyOf(requests.getOrDefault(scenario, List.of()));
    }

    /** Holds the exchange unanswered until the stand-in closes. */
    void hang() {
        try {
            closing.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closing.countDown();
        http.stop(0);
        threads.shutdownNow();
    }

    static void sendJson(HttpExchange exchange, int status, JsonNode body) throws IOException {
        sendJson(exchange, status, body, Optional.empty());
    }

    /** A JSON body, with a Retry-After header when {@code retryAfterSeconds} is given. */
    static void sendJson(HttpExchange exchange, int status, JsonNode body, Optional<Integer> retryAfterSeconds)
            throws IOException {
        retryAfterSeconds.ifPresent(s -> exchange.getResponseHeaders().set("retry-after", Integer.toString(s)));
        send(exchange, status, "application/json", Json.MAPPER.writeValueAsBytes(body));
    }

    static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("content-type", contentType);
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    /** Starts a 200 event stream of unknown length; headers set before this call go with it. */
    static OutputStream eventStream(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("content-type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        return exchange.getResponseBody();
    }

    /** A server-sent event with an {@code event:} line, as the Anthropic and OpenAI Responses APIs send them. */
    static byte[] event(String name, JsonNode data) throws IOException {
        return ("event: " + name + "\ndata: " + Json.MAPPER.writeValueAsString(data) + "\n\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** A server-sent event of data alone. */
    static byte[] data(String payload) {
        return ("data: " + payload + "\n\n").getBytes(StandardCharsets.UTF_8);
    }
}
