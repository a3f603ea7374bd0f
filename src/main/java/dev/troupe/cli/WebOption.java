package dev.troupe.cli;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import dev.troupe.cluster.ClusterException;
import dev.troupe.cluster.NodeAddress;
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

    /** The address {@code text} names ({@code HOST:PORT}, as the cluster's options take it); {@code option} names it. */
    static NodeAddress address(String text, String option) throws TroupeException {
        try {
            NodeAddress address = NodeAddress.parse(text, option);
            if (!address.host().isBlank()) {
                return address;
            }
        } catch (ClusterException notAnAddress) {
            // Said below, in the words of a page's address.
        }
        throw TroupeException.badInput(option + " " + text + ": expected HOST:PORT, such as 127.0.0.1:7420"
                + " (port 0: any free one)");
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
            address(listen, "--web");
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
        Served served = serve(address(listen, "--web"), runs, "troupe-web", secrets);
        err.println("troupe: watch and steer this run at " + served.server().url("/runs/" + run));
        warnIfOpen(served.server(), err);
        return Optional.of(served);
    }

    /**
     * Serves the runs under {@code runs} on {@code at}, masking {@code secrets}, in an actor system of its own called
     * {@code name}.
     */
    static Served serve(NodeAddress at, Path runs, String name, Secrets secrets) throws TroupeException {
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
