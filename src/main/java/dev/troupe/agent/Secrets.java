package dev.troupe.agent;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Values that must never be written where people or tools read them (journal, agent output files, --json):
 * the credentials in troupe's environment. An agent that prints its environment or a {@code .env} file
 * would otherwise put them there; {@link #redact} replaces each with {@value #MASK}, also where the agent wrote
 * it with JSON escapes (<code>&#92;u0073k-ant-...</code>), which every reader of its line would decode.
 */
public final class Secrets {

    static final String MASK = "[redacted]";

    /**
     * The variables that carry the agent CLIs' credentials (Claude Code's, and the key variables of Codex, Gemini CLI
     * and OpenCode's providers). Agents need them; nothing else troupe runs does (the workspace's setup,
     * {@code sync.check}), so those get them blanked.
     */
    public static final List<String> API_CREDENTIALS = List.of("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN",
            "CLAUDE_CODE_OAUTH_TOKEN", "CODEX_API_KEY", "OPENAI_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY");

    /** {@code env} with every {@link #API_CREDENTIALS} variable set empty, over what would be inherited. */
    public static Map<String, String> withoutApiCredentials(Map<String, String> env) {
        Map<String, String> blanked = new java.util.HashMap<>(env);
        API_CREDENTIALS.forEach(name -> blanked.put(name, ""));
        return blanked;
    }

    /**
     * The {@link #API_CREDENTIALS} variable of {@code env} whose value {@code content} holds, if one does: such a
     * file must not leave this machine (a worker node uses its own credentials).
     */
    public static java.util.Optional<String> apiCredentialIn(byte[] content, Map<String, String> env) {
        // Latin-1 maps each byte to one character, so a credential (ASCII) is found whatever the file's encoding.
        String text = new String(content, java.nio.charset.StandardCharsets.ISO_8859_1);
        return API_CREDENTIALS.stream().filter(name -> {
            String value = env.get(name);
            return value != null && value.length() >= SHORTEST && text.contains(value);
        }).findFirst();
    }

    /** Variables that hold credentials by name, and any whose name says so. */
    private static final Pattern SECRET_NAME =
            Pattern.compile(String.join("|", API_CREDENTIALS) + "|.*(KEY|TOKEN|SECRET|PASSWORD).*");

    /** Shorter values would mask ordinary words. */
    private static final int SHORTEST = 8;

    private final List<String> values;
    /** The JSON escapes that may spell a character of a credential, to tell which lines need decoding. */
    private final List<String> escapes;

    private Secrets(List<String> values) {
        this.values = values;
        this.escapes = JsonEscapes.thatMaySpell(values);
    }

    public static Secrets of(Map<String, String> environment) {
        return of(environment, List.of());
    }

    /**
     * @param credentials more variables that hold credentials whatever their names (the agent profiles' {@code
     *     key-env})
     */
    public static Secrets of(Map<String, String> environment, java.util.Collection<String> credentials) {
        List<String> values = new ArrayList<>();
        environment.forEach((name, value) -> {
            if (value != null && value.length() >= SHORTEST
                    && (SECRET_NAME.matcher(name).matches() || credentials.contains(name))) {
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

    /** troupe's environment's credentials, those of the variables named in {@code credentials} too. */
    public static Secrets fromEnvironment(java.util.Collection<String> credentials) {
        return of(System.getenv(), credentials);
    }

    /**
     * {@code text} with every credential masked, as printed and as JSON escapes would decode it; the same instance
     * when there is none. A credential written with escapes is masked where it stands, escapes and all, and the
     * rest of the line is kept as printed: a JSON line stays valid JSON, its string holding {@value #MASK}.
     */
    public String redact(String text) {
        String out = text;
        for (String value : values) {
            if (out.contains(value)) {
                out = out.replace(value, MASK);
            }
        }
        // Most lines have no escape that could hide a credential: decoding is for those that do.
        if (!values.isEmpty() && JsonEscapes.mayHold(out, escapes)) {
            out = JsonEscapes.mask(out, values, MASK);
        }
        return out;
    }
}
