package dev.troupe.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.troupe.goal.Endpoint;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real bwrap around a shell, laid out as a run lays out a repository under /tmp: the user's checkout, and two
 * workers' workspaces inside it.
 */
class SandboxTest {

    @TempDir
    Path tmp;

    private Path repo;
    private Path workspace;
    private Path otherWorkspace;

    @BeforeAll
    static void bwrapIsThere() {
        assertEquals(java.util.Optional.empty(), Sandbox.unavailable(true), "bin/test installs bubblewrap");
    }

    @BeforeEach
    void layout() throws IOException {
        repo = Files.createDirectories(tmp.resolve("repo"));
        Files.writeString(repo.resolve("README.md"), "the user's\n");
        workspace = Files.createDirectories(repo.resolve(".troupe/worktrees/worker-1"));
        otherWorkspace = Files.createDirectories(repo.resolve(".troupe/worktrees/worker-2"));
        Files.writeString(workspace.resolve(".git"), "gitdir: " + repo.resolve(".git/worktrees/worker-1") + "\n");
    }

    private record Ran(int exitCode, String output) {}

    /** {@code script} run by bash in the sandbox of {@link #workspace}, the repository readable. */
    private Ran sandboxed(String script, Path... writable) throws Exception {
        return sandboxed(java.util.Optional.empty(), script, writable);
    }

