package dev.troupe.agent;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Values that must never be written where people or tools read them (journal, agent output files, --json):
 * the credentials in troupe's environment. An agent that prints its environment or a {@code .env} file
 * would otherwise put them there; {@link #redact} replaces each with {@value #MASK}.
 */
public final class Secrets {

    static final String MASK = "[redacted]";

    /** Variables that hold credentials by name, and any whose name says so. */
    private static final Pattern SECRET_NAME =
            Pattern.compile("ANTHROPIC_API_KEY|ANTHROPIC_AUTH_TOKEN|CLAUDE_CODE_OAUTH_TOKEN|.*(KEY|TOKEN|SECRET|PASSWORD).*");

    /** Shorter values would mask ordinary words. */
    private static final int SHORTEST = 8;

    private final List<String> values;

    private Secrets(List<String> values) {
        this.values = values;
    }

    public static Secrets of(Map<String, String> environment) {
        List<String> values = new ArrayList<>();
        environment.forEach((name, value) -> {
            if (value != null && value.length() >= SHORTEST && SECRET_NAME.matcher(name).matches()) {
                values.add(value);
            }
        });
        // Longest first, so a secret that contains another is masked whole.
        values.sort(Comparator.comparingInt(String::length).reversed());
        return new Secrets(List.copyOf(values));
    }

    public static Secrets fromEnvironment() {
        return of(System.getenv());
    }

    public String redact(String text) {
        String out = text;
        for (String value : values) {
            if (out.contains(value)) {
                out = out.replace(value, MASK);
            }
        }
        return out;
    }
}
