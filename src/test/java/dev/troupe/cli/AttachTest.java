package dev.troupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.testing.Await;
import dev.troupe.testing.Journals;
import dev.troupe.testing.TestRepo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code troupe attach} on a live run of the demo agent in another process: the agent's output as it comes, each
 * line typed told to it and answered, end of input detaching and leaving the run be.
 */
class AttachTest {

    @TempDir
    Path tmp;

    @Test
    void aLineTypedWhileAttachedIsTakenInDuringTheTurnAndEndOfInputDetachesLeavingTheRunBe() throws Exception {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hello\n"));
        Process troupe = startRun(repo, "one", "Write \"Un.\" to notes/one.txt (takes 8s).");
        try {
            Await.until(() -> !Journals.ofType(journal(repo), "agent-started").isEmpty(), "one's agent is at work");
            PipedOutputStream typing = new PipedOutputStream();
            PipedInputStream typed = new PipedInputStream(typing);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            CompletableFuture<Integer> attached = CompletableFuture.supplyAsync(() -> Main.execute(
                    new String[] {"attach", "-C", repo.dir().toString(), "one"}, typed,
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)));

            awaitShown(out, err, "Working on notes/one.txt", "attach shows the agent at work");
            typing.write("\n  \nalso write \"hello\" to notes/extra.txt\n".getBytes(StandardCharsets.UTF_8));
            typing.flush();
            awaitShown(out, err, "delivered to its agent", "the run's reply is shown");
            // The reply comes once troupe read the agent's echo; attach shows the echo when its follow gets to it.
            awaitShown(out, err, "user: also write", "the agent's echo of the message is shown");
            typing.close();

            assertEquals(0, attached.get(60, TimeUnit.SECONDS), shown(out) + shown(err));
            String shown = shown(out);
            assertTrue(shown.contains("## Attached to one"), shown);
            assertTrue(shown.contains("user: also write \"hello\" to notes/extra.txt"), "the message as the agent heard it: "
                    + shown);
            assertTrue(shown.contains("troupe: task 'one': delivered to its agent on worker-1 (attempt 1)"), shown);
            assertTrue(shown.strip().endsWith("troupe: detached; the agent works on"), shown);
            assertEquals("", shown(err), "the blank lines were not sent");
            assertEquals(1, Journals.ofType(journal(repo), "message-delivered").size(), "one message, once");
            assertEquals(0, troupe.waitFor(120, TimeUnit.SECONDS) ? troupe.exitValue() : -1,
                    "the run goes on to its end: " + Files.readString(tmp.resolve("run.out")));
        } finally {
            troupe.destroyForcibly();
        }
        List<JsonNode> events = journal(repo);
        assertTrue(Journals.ofType(events, "run-stopped").isEmpty(), "attach did not stop the run");
        String branch = Journals.ofType(events, "run-started").get(0).path("integrationBranch").asText();
        assertEquals("hello", repo.show(branch, "notes/extra.txt").strip(), "what it was told is merged");
        assertEquals("Un.", repo.show(branch, "notes/one.txt").strip());
        assertEquals(List.of("one"), repo.mergedTasks(branch), "in its one attempt");
    }

    @Test
    void attachingToATaskTheRunHasNotIsBadInput() throws Exception {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hello\n"));
        Process troupe = startRun(repo, "one", "Write \"Un.\" to notes/one.txt (takes 3s).");
        try {
            Await.until(() -> !Journals.ofType(journal(repo), "agent-started").isEmpty(), "one's agent is at work");
            String runId = Journals.ofType(journal(repo), "run-started").get(0).path("run").asText();

            Invocation attach = Invocation.troupe("attach", "-C", repo.dir().toString(), "nope");

            assertEquals(ExitCodes.BAD_INPUT, attach.exitCode(), attach.out() + attach.err());
            assertEquals("troupe: run " + runId + " has no task 'nope'", attach.err().strip());
            assertEquals(0, troupe.waitFor(120, TimeUnit.SECONDS) ? troupe.exitValue() : -1,
                    "the run goes on to its end: " + Files.readString(tmp.resolve("run.out")));
        } finally {
            troupe.destroyForcibly();
        }
    }

    @Test
    void withNoLiveRunThereIsNothingToAttachTo() {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hello\n"));

        Invocation attach = Invocation.troupe("attach", "-C", repo.dir().toString(), "one");

        assertEquals(ExitCodes.BAD_INPUT, attach.exitCode());
        assertEquals("troupe: no live run in " + repo.dir() + ": nothing to attach to", attach.err().strip());
    }

    /** {@code troupe run} in a JVM of its own, the demo agent doing one task. */
    private Process startRun(TestRepo repo, String task, String prompt) throws IOException {
        Path goal = tmp.resolve("goal.yaml");
        Files.writeString(goal, "goal: test\nrepo: " + repo.dir() + "\nteam: {size: 1, stagger: 0ms}\n"
                + "agent: {command: [demo]}\n"
                + "tasks:\n  - id: " + task + "\n    prompt: " + prompt + "\n");
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder run = new ProcessBuilder(javaBin.toString(), "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "run", goal.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("run.out").toFile());
        // Its steps other than the seconds it was told to take, quick.
        run.environment().put("TROUPE_DEMO_PACE_MS", "50");
        return run.start();
    }

    /** Waits for attach to print {@code text}; failing, says what it printed. */
    private static void awaitShown(ByteArrayOutputStream out, ByteArrayOutputStream err, String text, String what)
            throws InterruptedException {
        try {
            Await.until(() -> shown(out).contains(text), what);
        } catch (AssertionError notShown) {
            throw new AssertionError(notShown.getMessage() + "; attach printed:\n" + shown(out) + shown(err), notShown);
        }
    }

    private static String shown(ByteArrayOutputStream printed) {
        return printed.toString(StandardCharsets.UTF_8);
    }

    private static List<JsonNode> journal(TestRepo repo) {
        try (Stream<Path> runs = Files.list(repo.dir().resolve(".troupe/runs"))) {
            Path events = runs.findFirst().orElseThrow().resolve("events.jsonl");
            return Files.exists(events) ? Journals.readLive(events) : List.of();
        } catch (IOException | java.util.NoSuchElementException notYet) {
            return List.of();
        }
    }
}
