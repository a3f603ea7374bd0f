package dev.troupe.cli;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import dev.troupe.agent.Secrets;
import dev.troupe.web.WebServer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * {@code --web[=HOST:PORT]} of {@code run} and {@code resume}: the run's live page served while it runs (as
 * {@code troupe serve} serves it), its URL printed. The page has an actor system of its own, so that it neither
 * slows the team nor stops with a part of it.
 */
final class WebOption {

    /** Where {@code --web} alone listens: this machine only, on any free port. */
    static final String ANY_PORT = "127.0.0.1:0";

    @Option(names = "--web", arity = "0..1", fallbackValue = ANY_PORT, paramLabel = "HOST:PORT",
            description = "serve the run's live page while it runs (default: 127.0.0.1, any free port); the URL to"
                    + " open is printed")
    String listen;

    /** The address to listen on, as {@code HOST:PORT}. */
    record Listen(String host, int port) {

        static Listen parse(String text, String option) throws TroupeException {
            int colon = text.lastIndexOf(':');
            String host = colon < 0 ? "" : text.substring(0, colon).replaceAll("^\\[(.*)]$", "$1");
            int port = -1;
            try {
                port = colon < 0 ? -1 : Integer.parseInt(text.substring(colon + 1));
            } catch (NumberFormatException notANumber) {
                // Said below.
            }
            if (host.isBlank() || port < 0 || port > 65_535) {
                throw TroupeException.badInput(option + " " + text + ": expected HOST:PORT, such as 127.0.0.1:7420"
                        + " (port 0: any free one)");
            }
            return new Listen(host, port);
        }
    }

    /** The page being served, and its actor system: closing it stops both. */
    record Served(WebServer server, ActorSystem<Void> system) implements AutoCloseable {
        @Override
        public void close() {
            try {
                server.close();
            } finally {
                system.terminate();
            }
        }
    }

    /** Refuses a {@code --web} address that is no address, before anything is made. */
    void check() throws TroupeException {
        if (listen != null) {
            Listen.parse(listen, "--web");
        }
    }

    /**
     * With {@code --web}, serves the runs under {@code runs}, masking {@code secrets} (the run's), and prints the
     * page of {@code run} to {@code err}.
     */
    Optional<Served> start(Path runs, String run, Secrets secrets, PrintStream err) throws TroupeException {
        if (listen == null) {
            return Optional.empty();
        }
        Served served = serve(Listen.parse(listen, "--web"), runs, "troupe-web", secrets);
        err.println("troupe: watch and steer this run at " + served.server().url("/runs/" + run));
        warnIfOpen(served.server(), err);
        return Optional.of(served);
    }

    /**
     * Serves the runs under {@code runs} on {@code at}, masking {@code secrets}, in an actor system of its own called
     * {@code name}.
     */
    static Served serve(Listen at, Path runs, String name, Secrets secrets) throws TroupeException {
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), name, ConfigFactory.load());
        boolean serving = false;
        try {
            Served served = new Served(WebServer.start(system, at.host(), at.port(), runs, new PageControls(), secrets),
                    system);
            serving = true;
            return served;
        } catch (WebServer.CannotListen e) {
            throw TroupeException.badInput(e.getMessage());
        } finally {
            if (!serving) {
                system.terminate();
            }
        }
    }

    /** Listening beyond this machine is said plainly, with what it means. */
    static void warnIfOpen(WebServer server, PrintStream err) {
        if (!server.loopbackOnly()) {
            err.println("troupe: warning: the page listens beyond this machine: anyone who can reach it and has the"
                    + " token can watch and steer the runs (stop them, cancel tasks, tell agents, add tasks); it is"
                    + " plain HTTP, so the token crosses the network unencrypted");
        }
    }
}
