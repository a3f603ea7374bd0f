package dev.troupe.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.journal.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo agent as troupe runs it, a process of its own: resuming its sessions, heeding what it was told, and
 * taking live input on its stdin as Claude Code does.
 */
class DemoAgentTest {

    @TempDir
    Path tmp;

    record Ran(int exitCode, String out, String err) {}

    private Ran demo(String... args) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), DemoAgent.class.getName(),
                "-p", "--output-format", "stream-json", "--verbose"));
        argv.addAll(List.of(args));
        Files.createDirectories(tmp.resolve("work"));
        ProcessBuilder builder = new ProcessBuilder(argv).directory(tmp.resolve("work").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectError(tmp.resolve("err.txt").toFile());
        builder.environment().put("CLAUDE_CODE_TMPDIR", tmp.resolve("sessions").toString());
        builder.environment().put("TROUPE_DEMO_PACE_MS", "0");
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the demo agent ends");
        return new Ran(process.exitValue(), out, Files.readString(tmp.resolve("err.txt")));
    }

    @Test
    void aResumedSessionGoesOnWithItsFirstTaskAndAnUnknownOneFailsAsTheCliDoes() throws Exception {
        Ran first = demo("--session-id", "s-1", "--", "Add \"Hello!\" to greetings.txt.");
        Ran resumed = demo("--resume", "s-1", "--fork-session", "--session-id", "s-2", "--",
                "From troupe: your work did not make it in; do the task again.");
        Ran unknown = demo("--resume", "s-9", "--fork-session", "--session-id", "s-3", "--", "Go on.");

        assertEquals(0, first.exitCode(), first.err());
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertTrue(resumed.out().contains("Picking up where I left off (Add \\\"Hello!\\\" to greetings.txt.)"),
                resumed.out());
        assertTrue(resumed.out().contains("\"session_id\":\"s-2\""), "forked into the session it was given");
        assertEquals("Hello!\nHello!\n", Files.readString(tmp.resolve("work/greetings.txt")), "the task done twice");
        assertEquals(1, unknown.exitCode());
        assertTrue(unknown.out().contains("\"is_error\":true") && unknown.err().contains("No conversation found"),
                unknown.out() + unknown.err());
    }

    @Test
    void whatItWasToldWithAQuotedTextIsWrittenInsteadOfThePromptsOwn() {
        String prompt = "Write \"Four.\" into notes/four.txt.\n\n---\nFrom troupe, which runs this team:\n\n"
                + "While the team worked, the person running it told this task:\n- Write \"Quatre.\" instead.\n";

        assertEquals(Optional.of("Quatre."), DemoAnswers.toldText(prompt));
        assertEquals(Optional.empty(), DemoAnswers.toldText("Write \"Four.\" into notes/four.txt."));
    }

    @Test
    void thePromptFromStdinIsDoneInOneTurnAndTheAgentWaitsForStdinToCloseBeforeItExits() throws Exception {
        try (LiveDemo demo = live()) {
            demo.send(AgentInput.userMessage("Add \"Bonjour.\" to greetings/fr.txt.", "u-1"));

            JsonNode result = demo.next(type("result"));
            assertFalse(result.path("is_error").asBoolean(true), result.toString());
            assertEquals("Bonjour.\n", Files.readString(tmp.resolve("work/greetings/fr.txt")));
            assertTrue(demo.seen(echoOf("u-1")), "the prompt is echoed");
            // A bounded look for an exit that must not come: the agent waits for more input.
            assertFalse(demo.process.waitFor(300, TimeUnit.MILLISECONDS), "still there after its result");

            demo.closeInput();
            assertEquals(0, demo.exitCode());
            assertEquals(1, demo.count(type("result")), "one turn, one result");
        }
    }

    @Test
    void aMessageDuringTheWorkIsTakenInAndCarriedOutInTheSameTurn() throws Exception {
        try (LiveDemo demo = live()) {
            demo.send(AgentInput.userMessage("Add \"Hallo.\" to greetings/de.txt. (takes 3s)", "u-1"));
            demo.next(text("(1 of 3 s)"));
            demo.send(AgentInput.userMessage("Also write \"extra\" to notes/extra.txt, please.", "u-2"));

            JsonNode echo = demo.next(echoOf("u-2"));
            JsonNode result = demo.next(type("result"));
            assertEquals("Also write \"extra\" to notes/extra.txt, please.", echo.path("message").path("content").asText());
            assertTrue(result.path("result").asText().contains("notes/extra.txt"), result.toString());
            assertEquals("extra\n", Files.readString(tmp.resolve("work/notes/extra.txt")));
            assertEquals("Hallo.\n", Files.readString(tmp.resolve("work/greetings/de.txt")));

            demo.closeInput();
            assertEquals(0, demo.exitCode());
            assertEquals(1, demo.count(type("result")), "the message went into the task's turn");
        }
    }

    @Test
    void aMessageAfterTheResultIsATurnOfItsOwnAndModelUsageCountsTheSession() throws Exception {
        try (LiveDemo demo = live()) {
            demo.send(AgentInput.userMessage("Add \"Hola.\" to greetings/es.txt.", "u-1"));
            JsonNode first = demo.next(type("result"));
            demo.send(AgentInput.userMessage("Now write \"Adiós.\" too.", "u-2"));

            demo.next(line -> "init".equals(line.path("subtype").asText()));
            demo.next(echoOf("u-2"));
            JsonNode second = demo.next(type("result"));
            assertFalse(second.path("is_error").asBoolean(true), second.toString());
            assertEquals("Hola.\nAdiós.\n", Files.readString(tmp.resolve("work/greetings/es.txt")),
                    "a message that names no file writes to the task's");
            JsonNode session = second.path("modelUsage").path("troupe-demo");
            assertEquals(first.path("usage").path("input_tokens").asLong() + second.path("usage").path("input_tokens").asLong(),
                    session.path("inputTokens").asLong(), "modelUsage adds up the turns");
            assertEquals(first.path("usage").path("output_tokens").asLong()
                    + second.path("usage").path("output_tokens").asLong(), session.path("outputTokens").asLong());
            assertEquals(0.0, second.path("total_cost_usd").asDouble(-1));

            demo.closeInput();
            assertEquals(0, demo.exitCode());
            assertEquals(List.of("Add \"Hola.\" to greetings/es.txt.", "Now write \"Adiós.\" too."),
                    Json.MAPPER.readValue(tmp.resolve("sessions/troupe-demo-sessions/s-live.json").toFile(), List.class),
                    "both saved to the session");
        }
    }

    @Test
    void anInterruptEndsTheTurnUnderWayAndTheNextMessageRunsAsATurnOfItsOwn() throws Exception {
        try (LiveDemo demo = live()) {
            demo.send(AgentInput.userMessage("Add \"Four.\" to notes/four.txt. (takes 5s)", "u-1"));
            demo.next(text("(1 of 5 s)"));
            demo.send(AgentInput.interrupt("req-1"));
            demo.send(AgentInput.userMessage("Write \"Quatre.\" instead.", "u-2"));

            JsonNode answered = demo.next(type("control_response"));
            JsonNode aborted = demo.next(type("result"));
            JsonNode redone = demo.next(type("result"));
            assertEquals("req-1", answered.path("response").path("request_id").asText());
            assertEquals("error_during_execution", aborted.path("subtype").asText());
            assertTrue(aborted.path("is_error").asBoolean(false));
            assertEquals("aborted_tools", aborted.path("terminal_reason").asText());
            assertFalse(redone.path("is_error").asBoolean(true), redone.toString());
            assertEquals("Quatre.\n", Files.readString(tmp.resolve("work/notes/four.txt")), "only the new words");

            demo.send(AgentInput.interrupt("req-2"));
            demo.next(line -> "req-2".equals(line.path("response").path("request_id").asText()));
            demo.closeInput();
            assertEquals(0, demo.exitCode());
            assertEquals(2, demo.count(type("result")), "an interrupt while idle ends no turn");
        }
    }

    @Test
    void aLineThatIsNotJsonEndsTheAgentAtOnceWithExitCode1() throws Exception {
        try (LiveDemo demo = live()) {
            demo.send(AgentInput.userMessage("Add \"Slow.\" to slow.txt. (takes 60s)", "u-1"));
            demo.next(echoOf("u-1"));
            demo.send("this is not JSON");

            assertEquals(1, demo.exitCode(), "well before its 60 s of work");
            assertTrue(Files.readString(tmp.resolve("err.txt")).contains("Error parsing streaming input line"));
        }
    }

    @Test
    void aMessageWithNewlinesQuotesAndNonAsciiArrivesIntact() throws Exception {
        String message = "Write \"Grüße, 世界 — ✓\" to notes/intact.txt.\nSecond line,\ttab, a \\ backslash"
                + " and {\"json\": [1]}\r\n\u0000 end 🎉";
        try (LiveDemo demo = live()) {
            demo.send(AgentInput.userMessage(message, "u-1"));

            JsonNode echo = demo.next(echoOf("u-1"));
            demo.next(type("result"));
            assertEquals(message, echo.path("message").path("content").asText());
            assertEquals("Grüße, 世界 — ✓\n", Files.readString(tmp.resolve("work/notes/intact.txt")));
            demo.closeInput();
            assertEquals(0, demo.exitCode());
        }
    }

    private static Predicate<JsonNode> type(String type) {
        return line -> type.equals(line.path("type").asText());
    }

    private static Predicate<JsonNode> echoOf(String uuid) {
        return line -> line.path("isReplay").asBoolean(false) && uuid.equals(line.path("uuid").asText());
    }

    private static Predicate<JsonNode> text(String part) {
        return line -> line.path("message").path("content").path(0).path("text").asText().contains(part);
    }

    private LiveDemo live() throws IOException {
        List<String> argv = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), DemoAgent.class.getName(),
                "-p", "--input-format", "stream-json", "--replay-user-messages", "--output-format", "stream-json",
                "--verbose", "--permission-mode", "acceptEdits", "--session-id", "s-live");
        Files.createDirectories(tmp.resolve("work"));
        ProcessBuilder builder = new ProcessBuilder(argv).directory(tmp.resolve("work").toFile())
                .redirectError(tmp.resolve("err.txt").toFile());
        builder.environment().put("CLAUDE_CODE_TMPDIR", tmp.resolve("sessions").toString());
        builder.environment().put("TROUPE_DEMO_PACE_MS", "50");
        return new LiveDemo(builder.start());
    }

    /** The demo agent with its stdin open: lines are sent to it, and its stdout is read line by line as it comes. */
    private static final class LiveDemo implements AutoCloseable {

        private static final Duration DEADLINE = Duration.ofSeconds(30);
        private static final JsonNode END = Json.MAPPER.createObjectNode().put("type", "end of stdout");

        final Process process;
        private final OutputStream stdin;
        private final BlockingQueue<JsonNode> lines = new LinkedBlockingQueue<>();
        private final List<JsonNode> seen = new ArrayList<>();

        LiveDemo(Process process) {
            this.process = process;
            this.stdin = process.getOutputStream();
            Thread reader = new Thread(this::readStdout, "demo-stdout");
            reader.setDaemon(true);
            reader.start();
        }

        private void readStdout() {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    lines.add(Json.MAPPER.readTree(line));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                lines.add(END);
            }
        }

        void send(String line) throws IOException {
            stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        }

        /** The next line of stdout that matches, reading those before it; fails at the deadline or the end. */
        JsonNode next(Predicate<JsonNode> wanted) throws InterruptedException {
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (true) {
                JsonNode line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (line == null || line == END) {
                    throw new AssertionError((line == null ? "no such line in time" : "stdout ended first")
                            + "; seen: " + seen);
                }
                seen.add(line);
                if (wanted.test(line)) {
                    return line;
                }
            }
        }

        boolean seen(Predicate<JsonNode> wanted) {
            return seen.stream().anyMatch(wanted);
        }

        /** How many lines matched, stdout read to its end (call once the process has ended). */
        long count(Predicate<JsonNode> wanted) throws InterruptedException {
            for (JsonNode line = lines.poll(DEADLINE.toMillis(), TimeUnit.MILLISECONDS); line != null && line != END;
                    line = lines.poll(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
                seen.add(line);
            }
            return seen.stream().filter(wanted).count();
        }

        void closeInput() throws IOException {
            stdin.close();
        }

        int exitCode() throws InterruptedException {
            assertTrue(process.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS), "the demo agent ends");
            return process.exitValue();
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }
}
