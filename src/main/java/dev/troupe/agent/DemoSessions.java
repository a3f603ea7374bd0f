package dev.troupe.agent;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.troupe.journal.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The demo agent's sessions: each the list of prompts it was given (its first prompt, then each message it took
 * in, on the command line of a resumed session or on stdin), in a file named by the session id, in
 * {@code CLAUDE_CODE_TMPDIR} (troupe gives every worker its own, in the run directory) or else the system's temp
 * folder. Enough to resume a session the way Claude Code does, with no model to remember anything.
 */
final class DemoSessions {

    private final Path dir;

    private DemoSessions(Path dir) {
        this.dir = dir;
    }

    static DemoSessions here() {
        String tmp = System.getenv("CLAUDE_CODE_TMPDIR");
        return new DemoSessions(Path.of(tmp != null && !tmp.isEmpty() ? tmp : System.getProperty("java.io.tmpdir"))
                .resolve("troupe-demo-sessions"));
    }

    /** The prompts session {@code id} was given, or empty if there is no such session (or a name that is no id). */
    Optional<List<String>> prompts(String id) throws IOException {
        if (!id.matches("[A-Za-z0-9-]{1,100}") || !Files.exists(dir.resolve(id + ".json"))) {
            return Optional.empty();
        }
        List<String> prompts = Json.MAPPER.readValue(dir.resolve(id + ".json").toFile(), new TypeReference<>() {});
        return Optional.of(prompts);
    }

    void save(String id, List<String> prompts) throws IOException {
        if (!id.matches("[A-Za-z0-9-]{1,100}")) {
            throw new IOException("not a session id: " + id);
        }
        Files.createDirectories(dir);
        Json.MAPPER.writeValue(dir.resolve(id + ".json").toFile(), prompts);
    }
}
