package dev.troupe.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.journal.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A private home for the OpenCode CLI in a test, set up as a user of troupe would: an {@code opencode.json} whose
 * provider is the {@link ChatCompletionsStandIn} (key read with {@code {env:VAR}}, model priced so that OpenCode
 * reports a cost), and the environment a goal's {@code agent.env} would give, which points HOME, the XDG
 * directories and {@code OPENCODE_CONFIG} into it.
 */
public final class OpenCodeHome {

    /** The provider/model the config defines, for {@code -m}. */
    public static final String MODEL = "standin/standin-model";
    /** The variable the config reads the key from. */
    public static final String KEY_VARIABLE = "STANDIN_API_KEY";
    /** A key only the stand-in knows: the tests check it never lands in a recording. */
    public static final String KEY = "sk-troupe-opencode-standin-7f3a9c2e41d8b605";
    /** USD per million tokens, as OpenCode's model {@code cost} takes them. */
    public static final double INPUT_PRICE = 3.0;
    public static final double OUTPUT_PRICE = 15.0;
    public static final double CACHE_READ_PRICE = 0.3;

    private final Path root;
    private final Map<String, String> env;

    private OpenCodeHome(Path root, Map<String, String> env) {
        this.root = root;
        this.env = env;
    }

    /** Writes {@code root/opencode.json} for a provider at {@code baseUrl} and makes {@code root/home} with its XDG dirs. */
    public static OpenCodeHome create(Path root, String baseUrl) throws IOException {
        Path home = Files.createDirectories(root.resolve("home"));
        Path config = root.resolve("opencode.json");
        Files.writeString(config, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(config(baseUrl)));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HOME", home.toString());
        env.put("XDG_CONFIG_HOME", Files.createDirectories(home.resolve(".config")).toString());
        markPluginInstalled(Files.createDirectories(home.resolve(".config/opencode")));
        env.put("XDG_DATA_HOME", Files.createDirectories(home.resolve(".local/share")).toString());
        env.put("XDG_STATE_HOME", Files.createDirectories(home.resolve(".local/state")).toString());
        env.put("XDG_CACHE_HOME", Files.createDirectories(home.resolve(".cache")).toString());
        env.put("OPENCODE_CONFIG", config.toString());
        env.put(KEY_VARIABLE, KEY);
        return new OpenCodeHome(root, Map.copyOf(env));
    }

    /** What the goal's {@code agent.env} would hold: HOME, XDG_*, OPENCODE_CONFIG and the key. */
    public Map<String, String> env() {
        return env;
    }

    public Path root() {
        return root;
    }

    /**
     * At startup OpenCode 1.18.33 installs {@code @opencode-ai/plugin} from the npm registry into its config directory,
     * in the background (19 MB into {@code ~/.npm} for each fresh home, or a warning when the registry is out of
     * reach). It skips that when the directory has a {@code node_modules} and a {@code package-lock.json} that already
     * lists the package: so the tests stay off the network.
     */
    private static void markPluginInstalled(Path configDir) throws IOException {
        Files.createDirectories(configDir.resolve("node_modules"));
        ObjectNode lock = Json.MAPPER.createObjectNode();
        lock.putObject("packages").putObject("").putObject("dependencies").put("@opencode-ai/plugin", "*");
        Files.writeString(configDir.resolve("package-lock.json"), lock.toString());
    }

    /**
     * A provider of the bundled {@code @ai-sdk/openai-compatible} package, the only model, no sharing, no updates.
     * The permissions are OpenCode's defaults (everything but a few asks), left to troupe's flags.
     */
    static ObjectNode config(String baseUrl) {
        ObjectNode config = Json.MAPPER.createObjectNode().put("$schema", "https://opencode.ai/config.json")
                .put("autoupdate", false).put("share", "disabled").put("model", MODEL).put("small_model", MODEL);
        ObjectNode provider = config.putObject("provider").putObject("standin").put("npm", "@ai-sdk/openai-compatible")
                .put("name", "Stand-in");
        provider.putObject("options").put("baseURL", baseUrl).put("apiKey", "{env:" + KEY_VARIABLE + "}");
        ObjectNode model = provider.putObject("models").putObject("standin-model").put("name", "Stand-in model");
        model.putObject("limit").put("context", 128_000).put("output", 8_192);
        model.putObject("cost").put("input", INPUT_PRICE).put("output", OUTPUT_PRICE).put("cache_read", CACHE_READ_PRICE);
        return config;
    }
}
