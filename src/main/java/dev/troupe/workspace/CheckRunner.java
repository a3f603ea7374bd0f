package dev.troupe.workspace;

import dev.troupe.agent.Secrets;
import dev.troupe.git.GitException;
import dev.troupe.git.IntegrationBranch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.lib.ObjectId;

/**
 * Runs the goal's {@code sync.check} command ({@code bash -c}) in a workspace of its own (number 0, {@code check})
 * prepared at a merge commit like a worker's (copied files, setup), before the integration branch moves there.
 * The workspace is the merger's and reused; the output kept for the failure reason is its last {@value #KEPT}
 * characters.
 */
public final class CheckRunner implements IntegrationBranch.Check {

    static final int KEPT = 4000;

    private final Workspaces workspaces;
    private final String command;
    private final Duration timeout;
    private final Map<String, String> env;
    private final Workspaces.Listener listener;
    /** Claimed at the first check; only the merger's thread runs checks, one at a time. */
    private Workspace workspace;

    /**
     * @param env what the check (and its workspace's setup) runs with, on top of the workspace's number and port
     * @param listener told of the check workspace's setup
     */
    public CheckRunner(Workspaces workspaces, String command, Duration timeout, Map<String, String> env,
            Workspaces.Listener listener) {
        this.workspaces = workspaces;
        this.command = command;
        this.timeout = timeout;
        this.env = env;
        this.listener = listener;
    }

    @Override
    public Optional<String> run(ObjectId mergeCommit) throws GitException, IntegrationBranch.CheckCannotRun {
        Map<String, String> environment = new HashMap<>(env);
        try {
            if (workspace == null) {
                workspace = workspaces.claimCheck();
            }
            environment.putAll(workspace.environment(workspaces.spec().ports()));
            workspaces.prepare(workspace, mergeCommit.name(), environment, listener);
        } catch (SetupFailed failed) {
            // Retired: a later merge claims another check workspace, and sets it up afresh, should the run go on.
            workspaces.retire(workspace);
            workspace = null;
            throw new IntegrationBranch.CheckCannotRun(failed.getMessage());
        } catch (IOException e) {
            throw new GitException("cannot prepare the check's workspace: " + e.getMessage(), e);
        }
        Path scratch = workspace.dir();
        try {
            Path output = Files.createTempFile("troupe-check", ".txt");
            try {
                ProcessBuilder builder = new ProcessBuilder("bash", "-c", command).directory(scratch.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                        .redirectErrorStream(true).redirectOutput(output.toFile());
                builder.environment().putAll(Secrets.withoutApiCredentials(environment));
                Process process = builder.start();
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly().waitFor();
                    return Optional.of("`" + command + "` ran past " + timeout.toSeconds() + " s and was stopped\n" + tail(output));
                }
                int code = process.exitValue();
                return code == 0 ? Optional.empty() : Optional.of("`" + command + "` exited with " + code + "\n" + tail(output));
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            throw new GitException("cannot run the check `" + command + "`: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GitException("interrupted while running the check", e);
        }
    }

    private static String tail(Path output) throws IOException {
        String text = new String(Files.readAllBytes(output), StandardCharsets.UTF_8).strip();
        return text.length() > KEPT ? "..." + text.substring(text.length() - KEPT) : text;
    }
}
