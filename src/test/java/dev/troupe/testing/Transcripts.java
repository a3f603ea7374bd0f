package dev.troupe.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.journal.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The project's recorded Claude Code transcripts (src/test/resources/claude-transcripts, made by
 * src/test/scripts/record-transcripts.sh), as the tests read them from the test classpath.
 */
public final class Transcripts {

    private Transcripts() {
    }

    public static Path dir() {
        URL url = Transcripts.class.getResource("/claude-transcripts");
        if (url == null) {
            throw new AssertionError("claude-transcripts is not on the test classpath (src/test/resources)");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError("not a file: " + url, e);
        }
    }

    /** Every recorded case, by name, sorted. */
    public static List<String> names() {
        try (Stream<Path> files = Files.list(dir())) {
            return files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".meta.json"))
                    .map(f -> f.substring(0, f.length() - ".meta.json".length())).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the recorder wrote about the run: command, env, signal, exit code, line counts. */
    public static JsonNode meta(String name) {
        Path file = dir().resolve(name + ".meta.json");
        try {
            return Json.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new AssertionError("no recorded transcript " + name + " (" + file + ")", e);
        }
    }

    /** The file holding what the CLI printed on stdout. */
    public static Path stdout(String name) {
        return dir().resolve(meta(name).path("stdout_file").asText());
    }

    public static List<String> stdoutLines(String name) {
        try {
            return Files.readAllLines(stdout(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
