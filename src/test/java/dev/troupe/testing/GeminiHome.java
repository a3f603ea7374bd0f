package dev.troupe.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.journal.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A home for the Gemini CLI in a test, as a user would set it up for troupe: {@code .gemini/settings.json} with an API
 * key for auth, no telemetry, usage statistics or update checks, and two attempts per API call so that a 429 ends the
 * run in seconds rather than after ten attempts over three minutes. A goal names it with {@code agent.env: {HOME:
 * ..., GOOGLE_GEMINI_BASE_URL: ...}}. Without the auth setting the CLI, pointed at another base URL, takes itself to
 * be behind a gateway and refuses to start ("Invalid auth method selected", exit 41).
 */
public final class GeminiHome {

    /** A key only the stand-in takes: the recordings are checked not to hold it. */
    public static final String KEY = "gemini-troupe-standin-7c4a8d09ca3762af";
    /** A real model's name: the CLI treats an unknown one no differently, but a real one keeps the requests real. */
    public static final String MODEL = "gemini-2.5-flash";

    private GeminiHome() {
    }

    /** Writes the settings under {@code home} (the CLI rewrites the file as it likes; these are its current keys). */
    public static Path write(Path home) throws IOException {
        ObjectNode settings = Json.MAPPER.createObjectNode();
        settings.putObject("security").putObject("auth").put("selectedType", "gemini-api-key");
        settings.putObject("privacy").put("usageStatisticsEnabled", false);
        settings.putObject("telemetry").put("enabled", false);
        settings.putObject("general").put("enableAutoUpdate", false).put("enableAutoUpdateNotification", false)
                .put("maxAttempts", 2);
        Path dir = Files.createDirectories(home.resolve(".gemini"));
        Files.writeString(dir.resolve("settings.json"),
                Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(settings) + "\n");
        return home;
    }

    /**
     * What the goal's {@code agent.env} and key would give the CLI: the home, the stand-in's URL and key, and a temp
     * dir of the test's own for the error reports the CLI writes there.
     */
    public static Map<String, String> env(Path home, String baseUrl, Path tmp) {
        return Map.of("HOME", home.toString(), "GOOGLE_GEMINI_BASE_URL", baseUrl, "GEMINI_API_KEY", KEY,
                "TMPDIR", tmp.toString());
    }
}
