package dev.troupe.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.agent.AgentCall;
import dev.troupe.agent.AgentKind;
import dev.troupe.agent.AgentMessage;
import dev.troupe.agent.AgentReader;
import dev.troupe.journal.Json;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One run of the real Gemini CLI as troupe starts it: the command line and environment of {@link AgentKind} "gemini"
 * for a call, in a directory, stdin closed (the CLI waits for an open one to close), nothing of the caller's
 * environment but PATH. Fails when the run does not end within the deadline.
 */
public record GeminiRun(List<String> argv, List<String> stdout, List<String> stderr, int exitCode, double seconds) {

    public static final AgentKind KIND = AgentKind.named("gemini").orElseThrow();

    /** The pinned CLI the build installs (pom.xml, system property {@code troupe.gemini}). */
    public static Path installed() {
        String path = System.getProperty("troupe.gemini", "target/gemini-cli/node_modules/.bin/gemini");
        if (!Files.isExecutable(Path.of(path))) {
            throw new IllegalStateException("the Gemini CLI is installed by the build (mvn verify): " + path);
        }
        return Path.of(path).toAbsolutePath();
    }

    /** Runs {@code call} in {@code workdir}; {@code scratch} takes its stdout and stderr. */
    public static GeminiRun run(Path gemini, AgentCall call, Path workdir, Map<String, String> env, Path scratch,
            long deadlineSeconds) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of(gemini.toString()));
        argv.addAll(KIND.arguments(call));
        Path out = Files.createTempFile(scratch, "gemini", ".stdout");
        Path err = Files.createTempFile(scratch, "gemini", ".stderr");
        ProcessBuilder builder = new ProcessBuilder(argv).directory(workdir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        Map<String, String> environment = builder.environment();
        String path = environment.get("PATH");
        environment.clear();
        environment.put("PATH", path);
        environment.put("LANG", "C.UTF-8");
        environment.putAll(KIND.environment());
        environment.putAll(env);
        long start = System.nanoTime();
        Process process = builder.start();
        try {
            if (!process.waitFor(deadlineSeconds, TimeUnit.SECONDS)) {
                throw new IllegalStateException("gemini did not end within " + deadlineSeconds + " s; it printed:\n"
                        + Files.readString(out) + Files.readString(err));
            }
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        double seconds = Math.round((System.nanoTime() - start) / 1e8) / 10.0;
        return new GeminiRun(argv, Files.readAllLines(out), Files.readAllLines(err), process.exitValue(), seconds);
    }

    /** What troupe makes of the lines: each one the reader steers by, read by one reader, the rest {@code Other}. */
    public static List<AgentMessage> messages(AgentReader reader, List<String> lines) {
        List<AgentMessage> messages = new ArrayList<>();
        for (String line : lines) {
            JsonNode json = parse(line);
            String type = json.path("type").asText("");
            messages.add(reader.steeringTypes().contains(type) ? reader.read(json) : new AgentMessage.Other(type));
        }
        return messages;
    }

    public List<AgentMessage> messages() {
        return messages(KIND.reader(), stdout);
    }

    /** The run's result; fails when there is not exactly one. */
    public AgentMessage.Result result() {
        return result(messages());
    }

    public static AgentMessage.Result result(List<AgentMessage> messages) {
        List<AgentMessage.Result> results = messages.stream().filter(AgentMessage.Result.class::isInstance)
                .map(AgentMessage.Result.class::cast).toList();
        if (results.size() != 1) {
            throw new AssertionError("expected one result, got " + results.size() + ": " + messages);
        }
        return results.get(0);
    }

    private static JsonNode parse(String line) {
        try {
            return Json.MAPPER.readTree(line);
        } catch (IOException e) {
            throw new AssertionError("not a JSON line: " + line, e);
        }
    }
}
