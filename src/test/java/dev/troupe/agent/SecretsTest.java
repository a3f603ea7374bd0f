package dev.troupe.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.journal.Json;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Credentials masked in what agents print, as printed and as JSON escapes spell them. */
class SecretsTest {

    private static final String KEY = "sk-ant-api03-abcdef123456";
    private static final Secrets SECRETS = Secrets.of(Map.of("ANTHROPIC_API_KEY", KEY, "HOME", "/home/someone"));

    /** {@code text} with every character written as a JSON unicode escape. */
    private static String escaped(String text) {
        StringBuilder out = new StringBuilder();
        text.chars().forEach(c -> out.append(String.format("\\u%04x", c)));
        return out.toString();
    }

    private static String stdout(String line) throws IOException {
        JsonNode json = Json.AGENT_LINES.readTree(line);
        return json.path("tool_use_result").path("stdout").asText();
    }

    @Test
    void aFileHoldingAnApiCredentialIsToldApartFromOneThatDoesNot() {
        Map<String, String> env = Map.of("ANTHROPIC_API_KEY", "sk-ant-api03-abcdefgh", "HOME", "/home/me");

        assertEquals(java.util.Optional.of("ANTHROPIC_API_KEY"), Secrets.apiCredentialIn(
                "DB=x\nANTHROPIC_API_KEY=sk-ant-api03-abcdefgh\n".getBytes(java.nio.charset.StandardCharsets.UTF_8), env));
        assertEquals(java.util.Optional.empty(), Secrets.apiCredentialIn(
                "DB=x\nHOME=/home/me\n".getBytes(java.nio.charset.StandardCharsets.UTF_8), env));
    }

    @Test
    void aCredentialAsPrintedIsMasked() {
        assertEquals("key=[redacted]!", SECRETS.redact("key=" + KEY + "!"));
    }

    @Test
    void aCredentialWhoseFirstCharacterIsAnEscapeIsMaskedAndTheLineStaysJson() throws IOException {
        String line = "{\"type\":\"user\",\"tool_use_result\":{\"stdout\":\"key " + escaped("s") + KEY.substring(1)
                + " \\\"quoted\\\"\"}}";

        String masked = SECRETS.redact(line);

        assertEquals("key [redacted] \"quoted\"", stdout(masked));
        assertEquals("{\"type\":\"user\",\"tool_use_result\":{\"stdout\":\"key [redacted] \\\"quoted\\\"\"}}", masked,
                "the rest of the line as printed");
    }

    @Test
    void aCredentialWithEveryCharacterEscapedIsMaskedEachTimeItAppears() throws IOException {
        String line = "{\"type\":\"user\",\"tool_use_result\":{\"stdout\":\"" + escaped(KEY) + "\\n"
                + escaped("K=" + KEY) + "\\u00e9\"}}";

        String masked = SECRETS.redact(line);

        assertEquals("[redacted]\nK=[redacted]\u00e9", stdout(masked));
        assertEquals("{\"type\":\"user\",\"tool_use_result\":{\"stdout\":\"[redacted]\\n" + escaped("K=")
                + "[redacted]\\u00e9\"}}", masked, "what is not a credential as printed");
        assertFalse(Json.AGENT_LINES.readTree(masked).toString().contains(KEY));
    }

    @Test
    void anEscapedBackslashBeforeUIsNotAnEscape() {
        // Decoded, this is a backslash and the letters u0073..., not the key.
        String line = "{\"text\":\"\\\\u0073" + KEY.substring(1) + "\"}";

        assertSame(line, SECRETS.redact(line));
    }

    @Test
    void aLineWithoutACredentialIsTheSameInstanceEscapesOrNot() {
        String plain = "{\"type\":\"assistant\",\"text\":\"line one\\nline two \\u001b[0m\"}";

        assertSame(plain, SECRETS.redact(plain), "nothing copied when nothing is masked");
    }

    @Test
    void aCredentialHoldingASlashIsMaskedWhereItIsWrittenWithTheSlashEscaped() throws IOException {
        Secrets secrets = Secrets.of(Map.of("GITHUB_TOKEN", "ghp/abc+def/123"));
        String line = "{\"type\":\"user\",\"tool_use_result\":{\"stdout\":\"t=ghp\\/abc+def\\/123\"}}";

        assertEquals("t=[redacted]", stdout(secrets.redact(line)));
    }

    @Test
    void aCredentialInsideALongerOneIsMaskedOnceWithIt() throws IOException {
        Secrets secrets = Secrets.of(Map.of("OUTER_TOKEN", "abcdefgh-12345678", "INNER_TOKEN", "efgh-1234"));
        String line = "{\"type\":\"user\",\"tool_use_result\":{\"stdout\":\"" + escaped("abcdefgh-12345678") + "|"
                + escaped("efgh-1234") + "\"}}";

        assertEquals("[redacted]|[redacted]", stdout(secrets.redact(line)));
    }
}
