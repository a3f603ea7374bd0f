package dev.troupe.web;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import dev.troupe.agent.Secrets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * troupe's live page, served over HTTP by Akka HTTP in a given actor system: the runs of one repository, each
 * followed through its journal and steered through {@link RunControls}. Every request needs the server's
 * {@link AccessToken}, which only {@link #url(String)} tells.
 */
public final class WebServer implements AutoCloseable {

    private static final Duration BIND = Duration.ofSeconds(10);

    /**
     * How long pages that follow a run are given, once troupe is about to stop serving, to get what the journal
     * said last (the run's end): two of their feeds' turns.
     */
    static final Duration LAST_WORD = LiveFeed.EVERY.multipliedBy(2).plusMillis(200);

    private final ServerBinding binding;
    private final WebRoutes routes;
    private final AccessToken token;
    private final String host;

    private WebServer(ServerBinding binding, WebRoutes routes, AccessToken token, String host) {
        this.binding = binding;
        this.routes = routes;
        this.token = token;
        this.host = host;
    }

    /** Why troupe cannot serve: the address cannot be listened on. */
    public static final class CannotListen extends Exception {
        private static final long serialVersionUID = 1L;

        CannotListen(String message) {
            super(message);
        }
    }

    /**
     * Listens on {@code host}:{@code port} (0: any free port) for the runs in {@code runs}
     * ({@code .troupe/runs}), on {@code system}; blocking work on its {@code troupe.blocking-dispatcher}.
     */
    public static WebServer start(ActorSystem<?> system, String host, int port, Path runs, RunControls controls,
            Secrets secrets) throws CannotListen {
        AccessToken token = AccessToken.random();
        Executor blocking = system.dispatchers().lookup(DispatcherSelector.fromConfig("troupe.blocking-dispatcher"));
        WebRoutes routes = new WebRoutes(new RunFolders(runs), controls, token, blocking, secrets);
        try {
            ServerBinding binding = Http.get(system).newServerAt(host, port).bind(routes.route()).toCompletableFuture()
                    .get(BIND.toSeconds(), TimeUnit.SECONDS);
            routes.boundTo(binding.localAddress().getPort());
            return new WebServer(binding, routes, token, host);
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new CannotListen("cannot listen on " + host + ":" + port + ": " + reason(cause));
        } catch (TimeoutException e) {
            throw new CannotListen("cannot listen on " + host + ":" + port + ": no answer within " + BIND.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CannotListen("interrupted while starting to listen on " + host + ":" + port);
        }
    }

    private static String reason(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.toLowerCase(Locale.ROOT).contains("address already in use")
                ? "the port is taken (choose another)" : message;
    }

    /** The port it listens on. */
    public int port() {
        return binding.localAddress().getPort();
    }

    /** The URL of {@code path} ("/" or "/runs/RUN") with the token: what to open, and to keep to oneself. */
    public String url(String path) {
        String shownHost = host.contains(":") ? "[" + host + "]" : host;
        return "http://" + shownHost + ":" + port() + path + "?" + AccessToken.QUERY + "=" + token.value();
    }

    /** Whether it listens only on this machine's loopback (the address it is bound to, resolved). */
    public boolean loopbackOnly() {
        return binding.localAddress().getAddress().isLoopbackAddress();
    }

    /**
     * Stops listening. Pages that follow a run get {@link #LAST_WORD} to be sent its last events (a run served with
     * it ends first); what is still being answered then ends within a second.
     */
    @Override
    public void close() {
        try {
            if (routes.openFeeds() > 0) {
                binding.unbind().toCompletableFuture().get(5, TimeUnit.SECONDS);
                Thread.sleep(LAST_WORD.toMillis());
            }
            binding.terminate(Duration.ofSeconds(1)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // Going away anyway: the system that runs it stops next.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
