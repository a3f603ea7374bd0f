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
 * own, only the directories it is given writable, and either the network as it is or a network namespace of its
 * own whose only ways out are the bridges of a {@link SandboxNetwork}. {@link #unavailable} says why no sandbox
 * can be made on this machine, so that a run refuses before it starts.
 */
public final class Sandbox {

    /** The executable, looked up on PATH. */
    public static final String BWRAP = "bwrap";

    /** What carries a confined sandbox's ports to troupe's sockets, looked up on PATH. */
    public static final String SOCAT = "socat";

    /**
     * How long, once the agent ended and the bridges stopped listening, the connections they still carry may take to
     * hand on their last bytes (socat ends one half a second after its agent side closed), in tries 50 ms apart.
     */
    private static final int DRAIN_TRIES = 20;

    /** How long the bridges may take to listen before the agent starts, in tries 10 ms apart. */
    private static final int BRIDGE_TRIES = 500;

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
     * anyway. {@code --new-session} keeps the agent from pushing input into troupe's terminal.
     *
     * <p>With a {@code network}, the sandbox has a network and a process namespace of its own
     * ({@code --unshare-net --unshare-pid}): a shell starts one {@code socat} per bridge, waits until the IPv4 ones
     * listen, runs the agent and ends every process of the sandbox after it. Every Unix socket of the machine's
     * file system (a database's, Docker's, the user's D-Bus, which can start a command outside) is masked with
     * {@code /dev/null}: a read-only mount still lets a socket be connected to. Without a network, the agent shares
     * the machine's network and sockets.
     */
    public static List<String> wrap(List<String> argv, Path workdir, List<Path> readable, List<Path> writable,
            List<Path> keptAsTheyAre, Optional<SandboxNetwork> network) throws IOException {
        List<String> wrapped = new ArrayList<>(List.of(BWRAP, "--new-session"));
        if (network.isPresent()) {
            wrapped.addAll(List.of("--unshare-net", "--unshare-pid"));
        }
        wrapped.addAll(List.of("--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", TMP.toString()));
        for (Path path : readable) {
            bind(wrapped, "--ro-bind", path);
        }
        if (network.isPresent()) {
            bind(wrapped, "--ro-bind", network.get().dir());
        }
        Path dir = workdir.toRealPath();
        bind(wrapped, "--bind", dir);
        for (Path path : writable) {
            bind(wrapped, "--bind", path);
        }
        for (Path path : keptAsTheyAre) {
            bind(wrapped, "--ro-bind", path);
        }
        if (network.isPresent()) {
            for (Path socket : HostSockets.visibleIn(readable, network.get().dir())) {
                wrapped.addAll(List.of("--ro-bind", "/dev/null", socket.toString()));
            }
        }
        wrapped.addAll(List.of("--chdir", dir.toString(), "--"));
        if (network.isPresent()) {
            wrapped.addAll(List.of("/bin/sh", "-c", bridging(network.get()), "troupe-sandbox"));
        }
        wrapped.addAll(argv);
        return wrapped;
    }

    /**
     * The shell that starts the bridges, waits for the IPv4 ones to listen (an IPv6 one may fail where the kernel
     * has no IPv6: {@code localhost} still resolves to 127.0.0.1), runs the agent, and when it ends stops the bridges'
     * listening, lets the connections they carry hand on their last bytes (a second at most: only the sandbox's init
     * and this shell left), then kills every other process of the sandbox (what the agent left running): bwrap's init
     * outlives the agent for as long as any of them is left.
     */
    private static String bridging(SandboxNetwork network) throws IOException {
        String socat = AgentCommand.onPath(SOCAT).orElseThrow(() -> new IOException(NO_SOCAT)).toString();
        StringBuilder script = new StringBuilder("bridges=\n");
        StringBuilder ports = new StringBuilder();
        for (SandboxNetwork.Bridge bridge : network.bridges()) {
            boolean v6 = bridge.address().contains(":");
            script.append(socat).append(" -lp troupe-bridge ").append(v6 ? "TCP6" : "TCP4").append("-LISTEN:")
                    .append(bridge.port()).append(",bind=").append(v6 ? "[::1]" : bridge.address())
                    .append(",reuseaddr,fork UNIX-CONNECT:'").append(bridge.socket()).append("' &\n")
                    .append("bridges=\"$bridges $!\"\n");
            if (!v6) {
                ports.append(String.format(" %04X", bridge.port()));
            }
        }
        script.append("""
                for port in%s; do
                  tries=0
                  until grep -q ":$port 00000000:0000 0A" /proc/net/tcp; do
                    tries=$((tries + 1))
                    if [ $tries -gt %d ]; then
                      echo "troupe: the sandbox's network bridges did not start (socat)" >&2; exit 125
                    fi
                    sleep 0.01
                  done
                done
                "$@"
                code=$?
                kill $bridges 2>/dev/null
                tries=0
                while set -- /proc/[0-9]*; [ $# -gt 2 ] && [ $tries -lt %d ]; do
                  tries=$((tries + 1))
                  sleep 0.05
                done
                kill -KILL -1 2>/dev/null
                exit $code
                """.formatted(ports, BRIDGE_TRIES, DRAIN_TRIES));
        return script.toString();
    }

    private static final String NO_SOCAT = "a sandbox with a confined network needs socat, and there is no socat on PATH;"
            + " install it (apt-get install socat) or set sandbox: {network: any}";

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
     * sandbox (some containers forbid the user namespaces it needs), which one trial run shows; for a confined
     * network, also socat is not on PATH, or bwrap cannot give the sandbox a network namespace of its own.
     */
    public static Optional<String> unavailable(boolean confinedNetwork) {
        if (confinedNetwork ? confinedWorks : filesWork) {
            return Optional.empty(); // tried already in this JVM: a node asks before each attempt
        }
        Optional<String> why = tryOnce(confinedNetwork);
        if (why.isEmpty()) {
            if (confinedNetwork) {
                confinedWorks = true;
            } else {
                filesWork = true;
            }
        }
        return why;
    }

    /** Whether a sandbox (with a confined network, or with the files alone) was made once already in this JVM. */
    private static volatile boolean confinedWorks;
    private static volatile boolean filesWork;

    private static Optional<String> tryOnce(boolean confinedNetwork) {
        Optional<Path> bwrap = AgentCommand.onPath(BWRAP);
        if (bwrap.isEmpty()) {
            return Optional.of("sandbox: true needs bubblewrap, and there is no bwrap on PATH; install it"
                    + " (apt-get install bubblewrap) or set sandbox: false");
        }
        if (confinedNetwork && AgentCommand.onPath(SOCAT).isEmpty()) {
            return Optional.of(NO_SOCAT);
        }
        try {
            List<String> trialArgv = new ArrayList<>(List.of(bwrap.get().toString()));
            if (confinedNetwork) {
                trialArgv.addAll(List.of("--unshare-net", "--unshare-pid"));
            }
            // What every sandbox mounts: some containers refuse a /proc or /dev of the sandbox's own.
            trialArgv.addAll(List.of("--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "true"));
            Process trial = new ProcessBuilder(trialArgv)
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
