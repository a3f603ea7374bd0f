package dev.troupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.journal.Json;
import dev.troupe.testing.FakeAgent;
import dev.troupe.testing.Journals;
import dev.troupe.testing.TestRepo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SIGTERM to {@code troupe run} or {@code troupe resume} while a worker is launching an agent: the agent must be
 * stopped too, or never started, before troupe says that every agent is stopped. Two things make each signal land
 * in a launch and the launch end inside the shutdown: a slow post-checkout hook in the repository (git-lfs installs
 * one) holds every launch in its checkout, and agents that ignore SIGTERM hold the shutdown for the kill grace.
 */
class SigtermDuringLaunchTest {

    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void cleanup() {
        testKit.shutdownTestKit();
    }

    /** In every agent's environment (the goal's agent.env), and in nothing else troupe starts. */
    private static final String MARKER = "TROUPE_TEST_LAUNCH_RACE";

    @TempDir
    Path tmp;

    private final String mark = UUID.randomUUID().toString();
    private Process troupeProcess;

    @AfterEach
    void stopEverything() throws InterruptedException {
        if (troupeProcess != null) {
            troupeProcess.destroyForcibly();
            troupeProcess.waitFor(30, TimeUnit.SECONDS);
        }
        // An agent that escaped ignores SIGTERM and never ends by itself.
        agentsAlive().forEach(ProcessHandle::destroyForcibly);
    }

    @ParameterizedTest(name = "signalled during the launch that follows merge {0}")
    @ValueSource(ints = {1, 3, 5})
    void anAgentWhoseLaunchRacesSigtermIsStoppedBeforeTroupeSaysSo(int merges) throws Exception {
        Path goal = goal(10, merges, "0ms");
        Path said = startTroupe("run", goal.toString());
        awaitJournal("a launch under way after " + merges + " merges",
                events -> count(events, "merge-done") >= merges && launchUnderWay(events));

        troupeProcess.destroy();

        assertEveryAgentStopped(said);
    }

    @Test
    void anAgentWhoseLaunchRacesSigtermOnResumeIsStoppedBeforeTroupeSaysSo() throws Exception {
        // Every task runs until stopped, and launches are staggered, so that one agent runs while the next launches.
        Path goal = goal(6, 0, "500ms");
        startTroupe("run", goal.toString());
        awaitJournal("an agent running and a launch under way",
                SigtermDuringLaunchTest::agentRunningWhileALaunchIsUnderWay);
        troupeProcess.destroy();
        assertTrue(troupeProcess.waitFor(30, TimeUnit.SECONDS), "troupe ended on SIGTERM");

        Path said = startTroupe("resume", "-C", tmp.resolve("repo").toString());
        awaitJournal("an agent of the resumed run running and a launch under way",
                events -> agentRunningWhileALaunchIsUnderWay(since(events, "run-resumed")));

        troupeProcess.destroy();

        assertEveryAgentStopped(said);
    }

    /** troupe exited as SIGTERM says, told that every agent is stopped, and so they are. */
    private void assertEveryAgentStopped(Path said) throws Exception {
        assertTrue(troupeProcess.waitFor(30, TimeUnit.SECONDS), "troupe ended on SIGTERM");
        assertEquals(143, troupeProcess.exitValue());
        String output = Files.readString(said);
        assertTrue(output.contains("interrupted; every agent is stopped"), output);
        // SIGKILL is not instant: a moment for the kernel, far less than an escaped agent (which never ends) lives.
        testKit.createTestProbe().awaitAssert(Duration.ofSeconds(2), Duration.ofMillis(50), () -> {
            assertEquals(List.of(), agentsAlive().stream().map(p -> p.pid() + " " + p.info().commandLine().orElse(""))
                    .toList(), "agents alive after troupe said every agent is stopped");
            return null;
        });
    }

    /** A task is assigned whose agent has not started: a worker is in its checkout. */
    private static boolean launchUnderWay(List<JsonNode> events) {
        return count(events, "task-assigned") > count(events, "agent-started");
    }

    private static boolean agentRunningWhileALaunchIsUnderWay(List<JsonNode> events) {
        return count(events, "agent-started") >= 1 && launchUnderWay(events);
    }

