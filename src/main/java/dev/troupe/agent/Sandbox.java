package dev.troupe.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The bubblewrap ({@code bwrap}) command line that confines one agent: the whole system read-only, a /tmp of its
 * own, only the directories it is given writable, the network as it is (the API must stay reachable).
 * {@link #unavailable} says why no sandbox can be made on this machine, so that a run refuses before it starts.
 */
public final class Sandbox {

    /** The executable, looked up on PATH. */
    public static final String BWRAP = "bwrap";

    private static final Path TMP = Path.of("/tmp");

    private Sandbox() {}

    /**
     * {@code argv} run under bwrap, starting in {@code workdir}. Later binds win over earlier ones, so the order is:
     * the system read-only, an empty /tmp over it, then {@code readable} read-only (needed only for what lives
     * under /tmp, which the empty one hides), then {@code workdir} and {@code writable} writable, and last
     * {@code keptAsTheyAre}: files inside those that stay read-only. A path that does not exist is left out: bwrap
     * refuses to bind it, and there is nothing there to read or write.
     *
     * <p>No {@code --die-with-parent}: it fires when the <em>thread</em> that started bwrap ends, and the JVM
     * starts processes from pool threads, so agents would die at random; troupe stops agents by their process tree
     * anyway. No {@code --unshare-net}: the agent talks to the API. {@code --new-session} keeps the agent from
     * pushing input into troupe's terminal.
     */
    public static List<String> wrap(List<String> argv, Path workdir, List<Path> readable, List<Path> writable,
            List<Path> keptAsTheyAre) throws IOException {
        List<String> wrapped = new ArrayList<>(List.of(BWRAP, "--new-session",
                "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", TMP.toString()));
        for (Path path : readable) {
            bind(wrapped, "--ro-bind", path);
        }
        Path dir = workdir.toRealPath();
        bind(wrapped, "--bind", dir);
        for (Path path : writable) {
            bind(wrapped, "--bind", path);
        }
        for (Path path : keptAsTheyAre) {
            bind(wrapped, "--ro-bind", path);
        }
        wrapped.addAll(List.of("--chdir", dir.toString(), "--"));
        wrapped.addAll(argv);
        return wrapped;
    }

    /** Symbolic links resolved: bwrap mounts on the path as given, inside a tree where links may lead elsewhere. */
    private static void bind(List<String> argv, String how, Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        String real = path.toRealPath().toString();
        argv.addAll(List.of(how, real, real));
    }

    /**
     * Why agents cannot be sandboxed here, or empty when they can: bwrap is not on PATH, or it cannot make a
     * sandbox (some containers forbid the user namespaces it needs), which one trial run shows.
     */
    public static Optional<String> unavailable() {
        Optional<Path> bwrap = AgentCommand.onPath(BWRAP);
        if (bwrap.isEmpty()) {
            return Optional.of("sandbox: true needs bubblewrap, and there is no bwrap on PATH; install it"
                    + " (apt-get install bubblewrap) or set sandbox: false");
        }
        try {
            Process trial = new ProcessBuilder(bwrap.get().toString(), "--ro-bind", "/", "/", "true")
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectErrorStream(true)
                    .start();
            if (!trial.waitFor(30, TimeUnit.SECONDS)) {
                trial.destroyForcibly();
                return Optional.of("sandbox: true, but " + bwrap.get() + " did not finish a trial run within 30 s");
            }
            String said = new String(trial.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (trial.exitValue() != 0) {
                return Optional.of("sandbox: true, but " + bwrap.get() + " cannot make a sandbox here (" + (said.isEmpty()
                        ? "exit " + trial.exitValue() : said) + "); it needs user namespaces, which this machine or"
                        + " container may forbid (in Docker: --security-opt seccomp=unconfined), or set sandbox: false");
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("sandbox: true, but " + bwrap.get() + " cannot be run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while trying " + bwrap.get());
        }
    }
}
