package dev.troupe.cli;

import dev.troupe.journal.RunHistory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code troupe attach [RUN] TASK}: a task's agent followed live (as {@code results --follow} shows it) and talked
 * to: each line typed is told to it (as {@code troupe tell}), a line starting with "!" interrupts its turn first (as
 * {@code tell --interrupt}). End of input detaches and leaves the agent be; so does the task settling or the run
 * ending. A message the run refuses is said on stderr and attach goes on.
 */
@Command(name = "attach", description = {"Follow a task's agent live (as results --follow shows it) and tell it"
        + " each line you type (as troupe tell does); the reply to each is shown.",
        "A line starting with ! cuts the agent's turn short and gives it the rest next (as tell --interrupt).",
        "Ctrl-D detaches; the agent works on. Attach ends too when the task is merged, failed,"
        + " skipped or cancelled, or the run ends."})
final class AttachCommand implements Callable<Integer> {

    @Parameters(arity = "1..2", paramLabel = "[RUN] TASK",
            description = "the run (default: the newest live one) and the task id")
    List<String> args;

    @Mixin
    RepoOption repo = new RepoOption();

    @Spec
    CommandSpec spec;

    /** Where the typed lines come from: the terminal, or what a test writes (picocli has an out but no in). */
    InputStream in = System.in;

    /** How many of the agent's last lines are shown first, as {@code results --follow} shows them. */
    private static final int TAIL = 10;

    @Override
    public Integer call() throws TroupeException {
        LiveRun run = LiveRun.of(repo, args, "attach to");
        String task = args.get(args.size() - 1);
        long journalRead = RunDirs.journalSize(run.runDir);
        RunHistory history = RunDirs.history(run.runDir);
        if (!history.tasks().containsKey(task)) {
            throw TroupeException.badInput("run " + run.id() + " has no task '" + task + "'");
        }
        PrintWriter out = spec.commandLine().getOut();
        try {
            AgentFollower agent = new AgentFollower(run.runDir, history, journalRead, task);
            agent.printTail(TAIL, out);
            out.println("## Attached to " + task + ": each line you type is told to its agent (!line: cut its turn"
                    + " short first); Ctrl-D detaches");
            out.flush();
            CountDownLatch detached = new CountDownLatch(1);
            // The follow runs on this thread; the typing on its own, so neither waits for the other. A daemon:
            // when the task settles or the run ends, a read still waiting for a line does not keep the JVM up.
            Thread typing = new Thread(() -> tellEachLine(run, task, detached), "troupe-attach-input");
            typing.setDaemon(true);
            typing.start();
            if (agent.follow(out, detached) == AgentFollower.Ending.LET_GO) {
                out.println("troupe: detached; the agent works on");
            }
        } catch (IOException e) {
            throw new TroupeException(ExitCodes.INTERNAL, "cannot read " + run.runDir + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.INTERRUPTED;
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** Tells the agent each line read, one at a time with its reply, and counts {@code detached} down at the end. */
    private void tellEachLine(LiveRun run, String task, CountDownLatch detached) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                String message = line.strip();
                if (message.isEmpty()) {
                    continue;
                }
                boolean interrupt = message.startsWith("!");
                if (interrupt) {
                    message = message.substring(1).strip();
                    if (message.isEmpty()) {
                        err.println("troupe: nothing after the !: say what the agent is to do instead");
                        continue;
                    }
                }
                try {
                    out.println("troupe: " + run.tell(task, message, interrupt));
                } catch (TroupeException refused) {
                    refused.getMessage().lines().forEach(reason -> err.println("troupe: " + reason));
                }
            }
        } catch (IOException e) {
            err.println("troupe: cannot read what is typed: " + e.getMessage());
        } finally {
            detached.countDown();
        }
    }
}
