package dev.troupe.agent;

import dev.troupe.goal.Endpoint;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One agent CLI troupe can drive headless ({@code agent.cli} in the goal file): how to start it with a prompt, a
 * model and a permission mode, how to continue one of its sessions, what environment it needs, where it keeps its
 * state, and a reader of its output. Everything else in troupe sees only {@link AgentMessage}s.
 */
public interface AgentKind {

    /** Every kind, by the name a goal file gives it. */
    List<AgentKind> ALL = List.of(new ClaudeKind(), new CodexKind(), new GeminiKind(), new OpenCodeKind());

    static Optional<AgentKind> named(String name) {
        return ALL.stream().filter(kind -> kind.name().equals(name)).findFirst();
    }

    /** As the goal file names it: {@code claude}, {@code codex}, {@code gemini}, {@code opencode}. */
    String name();

    /** The executable when the goal names no {@code command}. */
    default String executable() {
        return name();
    }

    /** The command line after the executable (and the goal's leading arguments). */
    List<String> arguments(AgentCall call);

    /**
     * What the CLI needs in its environment to run headless in a workspace of troupe's, on top of troupe's own and
     * under the goal's {@code agent.env}.
     */
    default Map<String, String> environment() {
        return Map.of();
    }

    /** The variable the CLI reads its API key from: an agent profile's {@code key-env} is handed on under this name. */
    String keyVariable();

    /**
     * The environment that makes the CLI use the API key {@code key} (an agent profile's): {@link #keyVariable}, and
     * any credential the CLI would prefer to it blanked, so that the profile's account is the one used.
     */
    default Map<String, String> keyEnvironment(String key) {
        return Map.of(keyVariable(), key);
    }

    /**
     * Where the CLI's API is, given the agent's environment: what a confined sandbox lets the agent reach without
     * the goal listing it. Empty when the CLI finds its API in a config file of its own (list it in the goal).
     */
    List<Endpoint> api(Map<String, String> env);

    /**
     * What the CLI needs in a sandbox whose network is confined, given its call: Claude Code takes
     * {@code bypassPermissions} as root only with {@code IS_SANDBOX=1}.
     */
    default Map<String, String> confinedEnvironment(AgentCall call) {
        return Map.of();
    }

    /** The API at the base URL in {@code variable} (the agent's environment, else troupe's), else at {@code host}:443. */
    static List<Endpoint> api(Map<String, String> env, String variable, String host) {
        String url = env.getOrDefault(variable, System.getenv(variable));
        if (url != null && !url.isBlank()) {
            return Endpoint.fromUrl(url).map(List::of).orElse(List.of());
        }
        return List.of(Endpoint.parse(host));
    }

    /** Where the CLI writes its sessions and config, given the agent's environment: writable in the sandbox. */
    List<Path> stateDirs(Map<String, String> env);

    /** A reader for one process's stdout. */
    AgentReader reader();

    /**
     * What a CLI that takes no live input is to read on its stdin, to its end: its prompt, for a CLI that takes it
     * better there than on its command line (OpenCode quotes a prompt argument that holds a space). Empty: stdin is
     * closed.
     */
    default Optional<String> stdin(AgentCall call) {
        return Optional.empty();
    }

    /** Whether the CLI takes its prompt and later messages on its stdin while it works (Claude Code's stream-json input). */
    default boolean takesLiveInput() {
        return false;
    }

    /**
     * The goal keys this CLI cannot honour ({@code allowed-tools}, {@code max-turns}, {@code append-system-prompt},
     * {@code live-input}, {@code isolate-config}), each with a sentence that starts with the CLI's name and says what
     * troupe does about it: {@code troupe validate} warns of each one the goal sets for an agent of this kind.
     */
    default Map<String, String> unsupported() {
        return Map.of();
    }

    /** The user's home, in the agent's environment or troupe's own. */
    static Path home(Map<String, String> env) {
        String home = env.getOrDefault("HOME", System.getenv("HOME"));
        return Path.of(home != null ? home : System.getProperty("user.home"));
    }

    /**
     * The directories, made where missing (inside the sandbox the home is read-only, and the CLI could not make
     * them): what {@link #stateDirs} returns.
     */
    static List<Path> made(Path... dirs) {
        try {
            for (Path dir : dirs) {
                java.nio.file.Files.createDirectories(dir);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return List.of(dirs);
    }

    /** A directory named by {@code variable} in the agent's environment or troupe's, else {@code fallback}. */
    static Path dir(Map<String, String> env, String variable, Path fallback) {
        String dir = env.getOrDefault(variable, System.getenv(variable));
        return dir != null && !dir.isEmpty() ? Path.of(dir) : fallback;
    }
}
