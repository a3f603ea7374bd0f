package dev.troupe.cli;

import dev.troupe.agent.Secrets;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code troupe serve [--listen HOST:PORT]}: a live page of the repository's runs, in a browser: each run's team,
 * tasks, timeline, transcripts and changes as they happen, and its buttons to stop it, cancel a task, tell an agent,
 * add tasks. Serves until stopped (Ctrl-C).
 */
@Command(name = "serve", description = {"Serve a live page of the repository's runs: watch each run as it goes, read"
        + " its tasks' transcripts and changes, and steer it (stop, cancel, tell, add).",
        "It listens on 127.0.0.1 unless told otherwise, and every request needs the token in the URL it prints."
                + " Ctrl-C stops it; the runs go on."})
final class ServeCommand implements Callable<Integer> {

    /** Where it listens unless told: this machine only, on a port of its own. */
    static final String DEFAULT_LISTEN = "127.0.0.1:7420";

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "where to listen (default: " + DEFAULT_LISTEN
            + "; port 0: any free one)")
    String listen = DEFAULT_LISTEN;

    @Mixin
    RepoOption repo = new RepoOption();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws TroupeException {
        PrintStream out = WriterStream.printStream(spec.commandLine().getOut());
        PrintStream err = WriterStream.printStream(spec.commandLine().getErr());
        RunDirs dirs = RunDirs.of(repo);
        WebOption.Served served = WebOption.serve(WebOption.address(listen, "--listen"), dirs.runs(),
                "troupe-serve", Secrets.fromEnvironment());
        out.println("troupe: serving the runs of " + dirs.top + " at " + served.server().url("/"));
        out.println("troupe: the URL holds the page's token: keep it to yourself. Ctrl-C stops serving.");
        out.flush();
        WebOption.warnIfOpen(served.server(), err);
        err.flush();
        served.system().getWhenTerminated().toCompletableFuture().join();
        return ExitCodes.OK;
    }
}
