package dev.troupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import dev.troupe.agent.Secrets;
import dev.troupe.testing.TestRepo;
import dev.troupe.web.WebServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code troupe serve} over plain HTTP: nothing without the token, the printed URL's token kept in a cookie, an
 * action refused without the token in its header, no path out of the run directories, credentials masked in what
 * is shown, and an address it cannot listen on said in one line. The run it serves is a real one, finished.
 */
class ServeTest {

    /** What the serving troupe's environment holds as a credential; a task wrote it into the repository. */
    private static final String KEY = "sk-ant-api03-PageTestSecretValue0123456789";

    @TempDir
    static Path tmp;

    private static TestRepo repo;
    private static String run;
    private static ActorSystem<Void> system;
    private static WebServer server;
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void aFinishedRunServed() throws Exception {
        repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hello\n"));
        Path goal = tmp.resolve("goal.yaml");
        Files.writeString(goal, "goal: test\nrepo: " + repo.dir() + "\nteam: {size: 1, stagger: 0ms}\n"
                + "agent: {command: [demo]}\ntasks:\n"
                + "  - id: one\n    prompt: Write \"Un.\" to notes/one.txt.\n"
                + "  - id: key\n    prompt: Write \"" + KEY + "\" to notes/key.txt.\n");
        Invocation ran = Invocation.troupe("run", goal.toString());
        assertEquals(0, ran.exitCode(), ran.err());
        try (var dirs = Files.list(repo.dir().resolve(".troupe/runs"))) {
            run = dirs.findFirst().orElseThrow().getFileName().toString();
        }
        system = ActorSystem.create(Behaviors.empty(), "serve-test", ConfigFactory.load());
        server = WebServer.start(system, "127.0.0.1", 0, repo.dir().resolve(".troupe/runs"), new PageControls(),
                Secrets.of(Map.of("ANTHROPIC_API_KEY", KEY)));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (system != null) {
            system.terminate();
        }
    }

    @Test
    void withoutTheTokenNothingIsServed() throws Exception {
        for (String path : List.of("/", "/runs/" + run, "/runs/" + run + "/live", "/runs/" + run + "/report",
                "/runs/" + run + "/task?id=one", "/runs/" + run + "/task/change?id=one", "/static/page.js",
                "/runs/nope")) {
            HttpResponse<String> none = get(path, Optional.empty());
            HttpResponse<String> wrongCookie = get(path, Optional.of("troupe-token-" + server.port() + "=not-the-token"));
            HttpResponse<String> wrongQuery = get(path + (path.contains("?") ? "&" : "?") + "token=not-the-token",
                    Optional.empty());

            for (HttpResponse<String> refused : List.of(none, wrongCookie, wrongQuery)) {
                assertEquals(401, refused.statusCode(), path);
                assertTrue(refused.body().contains("needs its token"), refused.body());
                assertFalse(refused.body().contains(run) || refused.body().contains("Un."), refused.body());
            }
        }
    }