    /** The same, with the sandbox's network confined to {@code network}'s bridges when given. */
    private Ran sandboxed(java.util.Optional<SandboxNetwork> network, String script, Path... writable) throws Exception {
        List<String> argv = Sandbox.wrap(List.of("bash", "-c", script), workspace, List.of(repo), List.of(writable),
                List.of(workspace.resolve(".git")), network);
        Process process = new ProcessBuilder(argv).directory(workspace.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        return new Ran(process.exitValue(), output);
    }

    @Test
    void anAgentWritesInItsWorkspaceAndReadsTheRepository() throws Exception {
        Ran ran = sandboxed("echo made > made.txt && mkdir -p sub && echo deeper > sub/x.txt && pwd && cat ../../../README.md");

        assertEquals(0, ran.exitCode(), ran.output());
        assertEquals(workspace.toRealPath() + "\nthe user's\n", ran.output(), "it starts in its workspace");
        assertEquals("made\n", Files.readString(workspace.resolve("made.txt")));
        assertEquals("deeper\n", Files.readString(workspace.resolve("sub/x.txt")));
    }

    @Test
    void anAgentCannotWriteOutsideItsWorkspace() throws Exception {
        for (String attempt : List.of("echo x > ../../outside.txt", "echo x > ../worker-2/planted.txt",
                "echo overwritten > ../../../README.md", "rm ../../../README.md", "mkdir ../worker-3",
                "echo x > $HOME/.troupe-sandbox-test")) {
            Ran ran = sandboxed(attempt);
            assertNotEquals(0, ran.exitCode(), attempt + " was allowed");
        }
        // Beside the repository, under /tmp, is the sandbox's own /tmp: the write works there and is lost.
        sandboxed("echo x > " + tmp.resolve("beside-the-repo.txt"));
        assertFalse(Files.exists(repo.resolve(".troupe/outside.txt")));
        assertFalse(Files.exists(otherWorkspace.resolve("planted.txt")));
        assertFalse(Files.exists(repo.resolve(".troupe/worktrees/worker-3")));
        assertFalse(Files.exists(tmp.resolve("beside-the-repo.txt")));
        assertFalse(Files.exists(Path.of(System.getProperty("user.home"), ".troupe-sandbox-test")));
        assertEquals("the user's\n", Files.readString(repo.resolve("README.md")));
    }

    @Test
    void aFileKeptAsItIsInsideTheWorkspaceCannotBeChangedNorReplaced() throws Exception {
        String pointer = Files.readString(workspace.resolve(".git"));

        for (String attempt : List.of("echo 'gitdir: /elsewhere' > .git", "rm .git", "mv .git moved",
                "mkdir -p /tmp/x && echo 'gitdir: /elsewhere' > /tmp/x/g && mv /tmp/x/g .git")) {
            assertNotEquals(0, sandboxed(attempt).exitCode(), attempt + " was allowed");
        }
        assertEquals(pointer, Files.readString(workspace.resolve(".git")));
    }

    @Test
    void theDirectoriesItIsGivenAreWritableAndTmpIsItsOwn() throws Exception {
        Path config = Files.createDirectories(repo.resolve(".troupe/runs/r/config/worker-1"));

        Ran ran = sandboxed("echo s > " + config.resolve("session.json") + " && echo t > /tmp/scratch && cat /tmp/scratch",
                config);

        assertEquals(0, ran.exitCode(), ran.output());
        assertEquals("s\n", Files.readString(config.resolve("session.json")));
        assertFalse(Files.exists(Path.of("/tmp/scratch")), "the sandbox's /tmp is not the machine's");
    }

    /** What one connection to {@code server} says, read on another thread. */
    private static CompletableFuture<String> heard(ServerSocket server) {
        return CompletableFuture.supplyAsync(() -> {
            try (Socket client = server.accept()) {
                return new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Test
    void withTheNetworkAsItIsALocalServerIsReachable() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<String> heard = heard(server);

            Ran ran = sandboxed("echo hello > /dev/tcp/127.0.0.1/" + server.getLocalPort());

            assertEquals(0, ran.exitCode(), ran.output());
            assertEquals("hello\n", heard.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aConfinedSandboxReachesItsListedPortDirectlyAndThroughItsProxyAndNothingElse() throws Exception {
        try (ServerSocket listed = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
                ServerSocket unlisted = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            SandboxNetwork network = SandboxNetwork.of(List.of(Endpoint.parse("127.0.0.1:" + listed.getLocalPort()),
                    Endpoint.parse("registry.example:443")));
            String proxy = network.environment().get("HTTPS_PROXY");
            int proxyPort = Integer.parseInt(proxy.substring(proxy.lastIndexOf(':') + 1));
            CompletableFuture<String> direct = heard(listed);

            Ran ran = sandboxed(java.util.Optional.of(network), String.join("\n",
                    "echo direct > /dev/tcp/127.0.0.1/" + listed.getLocalPort() + " && echo sent",
                    "(echo x > /dev/tcp/127.0.0.1/" + unlisted.getLocalPort() + ") 2>/dev/null || echo other port unreachable",
                    "(echo x > /dev/tcp/10.255.255.1/443) 2>/dev/null || echo other host unreachable",
                    "connect() { exec 3<>/dev/tcp/127.0.0.1/" + proxyPort + "; printf 'CONNECT %s HTTP/1.1\\r\\nHost: %s\\r\\n\\r\\n' \"$1\" \"$1\" >&3; head -n 1 <&3; exec 3>&-; }",
                    "connect 127.0.0.1:" + unlisted.getLocalPort(),
                    "connect 10.255.255.1:443",
                    "connect evil.example:443"));

            assertEquals(0, ran.exitCode(), ran.output());
            assertEquals("direct\n", direct.get(10, TimeUnit.SECONDS));
            assertEquals(List.of("sent", "other port unreachable", "other host unreachable",
                    "HTTP/1.1 403 Forbidden", "HTTP/1.1 403 Forbidden", "HTTP/1.1 403 Forbidden"),
                    ran.output().lines().toList(), ran.output());

            CompletableFuture<String> proxied = heard(listed);
            Ran through = sandboxed(java.util.Optional.of(network), "exec 3<>/dev/tcp/127.0.0.1/" + proxyPort
                    + "; printf 'CONNECT localhost:" + listed.getLocalPort() + " HTTP/1.1\\r\\n\\r\\n' >&3;"
                    + " head -n 1 <&3; echo through the proxy >&3; exec 3>&-");
            assertEquals(0, through.exitCode(), through.output());
            assertEquals("HTTP/1.1 200 Connection established\r\n", through.output());
            assertEquals("through the proxy\n", proxied.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aConfinedSandboxCannotConnectToTheMachinesUnixSockets() throws Exception {
        // A socket where the sandbox can see it (the repository is shown read-only), as a database's or D-Bus's is.
        Path path = repo.resolve("service.sock");
        try (java.nio.channels.ServerSocketChannel service = java.nio.channels.ServerSocketChannel.open(
                java.net.StandardProtocolFamily.UNIX)) {
            service.bind(java.net.UnixDomainSocketAddress.of(path));
            SandboxNetwork network = SandboxNetwork.of(List.of(Endpoint.parse("api.example:443")));
            String reach = "socat -u OPEN:/dev/null UNIX-CONNECT:" + path + " 2>/dev/null && echo reached || echo refused";

            Ran confined = sandboxed(java.util.Optional.of(network), reach);
            Ran open = sandboxed(reach);

            assertEquals("refused\n", confined.output(), "masked inside the confined sandbox");
            assertEquals("reached\n", open.output(), "the same socket, reached with the network as it is");
        }
    }

    @Test
    void theSandboxDoesNotDieWithTheThreadThatStartedIt() throws Exception {
        List<String> argv = Sandbox.wrap(List.of("sleep", "1"), workspace, List.of(), List.of(), List.of(),
                java.util.Optional.empty());

        assertFalse(argv.contains("--die-with-parent"), "the JVM starts processes from threads that come and go");
        assertFalse(argv.contains("--unshare-net"));
        assertTrue(argv.indexOf("--tmpfs") < argv.indexOf("--bind"), "the workspace is bound over the empty /tmp");
    }
}
