package dev.troupe.testing;

import static dev.troupe.testing.GeminiApiStandIn.callThenSay;
import static dev.troupe.testing.GeminiApiStandIn.json;
import static dev.troupe.testing.GeminiApiStandIn.rateLimited;
import static dev.troupe.testing.GeminiApiStandIn.shell;
import static dev.troupe.testing.GeminiApiStandIn.text;
import static dev.troupe.testing.GeminiApiStandIn.write;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.agent.AgentCall;
import dev.troupe.journal.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The Gemini CLI runs the project keeps as recorded transcripts (src/test/resources/gemini-transcripts), each with
 * the stand-in's answers that produce it; {@link GeminiTranscriptRecorder} runs them, the tests read what it wrote.
 */
public final class GeminiTranscripts {

    private GeminiTranscripts() {
    }

    /**
     * One run as troupe asks for it.
     *
     * @param resumes the case whose session this one continues, in the same home and repository, recorded before it
     * @param api what the stand-in does, for the reader of the meta file
     */
    public record Case(String name, String prompt, String permissionMode, List<String> allowedTools,
            Optional<String> jsonSchema, Optional<String> resumes, String api, GeminiApiStandIn.Script script) {

        /** Fixed per case, so that a re-recording differs from the last only where the CLI changed. */
        public String sessionId() {
            return TranscriptCases.fixedUuid("troupe gemini transcript " + resumes.orElse(name));
        }

        public AgentCall call(Path scratch) {
            return new AgentCall(prompt, Optional.of(GeminiHome.MODEL), permissionMode, allowedTools, Optional.empty(),
                    Optional.empty(), jsonSchema, resumes.map(first -> sessionId()), sessionId(), false, scratch);
        }
    }

    public static final String SCHEMA = "{\"type\":\"object\",\"required\":[\"verdict\",\"score\"],\"properties\":"
            + "{\"verdict\":{\"type\":\"string\"},\"score\":{\"type\":\"integer\"}}}";
    public static final JsonNode ANSWER = Json.MAPPER.createObjectNode().put("verdict", "good").put("score", 7);

    private static Case run(String name, String prompt, String mode, List<String> tools, String api,
            GeminiApiStandIn.Script script) {
        return new Case(name, prompt, mode, tools, Optional.empty(), Optional.empty(), api, script);
    }

    public static final List<Case> ALL = List.of(
            run("write-file", "write hello.txt", "acceptEdits", List.of("Read", "Edit", "Write"),
                    "write_file hello.txt, then text", callThenSay(write("hello.txt", "hello from the stand-in\n"), "Wrote it.")),
            run("run-command", "run the tests", "acceptEdits", List.of("Read", "Bash"),
                    "run_shell_command echo, then text", callThenSay(shell("echo tests passed"), "The tests passed.")),
            run("text-only", "say hello", "acceptEdits", List.of(), "text", request -> text("Hello there.")),
            new Case("json-answer", "judge the work", "plan", List.of(), Optional.of(SCHEMA), Optional.empty(),
                    "the answer object as text", request -> json(ANSWER)),
            run("rate-limited", "say hello", "acceptEdits", List.of(),
                    "HTTP 429 RESOURCE_EXHAUSTED to every request (general.maxAttempts 2)", request -> rateLimited()),
            run("resume-start", "remember the number 7", "acceptEdits", List.of(), "text", request -> text("Noted.")),
            new Case("resume", "which number?", "acceptEdits", List.of(), Optional.empty(), Optional.of("resume-start"),
                    "text naming how many model turns the conversation held",
                    request -> text("It was 7 (" + request.turn() + " earlier answer).")));

    public static Case named(String name) {
        return ALL.stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no Gemini transcript case " + name + "; there are "
                        + ALL.stream().map(Case::name).toList()));
    }

    /** The recordings on the test classpath. */
    public static Path dir() {
        URL url = GeminiTranscripts.class.getResource("/gemini-transcripts");
        if (url == null) {
            throw new AssertionError("gemini-transcripts is not on the test classpath (src/test/resources)");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError("not a file: " + url, e);
        }
    }

    public static List<String> stdoutLines(String name) {
        try {
            return Files.readAllLines(dir().resolve(name + ".stdout.jsonl"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode meta(String name) {
        try {
            return Json.MAPPER.readTree(dir().resolve(name + ".meta.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
