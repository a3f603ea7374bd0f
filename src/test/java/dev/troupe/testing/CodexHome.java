package dev.troupe.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A {@code CODEX_HOME} for a test, as a user would write one for a provider of their own: {@code config.toml}
 * names a model provider at the {@link ResponsesApiStandIn}, reading its key from {@link #KEY_VARIABLE}, with bounded
 * retries (Codex 0.169.0 tries a 429 1 + {@code stream_max_retries} times, honouring Retry-After) and no update
 * check or analytics. A goal sets {@code CODEX_HOME} in {@code agent.env}.
 *
 * <p>Not under the temp dir: there Codex 0.169.0 refuses to make its helper binaries ("Refusing to create helper
 * binaries under temporary dir"), and then every sandboxed command fails with
 * {@code bwrap: execvp codex-linux-sandbox: No such file or directory}. So a test's homes live under
 * {@code target/codex-homes}.
 */
public final class CodexHome {

    /** The variable the provider reads its key from: the one troupe hands a profile's key on under for codex. */
    public static final String KEY_VARIABLE = "CODEX_API_KEY";
    /** A key only the stand-in knows: tests check that it never lands in a recording. */
    public static final String KEY = "sk-troupe-codex-standin-7f3a9c2e41b05d68";
    public static final String MODEL = "standin-model";

    private CodexHome() {
    }

    /** A new, empty directory for a CODEX_HOME, outside the temp dir; {@link #delete} removes it. */
    public static Path newDir() throws IOException {
        Path parent = Files.createDirectories(Path.of("target", "codex-homes").toAbsolutePath());
        return Files.createTempDirectory(parent, "home");
    }

    public static void delete(Path dir) throws IOException {
        Recordings.deleteTree(dir);
    }

    /** Writes {@code dir/config.toml} for {@code baseUrl}; a 429 is tried {@code 1 + streamRetries} times. */
    public static Path write(Path dir, String baseUrl, int streamRetries) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.toml"), """
                model = "%s"
                model_provider = "standin"
                check_for_update_on_startup = false

                [analytics]
                enabled = false

                [model_providers.standin]
                name = "stand-in"
                base_url = "%s"
                env_key = "%s"
                wire_api = "responses"
                request_max_retries = 0
                stream_max_retries = %d
                stream_idle_timeout_ms = 30000
                """.formatted(MODEL, baseUrl, KEY_VARIABLE, streamRetries));
        return dir;
    }
}
