package dev.troupe.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo agent as troupe runs it, a process of its own: resuming its sessions, and heeding what it was told. */
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
}
