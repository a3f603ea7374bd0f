package dev.troupe.web;

import akka.http.javadsl.marshalling.sse.EventStreamMarshalling;
import akka.http.javadsl.model.ContentType;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.MediaTypes;
import akka.http.javadsl.model.HttpCharsets;
import akka.http.javadsl.model.Query;
import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.Uri;
import akka.http.javadsl.model.headers.HttpCookie;
import akka.http.javadsl.model.headers.HttpCookiePair;
import akka.http.javadsl.model.headers.RawHeader;
import akka.http.javadsl.model.headers.SameSite;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import akka.http.javadsl.unmarshalling.Unmarshaller;
import akka.japi.Pair;
import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.agent.Secrets;
import dev.troupe.journal.Json;
import dev.troupe.journal.RunHistory;
import dev.troupe.journal.TaskLife;
import dev.troupe.report.ReportPage;
import dev.troupe.report.RunRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What troupe serves, and to whom: every request needs the {@link AccessToken} (the printed URL's, kept in a cookie
 * after; an action, a POST, in a header too); a run is reached only by the name of one of the repository's run
 * directories and a task only by its id in that run's journal; the assets are three named files. Pages are drawn
 * off the actors' threads.
 */
final class WebRoutes extends AllDirectives {

    private static final ContentType.NonBinary HTML = ContentTypes.TEXT_HTML_UTF8;
    private static final Map<String, ContentType> ASSETS = Map.of(
            "page.js", MediaTypes.APPLICATION_JAVASCRIPT.toContentType(HttpCharsets.UTF_8),
            "page.css", MediaTypes.TEXT_CSS.toContentType(HttpCharsets.UTF_8),
            "report.css", MediaTypes.TEXT_CSS.toContentType(HttpCharsets.UTF_8));
    /** What every answer carries: never cached, never framed, scripts only troupe's own. */
    private static final List<HttpHeader> HEADERS = List.of(
            RawHeader.create("Cache-Control", "no-store"),
            RawHeader.create("X-Content-Type-Options", "nosniff"),
            RawHeader.create("Referrer-Policy", "no-referrer"),
            RawHeader.create("X-Frame-Options", "DENY"),
            RawHeader.create("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'"
                    + " 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'none'"));
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final RunFolders runs;
    private final RunControls controls;
    private final AccessToken token;
    private final Executor blocking;
    private final Secrets secrets;
    private final AtomicInteger feeds = new AtomicInteger();
    /** The port it is bound to, once it is: its cookie is named for it. */
    private final AtomicInteger port = new AtomicInteger();

    WebRoutes(RunFolders runs, RunControls controls, AccessToken token, Executor blocking, Secrets secrets) {
        this.runs = runs;
        this.controls = controls;
        this.token = token;
        this.blocking = blocking;
        this.secrets = secrets;
    }

    void boundTo(int port) {
        this.port.set(port);
    }

    /** How many pages follow a run now. */
    int openFeeds() {
        return feeds.get();
    }

    Route route() {
        return respondWithHeaders(HEADERS, () -> guarded(concat(
                pathSingleSlash(() -> get(() -> page(() -> RunsPage.html(runs, controls, token.value())))),
                pathPrefix("static", () -> path(PathMatchers.segment(), name -> get(() -> asset(name)))),
                pathPrefix("runs", () -> pathPrefix(PathMatchers.segment(), id -> runs.run(id)
                        .map(this::run).orElseGet(() -> text(StatusCodes.NOT_FOUND, "troupe: no run '" + id + "' in "
                                + runs.top())))))));
    }

    /** Lets a request through with the token; the printed URL's is kept in a cookie and taken out of the address. */
    private Route guarded(Route inner) {
        return parameterOptional(AccessToken.QUERY, query -> {
            if (token.matches(query)) {
                return setCookie(HttpCookie.create(AccessToken.cookie(port.get()), token.value()).withPath("/").withHttpOnly(true)
                        .withSameSite(SameSite.Strict), () -> extractUri(uri -> redirect(withoutToken(uri),
                        StatusCodes.SEE_OTHER)));
            }
            return optionalCookie(AccessToken.cookie(port.get()), cookie ->
                    optionalHeaderValueByName(AccessToken.HEADER, header ->
                            token.matches(cookie.map(HttpCookiePair::value)) || token.matches(header) ? inner
                                    : text(StatusCodes.UNAUTHORIZED, "troupe: this page needs its token: open the URL"
                                            + " troupe printed when it began to serve (it ends in ?token=...)")));
        });
    }

    private static Uri withoutToken(Uri uri) {
        List<Pair<String, String>> rest = uri.query().toList().stream()
                .filter(pair -> !pair.first().equals(AccessToken.QUERY)).toList();
        Uri path = Uri.create(uri.path());
        return rest.isEmpty() ? path : path.query(Query.create(rest));
    }

    private Route run(Path dir) {
        return concat(
                pathEndOrSingleSlash(() -> get(() -> page(() -> new RunPage(new RunWatch(dir), controls)
                        .html(token.value())))),
                path("live", () -> get(() -> live(new RunPage(new RunWatch(dir), controls)))),
                path("report", () -> get(() -> page(() -> report(dir)))),
                pathPrefix("task", () -> parameter("id", task -> concat(
                        pathEnd(() -> get(() -> page(() -> {
                            TaskPage page = new TaskPage(new RunWatch(dir), task, controls);
                            return page.exists() ? page.html(token.value()) : null;
                        }))),
                        path("live", () -> get(() -> live(new TaskPage(new RunWatch(dir), task, controls)))),
                        path("change", () -> get(() -> page(() -> change(dir, task))))))),
                path("stop", () -> post(() -> act(dir, request -> controls.ask(dir, "stop", null, null)))),
                path("cancel", () -> post(() -> act(dir, request -> controls.ask(dir, "cancel",
                        field(request, "task"), null)))),
                path("tell", () -> post(() -> act(dir, request -> {
                    String message = field(request, "message").strip();
                    boolean interrupt = request.path("interrupt").asText().equals("true");
                    return controls.ask(dir, interrupt ? "redirect" : "tell", field(request, "task"), message);
                }))),
                path("add", () -> post(() -> act(dir, request -> {
                    String tasks = field(request, "tasks");
                    if (!controls.isLive(dir)) {
                        throw new RunControls.Refused("run " + dir.getFileName() + " is not live: nothing to add to");
                    }
                    return controls.ask(dir, "add", null, tasksFile(dir, tasks).toString());
                }))));
    }