    /** The events after the last of {@code type}; none while there is none. */
    private static List<JsonNode> since(List<JsonNode> events, String type) {
        for (int i = events.size() - 1; i >= 0; i--) {
            if (events.get(i).path("type").asText().equals(type)) {
                return events.subList(i + 1, events.size());
            }
        }
        return List.of();
    }

    /**
     * {@code tasks} tasks for a team of three. The first runs until stopped, and so holds the shutdown for the kill
     * grace; the next {@code quick} finish at once (each merge frees a worker, which launches the next task); the
     * rest run until stopped. Launches are {@code stagger} apart.
     */
    private Path goal(int tasks, int quick, String stagger) throws IOException {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hi\n"));
        Path hook = repo.dir().resolve(".git/hooks/post-checkout");
        Files.writeString(hook, "#!/bin/sh\nsleep 0.5\n");
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
        StringBuilder yaml = new StringBuilder("repo: " + repo.dir() + "\nteam: {size: 3, stagger: " + stagger + "}\n"
                + "agent:\n  command: " + FakeAgent.yamlCommand() + "\n  env: {" + MARKER + ": " + mark + "}\n"
                + "limits:\n  idle-timeout: 1m\ntasks:\n");
        for (int i = 1; i <= tasks; i++) {
            yaml.append("  - id: t").append(i).append("\n    prompt: |\n      ignore-term\n      ")
                    .append(i > 1 && i <= quick + 1 ? "write t" + i + ".txt " + i : "hang").append('\n');
        }
        Path file = tmp.resolve("goal.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    /** Starts troupe as people run it, with a JIT that starts fast; returns the file its output goes to. */
    private Path startTroupe(String... args) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        Path said = tmp.resolve("troupe-" + args[0] + ".out");
        troupeProcess = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(said.toFile()).start();
        return said;
    }

    /** Polls often: a launch is caught while it is in its checkout. */
    private void awaitJournal(String what, Predicate<List<JsonNode>> condition) {
        testKit.createTestProbe().awaitAssert(Duration.ofSeconds(60), Duration.ofMillis(10), () -> {
            if (!condition.test(journal())) {
                throw new AssertionError("not yet: " + what + "; troupe said:\n" + troupeSaid());
            }
            return null;
        });
    }

    private String troupeSaid() {
        try (Stream<Path> files = Files.list(tmp)) {
            StringBuilder said = new StringBuilder();
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".out")).sorted().toList()) {
                said.append(Files.readString(file));
            }
            return said.toString();
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    /** The live run's journal, whose last line may be half written. */
    private List<JsonNode> journal() {
        List<JsonNode> read = new ArrayList<>();
        try (Stream<Path> runs = Files.list(tmp.resolve("repo/.troupe/runs"))) {
            Path events = runs.findFirst().orElseThrow().resolve("events.jsonl");
            for (String line : Files.readAllLines(events)) {
                try {
                    read.add(Json.MAPPER.readTree(line));
                } catch (IOException torn) {
                    // The writer is mid-line.
                }
            }
        } catch (IOException | RuntimeException notYet) {
            // No run directory or journal yet.
        }
        return read;
    }

    private static long count(List<JsonNode> events, String type) {
        return Journals.ofType(events, type).size();
    }

    /** Processes with this test's mark in their environment: the agents and whatever they started. */
    private List<ProcessHandle> agentsAlive() {
        byte[] entry = (MARKER + "=" + mark).getBytes(StandardCharsets.UTF_8);
        List<ProcessHandle> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path process : entries) {
                try {
                    if (holds(Files.readAllBytes(process.resolve("environ")), entry)) {
                        ProcessHandle.of(Long.parseLong(process.getFileName().toString())).ifPresent(found::add);
                    }
                } catch (IOException | NumberFormatException gone) {
                    // Ended meanwhile.
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot list /proc", e);
        }
        return found;
    }

    /** {@code environ} is NUL-separated NAME=value entries. */
    private static boolean holds(byte[] environ, byte[] entry) {
        int start = 0;
        for (int i = 0; i <= environ.length; i++) {
            if (i == environ.length || environ[i] == 0) {
                if (i - start == entry.length && java.util.Arrays.equals(environ, start, i, entry, 0, entry.length)) {
                    return true;
                }
                start = i + 1;
            }
        }
        return false;
    }
}
