package dev.troupe.git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.lib.ObjectId;

/**
 * Runs the goal's {@code sync.check} command ({@code bash -c}) in a scratch worktree checked out at a merge
 * commit, before the integration branch moves there. The worktree is the merger's own and reused; the output
 * kept for the failure reason is its last {@value #KEPT} characters.
 */
public final class CheckRunner implements IntegrationBranch.Check {

    static final int KEPT = 4000;

    private final Path repo;
    private final Path scratch;
    private final String command;
    private final Duration timeout;

    public CheckRunner(Path repo, Path scratch, String command, Duration timeout) {
        this.repo = repo;
        this.scratch = scratch;
        this.command = command;
        this.timeout = timeout;
    }

    @Override
    public Optional<String> run(ObjectId mergeCommit) throws GitException {
        Worktrees.checkoutFresh(repo, scratch, mergeCommit.name());
        try {
            Path output = Files.createTempFile("troupe-check", ".txt");
            try {
                Process process = new ProcessBuilder("bash", "-c", command).directory(scratch.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                        .redirectErrorStream(true).redirectOutput(output.toFile()).start();
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