    /** A page drawn off the actors' threads; null from {@code draw} is "not found". */
    private Route page(Drawing draw) {
        return completeWithFuture(CompletableFuture.supplyAsync(() -> {
            try {
                String html = draw.html();
                return html == null ? response(StatusCodes.NOT_FOUND, ContentTypes.TEXT_PLAIN_UTF8,
                        "troupe: not in this run's journal (yet)\n") : response(StatusCodes.OK, HTML, html);
            } catch (IOException e) {
                return response(StatusCodes.INTERNAL_SERVER_ERROR, ContentTypes.TEXT_PLAIN_UTF8,
                        "troupe: cannot read the run: " + e.getMessage());
            }
        }, blocking));
    }

    private Route live(LivePage page) {
        return completeOK(LiveFeed.of(page, blocking, secrets, feeds), EventStreamMarshalling.toEventStream());
    }

    private String report(Path dir) throws IOException {
        Optional<RunRecord> record = ReportPage.read(dir, controls.isLive(dir));
        return record.isPresent() ? ReportPage.html(record.get(), dir) : null;
    }

    private String change(Path dir, String task) throws IOException {
        RunWatch watch = new RunWatch(dir);
        watch.refresh();
        Optional<RunHistory> history = watch.history();
        Optional<TaskLife> life = history.map(h -> h.tasks().get(task));
        return life.isPresent() ? ChangePage.html(history.get(), life.get(), runs.repository(), token.value()) : null;
    }

    private Route asset(String name) {
        ContentType type = ASSETS.get(name);
        if (type == null) {
            return text(StatusCodes.NOT_FOUND, "troupe: no such file");
        }
        try {
            String content = name.equals("report.css") ? ReportPage.style() : resource(name);
            return complete(HttpResponse.create().withEntity(type, content.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = WebRoutes.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from troupe's classes (a broken build)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * An action: only with the token in its header (a browser sends one only from troupe's own page), its JSON
     * answered with {@code {ok, message}}: the run's answer, or why not.
     */
    private Route act(Path dir, Action action) {
        return optionalHeaderValueByName(AccessToken.HEADER, given -> {
            if (!token.matches(given)) {
                return answer(StatusCodes.FORBIDDEN, false, "an action needs the token in the " + AccessToken.HEADER
                        + " header: use the buttons of troupe's page");
            }
            return entity(Unmarshaller.entityToString(), body -> completeWithFuture(CompletableFuture.supplyAsync(() -> {
                try {
                    JsonNode request = body.isBlank() ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(body);
                    return answerOf(StatusCodes.OK, true, action.run(request));
                } catch (RunControls.Refused refused) {
                    return answerOf(StatusCodes.CONFLICT, false, refused.getMessage());
                } catch (BadRequest | IOException bad) {
                    return answerOf(StatusCodes.BAD_REQUEST, false, bad.getMessage());
                }
            }, blocking)));
        });
    }

    /** The field {@code name} of an action's request; a request without it is a bad one. */
    private static String field(JsonNode request, String name) throws BadRequest {
        String value = request.path(name).asText("");
        if (value.isBlank()) {
            throw new BadRequest(switch (name) {
                case "message" -> "the message is empty: say what the agent is to be told";
                case "tasks" -> "no tasks: write a list of tasks, as under a goal file's tasks:";
                default -> "the request names no " + name;
            });
        }
        return value;
    }

    /** Tasks added from the page, kept in the run directory ({@code added/}) as {@code troupe add} reads a file. */
    private static Path tasksFile(Path dir, String tasks) throws IOException {
        Path added = Files.createDirectories(dir.resolve("added"));
        Path file = Files.createTempFile(added, "page-" + LocalDateTime.now().format(STAMP) + "-", ".yaml");
        Files.writeString(file, tasks.endsWith("\n") ? tasks : tasks + "\n");
        return file;
    }

    private Route text(StatusCode status, String message) {
        return complete(response(status, ContentTypes.TEXT_PLAIN_UTF8, message + "\n"));
    }

    private Route answer(StatusCode status, boolean ok, String message) {
        return complete(answerOf(status, ok, message));
    }

    private HttpResponse answerOf(StatusCode status, boolean ok, String message) {
        String json = Json.MAPPER.createObjectNode().put("ok", ok).put("message", message).toString();
        return response(status, ContentTypes.APPLICATION_JSON, json);
    }

    /** Every answer but the assets leaves through here, its credentials masked as the journal's are. */
    private HttpResponse response(StatusCode status, ContentType type, String body) {
        return HttpResponse.create().withStatus(status).withEntity(type,
                secrets.redact(body).getBytes(StandardCharsets.UTF_8));
    }

    /** Draws a page; null when what it shows is not there. */
    @FunctionalInterface
    private interface Drawing {
        String html() throws IOException;
    }

    /** What an action asks of the run. */
    @FunctionalInterface
    private interface Action {
        String run(JsonNode request) throws RunControls.Refused, BadRequest, IOException;
    }

    private static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message);
        }
    }
}
