package dev.troupe.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.troupe.testing.FakeAgent;
import dev.troupe.testing.Journals;
import dev.troupe.testing.TestRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** troupe as its own process, stopped from outside: no agent may outlive it. */
class InterruptTest {

    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void cleanup() {
        testKit.shutdownTestKit();
    }

    @TempDir
    Path tmp;

    @Test
    void sigtermStopsEveryAgentAndWhatItStarted() throws Exception {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hi\n"));
        String seconds = Integer.toString(100_000 + new java.util.Random().nextInt(900_000));
        Path goal = tmp.resolve("goal.yaml");
        Files.writeString(goal, "repo: " + repo.dir() + "\nteam: {size: 2, stagger: 0ms}\n"
                + "agent:\n  command: " + FakeAgent.yamlCommand() + "\n"
                + "tasks:\n"
                + "  - id: one\n    prompt: |\n      spawn " + seconds + "\n      hang\n"
                + "  - id: two\n    prompt: hang\n");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process troupe = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "run", goal.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("troupe.out").toFile()).start();

        List<Long> agents = awaitAgents(repo, 2);
        troupe.destroy();

        assertTrue(troupe.waitFor(30, TimeUnit.SECONDS), "troupe ended on SIGTERM");
        for (long pid : agents) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "agent " + pid + " survived");
        }
        assertFalse(ProcessHandle.allProcesses().anyMatch(p -> p.info().commandLine().orElse("").contains("sleep " + seconds)),
                "what an agent started survived");
        assertTrue(Files.readString(tmp.resolve("troupe.out")).contains("interrupted; every agent is stopped"));
    }

    /** The pids of the first {@code count} agents, once the journal shows them started. */
    private static List<Long> awaitAgents(TestRepo repo, int count) {
        return testKit.createTestProbe().awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(100), () -> {
            Path runs = repo.dir().resolve(".troupe/runs");
            try (Stream<Path> dirs = Files.isDirectory(runs) ? Files.list(runs) : Stream.empty()) {
                Path events = dirs.findFirst().orElseThrow(() -> new AssertionError("no run yet")).resolve("events.jsonl");
                List<Long> pids = Journals.ofType(Files.exists(events) ? Journals.read(events) : List.of(), "agent-started")
                        .stream().map(e -> e.path("pid").asLong()).toList();
                if (pids.size() < count) {
                    throw new AssertionError("agents started: " + pids);
                }
                return pids;
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
    }
}
