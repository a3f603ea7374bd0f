package dev.troupe.cli;

import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code troupe} command: lists the sub-commands and maps every failure to one line and an exit code. Its
 * {@code --help} and {@code --version}, and its list of exit codes, are every sub-command's too.
 */
@Command(name = "troupe", scope = CommandLine.ScopeType.INHERIT, mixinStandardHelpOptions = true, version = "troupe " + dev.troupe.Version.TROUPE,
        description = "Runs a team of headless coding agents from a goal file.",
        subcommands = {RunCommand.class, ResumeCommand.class, StatusCommand.class, ResultsCommand.class, ReportCommand.class,
            CleanupCommand.class, ValidateCommand.class, ClusterKeyCommand.class, StopCommand.class, CancelCommand.class,
            AddCommand.class, TellCommand.class, AttachCommand.class, ServeCommand.class, WorkerCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every task merged",
            "1:some task failed or was skipped",
            "2:bad input or usage; nothing was started",
            "3:troupe itself failed",
            "130:interrupted or stopped (Ctrl-C, SIGTERM, troupe stop); troupe resume finishes the run"})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command, e.g. troupe run GOAL");
    }

    public static void main(String[] args) {
        startProcessesByVfork();
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        System.exit(execute(args, out, err));
    }

    /**
     * A run starts several git processes and an agent a task. The JDK starts a process by {@code posix_spawn} of a
     * helper program that then runs the real one: two programs loaded for each. Started by {@code vfork}, as the JDK
     * did by default up to 11, each costs about a millisecond of CPU less (a twentieth of a short task's CPU). Until
     * JDK 25, which deprecates it (and a later one removes it); never over a choice made with {@code -D}. Before the
     * first process: the JDK reads the setting once.
     */
    private static void startProcessesByVfork() {
        String mechanism = "jdk.lang.Process.launchMechanism";
        if (Runtime.version().feature() < 25 && System.getProperty(mechanism) == null
                && System.getProperty("os.name").equals("Linux")) {
            System.setProperty(mechanism, "VFORK");
        }
    }

    /** Runs one command to its end and returns its exit code; never exits the JVM. */
    public static int execute(String[] args, PrintStream out, PrintStream err) {
        return execute(args, System.in, out, err);
    }

    /** The same, the lines {@code troupe attach} tells the agent read from {@code in}. */
    static int execute(String[] args, InputStream in, PrintStream out, PrintStream err) {
        // Initialise logging on this thread before Akka's threads race to do it (SLF4J then warns on stderr).
        LoggerFactory.getLogger(Main.class);
        CommandLine cli = new CommandLine(new Main());
        // Every command prints through these (its @Spec's getOut and getErr), in UTF-8 whatever the locale.
        cli.setOut(new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true));
        cli.setErr(new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true));
        // picocli has an out and an err but no in: attach is the one command that reads what is typed.
        ((AttachCommand) cli.getSubcommands().get("attach").getCommand()).in = in;
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter stderr = commandLine.getErr();
            if (e instanceof TroupeException troupe) {
                // A message per line: a check may find several problems at once.
                troupe.getMessage().lines().forEach(line -> stderr.println("troupe: " + line));
                return troupe.exitCode();
            }
            stderr.println("troupe: internal error: " + e);
            if (System.getenv("TROUPE_DEBUG") != null) {
                e.printStackTrace(stderr);
            } else {
                stderr.println("troupe: set TROUPE_DEBUG=1 for the stack trace");
            }
            return ExitCodes.INTERNAL;
        });
        return cli.execute(args);
    }
}