    @Test
    void thePrintedUrlSetsACookieAndTakesTheTokenOutOfTheAddress() throws Exception {
        String url = server.url("/runs/" + run);
        assertTrue(url.startsWith("http://127.0.0.1:" + server.port() + "/runs/" + run + "?token="), url);

        HttpResponse<String> first = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(303, first.statusCode());
        assertEquals("/runs/" + run, first.headers().firstValue("Location").orElseThrow());
        String cookie = first.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(cookie.startsWith("troupe-token-" + server.port() + "=") && cookie.contains("HttpOnly")
                && cookie.contains("SameSite=Strict"), "named for its port, out of scripts' and other sites' reach: "
                + cookie);
        HttpResponse<String> page = get("/runs/" + run, Optional.of(cookie.substring(0, cookie.indexOf(';'))));
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("href=\"/runs/" + run + "/task?id=one\"") && page.body().contains("merged"),
                page.body());
        assertEquals("no-store", page.headers().firstValue("Cache-Control").orElseThrow());
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElseThrow().contains("script-src 'self'"));
    }

    @Test
    void anActionNeedsTheTokenInItsHeaderAndAFinishedRunRefusesIt() throws Exception {
        HttpResponse<String> withCookieOnly = HTTP.send(HttpRequest.newBuilder(uri("/runs/" + run + "/stop"))
                .header("Cookie", cookie()).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> withHeader = HTTP.send(HttpRequest.newBuilder(uri("/runs/" + run + "/cancel"))
                .header("X-Troupe-Token", token()).POST(HttpRequest.BodyPublishers.ofString("{\"task\":\"one\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> noMessage = HTTP.send(HttpRequest.newBuilder(uri("/runs/" + run + "/tell"))
                .header("X-Troupe-Token", token()).POST(HttpRequest.BodyPublishers.ofString("{\"task\":\"one\"}")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(403, withCookieOnly.statusCode());
        assertTrue(withCookieOnly.body().contains("needs the token in the X-Troupe-Token header"), withCookieOnly.body());
        assertEquals(409, withHeader.statusCode(), withHeader.body());
        assertEquals("{\"ok\":false,\"message\":\"run " + run + " is not live: nothing to cancel\"}", withHeader.body());
        assertEquals(400, noMessage.statusCode());
        assertTrue(noMessage.body().contains("the message is empty"), noMessage.body());
    }

    @Test
    void noPathLeadsOutOfTheRunDirectories() throws Exception {
        for (String path : List.of("/runs/..%2F..%2F..%2F..%2Fetc", "/runs/%2E%2E/%2E%2E/README.md",
                "/runs/../../etc/passwd", "/static/..%2F..%2F..%2Fpom.xml", "/static/report.css%2F..%2F..%2Fpom.xml",
                "/runs/" + run + "/task?id=..%2F..%2F..%2Fetc%2Fpasswd", "/runs/" + run + "/task/change?id=..%2Fgoal.yaml",
                "/runs/" + run + "%2F..%2F..%2F..%2Fetc")) {
            String answer = raw(path);

            assertTrue(answer.startsWith("HTTP/1.1 404") || answer.startsWith("HTTP/1.1 400"), path + ": " + answer);
            assertFalse(answer.contains("root:") || answer.contains("<artifactId>") || answer.contains("hello"),
                    path + ": " + answer);
        }
    }

    @Test
    void whatIsShownIsMaskedAsTheJournalIs() throws Exception {
        for (String path : List.of("/runs/" + run, "/runs/" + run + "/task?id=key", "/runs/" + run + "/task/change?id=key",
                "/runs/" + run + "/report")) {
            HttpResponse<String> page = get(path, Optional.of(cookie()));

            assertEquals(200, page.statusCode(), path);
            assertFalse(page.body().contains(KEY), path + " shows the key");
        }
        String change = get("/runs/" + run + "/task/change?id=key", Optional.of(cookie())).body();
        assertTrue(change.contains("notes/key.txt") && change.contains("[redacted]"), change);
        assertTrue(repo.show("troupe/" + run, "notes/key.txt").contains(KEY), "the key is in the repository");
        String live = firstEvent("/runs/" + run + "/task/live?id=key");
        assertTrue(live.contains("event:sections") || live.contains("event: sections"), live);
        assertFalse(live.contains(KEY), live);
    }

    @Test
    void aJournalOfManyMegabytesIsReadWhole() throws Exception {
        Path runs = repo.dir().resolve(".troupe/runs");
        Path big = runs.resolve(run + "-big");
        Files.createDirectories(big);
        List<String> lines = Files.readAllLines(runs.resolve(run).resolve("events.jsonl"));
        String output = lines.stream().filter(line -> line.contains("\"type\":\"agent-output\"")).findFirst().orElseThrow();
        StringBuilder journal = new StringBuilder();
        for (int i = 0; i < lines.size() - 1; i++) {
            journal.append(lines.get(i)).append('\n');
        }
        while (journal.length() < 20 << 20) {
            journal.append(output).append('\n');
        }
        journal.append(lines.get(lines.size() - 1)).append('\n');
        Files.writeString(big.resolve("events.jsonl"), journal);

        HttpResponse<String> page = get("/runs/" + run + "-big", Optional.of(cookie()));

        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("finished, exit 0") && page.body().contains("2 / 2"), "read to its end");
    }

    @Test
    void anAddressItCannotListenOnIsOneLineAndExit2() throws Exception {
        Invocation nonsense = Invocation.troupe("serve", "-C", repo.dir().toString(), "--listen", "localhost");
        List<Path> runsBefore = runDirs();
        Invocation badWeb = Invocation.troupe("run", tmp.resolve("goal.yaml").toString(), "--web=127.0.0.1:99999");
        Invocation busyWeb;
        try (ServerSocket busy = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            busyWeb = Invocation.troupe("run", tmp.resolve("goal.yaml").toString(), "--web=127.0.0.1:" + busy.getLocalPort());
        }
        Invocation taken;
        try (ServerSocket busy = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            taken = Invocation.troupe("serve", "-C", repo.dir().toString(), "--listen",
                    "127.0.0.1:" + busy.getLocalPort());
        }

        assertEquals(ExitCodes.BAD_INPUT, nonsense.exitCode());
        assertEquals("troupe: --listen localhost: expected HOST:PORT, such as 127.0.0.1:7420 (port 0: any free one)",
                nonsense.err().strip());
        assertEquals(ExitCodes.BAD_INPUT, badWeb.exitCode(), badWeb.err());
        assertTrue(badWeb.err().contains("--web 127.0.0.1:99999: expected HOST:PORT"), badWeb.err());
        assertEquals(ExitCodes.BAD_INPUT, busyWeb.exitCode(), busyWeb.err());
        assertEquals(runsBefore, runDirs(), "a run refused for its --web made nothing");
        assertEquals(ExitCodes.BAD_INPUT, taken.exitCode());
        assertTrue(taken.err().strip().matches("troupe: cannot listen on 127\\.0\\.0\\.1:\\d+: the port is taken"
                + " \\(choose another\\)"), taken.err());
    }

    @Test
    void listeningBeyondThisMachineIsSaidPlainly() throws Exception {
        WebServer open = WebServer.start(system, "0.0.0.0", 0, repo.dir().resolve(".troupe/runs"), new PageControls(),
                Secrets.of(Map.of()));
        try {
            ByteArrayOutputStream openSaid = new ByteArrayOutputStream();
            ByteArrayOutputStream loopbackSaid = new ByteArrayOutputStream();

            WebOption.warnIfOpen(open, new PrintStream(openSaid, true, StandardCharsets.UTF_8));
            WebOption.warnIfOpen(server, new PrintStream(loopbackSaid, true, StandardCharsets.UTF_8));

            assertTrue(openSaid.toString(StandardCharsets.UTF_8).contains("anyone who can reach it and has the token"
                    + " can watch and steer the runs"), openSaid.toString(StandardCharsets.UTF_8));
            assertEquals("", loopbackSaid.toString(StandardCharsets.UTF_8));
        } finally {
            open.close();
        }
    }

    private static List<Path> runDirs() throws IOException {
        try (var dirs = Files.list(repo.dir().resolve(".troupe/runs"))) {
            return dirs.sorted().toList();
        }
    }

    private static String token() {
        String url = server.url("/");
        return url.substring(url.indexOf("token=") + "token=".length());
    }

    private static String cookie() {
        return "troupe-token-" + server.port() + "=" + token();
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private static HttpResponse<String> get(String path, Optional<String> cookie) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20));
        cookie.ifPresent(c -> request.header("Cookie", c));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The request line sent as written (no client tidies its path), with the token; the whole answer. */
    private static String raw(String path) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: " + cookie()
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The first event of a live feed: its lines up to the blank one that ends it. */
    private static String firstEvent(String path) throws Exception {
        HttpResponse<java.util.stream.Stream<String>> feed = HTTP.send(HttpRequest.newBuilder(uri(path))
                .header("Cookie", cookie()).header("Accept", "text/event-stream").build(),
                HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, feed.statusCode());
        StringBuilder event = new StringBuilder();
        try (java.util.stream.Stream<String> lines = feed.body()) {
            for (var it = lines.iterator(); it.hasNext(); ) {
                String line = it.next();
                if (line.isEmpty() && event.indexOf("data:") >= 0) {
                    break;
                }
                event.append(line).append('\n');
            }
        }
        return event.toString();
    }
}
