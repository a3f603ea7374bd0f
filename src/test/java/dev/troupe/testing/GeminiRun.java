package dev.troupe.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.agent.AgentCall;
import dev.troupe.agent.AgentKind;
import dev.troupe.agent.AgentMessage;
import dev.troupe.agent.AgentReader;
import dev.troupe.journal.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One run of the real Gemini CLI as troupe starts it ({@link HeadlessCli}): the command line and environment of
 * {@link AgentKind} "gemini" for a call, in a directory, stdin closed (the CLI waits for an open one to close). Fails
 * when the run does not end within the deadline.
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
        HeadlessCli.Run run = HeadlessCli.of(gemini, KIND, call, workdir, env).run(
                Files.createTempFile(scratch, "gemini", ".stdout"), Files.createTempFile(scratch, "gemini", ".stderr"),
                deadlineSeconds);
        return new GeminiRun(run.argv(), run.stdout(), run.stderr(), run.exitCode(), run.seconds());
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
