package dev.troupe.workspace;

import dev.troupe.agent.AgentProcess;
import dev.troupe.agent.Secrets;
import dev.troupe.git.GitCli;
import dev.troupe.git.GitException;
import dev.troupe.git.IntegrationBranch;
import dev.troupe.git.LastWords;
import dev.troupe.goal.Durations;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jgit.lib.ObjectId;

/**
 * Runs the goal's {@code sync.check} command ({@code bash -c}) in a workspace of its own (number 0, {@code check})
 * prepared at a merge commit like a worker's (copied files, setup), before the integration branch moves there;
 * made ready at the run's start ({@link #warm}).
 * The workspace is the merger's and reused; each check's output is kept in the run's {@code checks/}, and the
 * failure's reason keeps its last {@value #KEPT} characters. A check still running at its timeout is killed with
 * everything it started, even in sessions of their own, and fails; so is what a check that ended left running.
 */
public final class CheckRunner {

    static final int KEPT = 4000;

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CheckRunner.class);

    /** What a check judges: the merge of a task's attempt, or a variant's trial (after which the branch stays). */
    public record Candidate(String task, int attempt, boolean trial) {}

    /** Told when a check's command starts and ends, for the journal. */
    public interface Listener {
        void checkStarted(Candidate candidate, String command, Workspace workspace);

        /** @param exitCode -1 when it ran past its timeout and was killed */
        void checkDone(Candidate candidate, long millis, int exitCode, boolean timedOut);
    }

    private final Workspaces workspaces;
    private final String command;
    private final Duration timeout;
    private final Map<String, String> env;
    private final Workspaces.Listener setupListener;
    private final Listener listener;
    /**
     * Claimed by the warm-up or the first check; the merger's thread runs checks one at a time, each after the
     * warm-up ended.
     */
    private Workspace workspace;
    private volatile CompletableFuture<Void> warming = CompletableFuture.completedFuture(null);
    /** Why the warm-up's setup failed, for the first check to say; written before {@link #warming} completes. */
    private SetupFailed warmingFailed;

    /**
     * @param timeout {@code sync.check-timeout}
     * @param env what the check (and its workspace's setup) runs with, on top of the workspace's number and port
     * @param setupListener told of the check workspace's setup
     * @param listener told of each check
     */
    public CheckRunner(Workspaces workspaces, String command, Duration timeout, Map<String, String> env,
            Workspaces.Listener setupListener, Listener listener) {
        this.workspaces = workspaces;
        this.command = command;
        this.timeout = timeout;
        this.env = env;
        this.setupListener = setupListener;
        this.listener = listener;
    }

    /**
     * Claims and prepares the check's workspace at the head of {@code branch}, off the caller's thread, in a turn at
     * the build gate taken now, ahead of every worker's: its setup is on the path of every merge, which then only
     * resets it. Call before any worker prepares its workspace. A setup that fails here is the first check's answer.
     */
    public void warm(String branch) {
        BuildGate.Turn turn = workspaces.firstTurn();
        warming = CompletableFuture.runAsync(() -> {
            try (turn) {
                Optional<String> head = GitCli.resolve(workspaces.top(), "refs/heads/" + branch);
                if (head.isPresent()) {
                    prepare(head.get(), turn);
                }
            } catch (SetupFailed failed) {
                warmingFailed = failed;
            } catch (IOException | GitException | RuntimeException e) {
                // The first check prepares the workspace again, and says what goes wrong then.
                LOG.warn("the check's workspace could not be made ready ahead of the first merge: {}", e.getMessage());
            }
        }, workspaces.preparing());
    }

    /** Blocking: empty when {@code candidate}'s merge commit passes the check, else what the check said. */
    public Optional<String> run(Candidate candidate, ObjectId mergeCommit) throws GitException,
            IntegrationBranch.CheckCannotRun {
        Map<String, String> environment;
        try {
            warming.join();
            if (warmingFailed != null) {
                SetupFailed failed = warmingFailed;
                warmingFailed = null;
                throw failed;
            }
            environment = prepare(mergeCommit.name(), null);
        } catch (SetupFailed failed) {
            throw new IntegrationBranch.CheckCannotRun(failed.getMessage());
        } catch (IOException e) {
            throw new GitException("cannot prepare the check's workspace: " + e.getMessage(), e);
        }
        try {
            return check(candidate, environment, workspaces.checkLog(mergeCommit.name()));
        } catch (IOException e) {
            throw new GitException("cannot run the check `" + command + "`: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GitException("interrupted while running the check", e);
        }
    }

    /** The check's environment, its workspace claimed (if need be) and prepared at {@code commit}. */
    private Map<String, String> prepare(String commit, BuildGate.Turn turn)
            throws IOException, GitException, SetupFailed {
        Map<String, String> environment = new HashMap<>(env);
        if (workspace == null) {
            workspace = workspaces.claimCheck();
        }
        environment.putAll(workspace.environment(workspaces.spec().ports()));
        try {
            workspaces.prepare(workspace, commit, environment, setupListener, turn);
        } catch (SetupFailed failed) {
            // Retired: a later merge claims another check workspace, and sets it up afresh, should the run go on.
            workspaces.retire(workspace);
            workspace = null;
            throw failed;
        }
        return environment;
    }

    /**
     * Runs the command through the run's {@code LiveAgents}, like a setup: a stopping troupe stops it too, and
     * {@link AgentProcess#stopNow} ends its whole tree, what left its process group included.
     */
    private Optional<String> check(Candidate candidate, Map<String, String> environment, Path output)
            throws IOException, InterruptedException {
        Files.createDirectories(output.getParent());
        // Its stderr joins its stdout in the shell itself, so the log keeps what it printed in the order printed.
        AgentProcess process = workspaces.agents().start(List.of("bash", "-c", "exec 2>&1\n" + command),
                workspace.dir(), Secrets.withoutApiCredentials(environment), output);
        long started = System.nanoTime();
        listener.checkStarted(candidate, command, workspace);
        Thread copier = copier(process.stdout(), output);
        int code = -1;
        boolean timedOut = false;
        try {
            code = process.exit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException late) {
            timedOut = true;
        } catch (ExecutionException e) {
            throw new IOException("cannot wait for the check: " + e.getCause().getMessage(), e.getCause());
        } finally {
            process.stopNow(workspaces.settings().killGrace());
            listener.checkDone(candidate, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                    timedOut ? -1 : code, timedOut);
        }
        copier.join(workspaces.settings().killGrace().toMillis());
        if (!timedOut && code != 0 && workspaces.agents().stopped()) {
            // Stopped with the run's agents (SIGTERM, Ctrl-C): no fault of the merge, so not a failed check.
            throw new IOException("troupe is stopping: the check was stopped");
        }
        String took = Durations.format(Duration.ofNanos(System.nanoTime() - started));
        if (timedOut) {
            return Optional.of(failure("timed out after " + took + ": still running at sync.check-timeout ("
                    + Durations.format(timeout) + "), it was killed with everything it started", output));
        }
        return code == 0 ? Optional.empty() : Optional.of(failure("exited with " + code + " after " + took, output));
    }

    /**
     * Why the check failed: what it printed last, then the command, how it ended and where its whole output is (kept
     * in the run directory); below, the end of its output for the task's next attempt.
     */
    private String failure(String how, Path output) throws IOException {
        String tail = tail(output);
        String said = LastWords.ofFailure(tail);
        String what = "`" + LastWords.bounded(command, 200) + "` " + how + "; the whole output is in " + output;
        return (said.isEmpty() ? what : said + " (" + what + ")") + "\n" + tail;
    }

    /** Stdout into the file stderr goes to, on a thread of its own: a check may print more than a pipe holds. */
    private static Thread copier(InputStream stdout, Path output) {
        Thread copier = new Thread(() -> {
            try (InputStream in = stdout;
                    OutputStream out = Files.newOutputStream(output, StandardOpenOption.APPEND)) {
                in.transferTo(out);
            } catch (IOException closed) {
                // The check was killed: what it printed so far is in the file.
            }
        }, "troupe-check-output");
        copier.setDaemon(true);
        copier.start();
        return copier;
    }

    /** The end of the check's output, at most {@value #KEPT} characters: read from the end of its log only. */
    private static String tail(Path output) throws IOException {
        // A character takes at most 4 bytes in UTF-8.
        String text = Setup.endOf(output, 4 * KEPT).strip();
        return text.length() > KEPT ? "..." + text.substring(text.length() - KEPT) : text;
    }
}
