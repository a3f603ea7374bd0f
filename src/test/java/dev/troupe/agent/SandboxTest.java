package dev.troupe.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        assertEquals(java.util.Optional.empty(), Sandbox.unavailable(), "bin/test installs bubblewrap");
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
        List<String> argv = Sandbox.wrap(List.of("bash", "-c", script), workspace, List.of(repo), List.of(writable),
                List.of(workspace.resolve(".git")));
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

    @Test
    void theNetworkStaysReachable() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<String> heard = CompletableFuture.supplyAsync(() -> {
                try (Socket client = server.accept()) {
                    return new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });

            Ran ran = sandboxed("echo hello > /dev/tcp/127.0.0.1/" + server.getLocalPort());

            assertEquals(0, ran.exitCode(), ran.output());
            assertEquals("hello\n", heard.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void theSandboxDoesNotDieWithTheThreadThatStartedIt() throws Exception {
        List<String> argv = Sandbox.wrap(List.of("sleep", "1"), workspace, List.of(), List.of(), List.of());

        assertFalse(argv.contains("--die-with-parent"), "the JVM starts processes from threads that come and go");
        assertFalse(argv.contains("--unshare-net"));
        assertTrue(argv.indexOf("--tmpfs") < argv.indexOf("--bind"), "the workspace is bound over the empty /tmp");
    }
}
