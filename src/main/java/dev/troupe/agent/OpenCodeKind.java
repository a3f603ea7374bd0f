package dev.troupe.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.goal.Endpoint;
import dev.troupe.journal.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * OpenCode ({@code opencode}, observed at 1.18.33): {@code run --format json [-m PROVIDER/MODEL] [--agent plan]
 * [--auto] [-s <id>]}, the prompt on its stdin ({@link #stdin}). It takes no live input (it reads its stdin to the
 * end before it starts), has no OS sandbox (what it may do is its permission rules), and cannot be held to a
 * JSON schema ({@link StructuredText} asks for one in the prompt). Its output is read by {@link OpenCodeReader}.
 */
final class OpenCodeKind implements AgentKind {

    /**
     * The built-in {@code plan} agent denies edits but for its own plan files and allows every command, and a task
     * may start the {@code explore} subagent, which runs commands too. Agent rules in the config come after the
     * user's global {@code permission} rules, so these hold whatever the user's config allows.
     */
    static final String READ_ONLY_AGENT = "plan";

    @Override
    public String name() {
        return "opencode";
    }

    @Override
    public List<String> arguments(AgentCall call) {
        List<String> argv = new ArrayList<>(List.of("run", "--format", "json"));
        call.model().ifPresent(model -> argv.addAll(List.of("-m", model)));
        if (call.readOnly()) {
            argv.addAll(List.of("--agent", READ_ONLY_AGENT));
        } else if ("bypassPermissions".equals(call.permissionMode())) {
            // Approves what the rules leave to asking: files outside the workspace, a repeated tool call.
            argv.add("--auto");
        }
        // Otherwise OpenCode's own rules hold: edits and commands in the workspace are allowed, and what they leave
        // to asking is rejected, as nobody is there to answer.
        call.resume().ifPresent(session -> argv.addAll(List.of("-s", session)));
        return argv;
    }

    /**
     * The prompt: with no message argument OpenCode reads its stdin to the end as the message. As an argument, one
     * that holds a space is wrapped in quotes (the quotes inside escaped) before the model gets it; split into words
     * it would arrive as it is, but a word that looks like a number ("2") is made one by the CLI's parser, which then
     * crashes (1.18.33).
     */
    @Override
    public Optional<String> stdin(AgentCall call) {
        String prompt = call.jsonSchema().map(schema -> StructuredText.ask(call.prompt(), schema)).orElse(call.prompt());
        return Optional.of(call.appendSystemPrompt().map(text -> text + "\n\n" + prompt).orElse(prompt));
    }

    /**
     * No update check, no models.dev fetch (the user's config names its models), no LSP server downloads, no
     * sharing; the read-only agent's rules ({@link #READ_ONLY_AGENT}) as config content, which OpenCode merges
     * over the user's config file. A goal that sets {@code OPENCODE_CONFIG_CONTENT} itself replaces those rules.
     * OpenCode also installs {@code @opencode-ai/plugin} into its config directory from the npm registry at
     * startup, in the background: there is no switch for that ({@code --pure} only skips external plugins), and
     * where the registry is out of reach it is a warning in OpenCode's log.
     */
    @Override
    public Map<String, String> environment() {
        ObjectNode config = Json.MAPPER.createObjectNode();
        config.putObject("agent").putObject(READ_ONLY_AGENT).putObject("permission").put("edit", "deny")
                .put("bash", "deny").put("task", "deny");
        return Map.of("OPENCODE_DISABLE_AUTOUPDATE", "true", "OPENCODE_DISABLE_MODELS_FETCH", "true",
                "OPENCODE_DISABLE_LSP_DOWNLOAD", "true", "OPENCODE_DISABLE_SHARE", "true",
                "OPENCODE_CONFIG_CONTENT", config.toString());
    }

    /**
     * Its built-in Anthropic provider's API ({@code ANTHROPIC_BASE_URL}, else api.anthropic.com); a provider of its
     * config ({@code opencode.json}) is listed in the goal.
     */
    @Override
    public List<Endpoint> api(Map<String, String> env) {
        return AgentKind.api(env, "ANTHROPIC_BASE_URL", "api.anthropic.com");
    }

    /**
     * OpenCode's built-in Anthropic provider reads {@code ANTHROPIC_API_KEY}, which is also the key troupe's agent
     * profiles are made for. A config with another provider reads whatever variable it names with
     * {@code {env:VAR}}, so it can name this one too.
     */
    @Override
    public String keyVariable() {
        return "ANTHROPIC_API_KEY";
    }

    /**
     * Its XDG directories: data (the sessions' sqlite database, logs, snapshots), config (where it writes a
     * {@code .gitignore} and installs its plugin package), cache and state; made here, as inside the sandbox the
     * home is read-only.
     */
    @Override
    public List<Path> stateDirs(Map<String, String> env) {
        Path home = AgentKind.home(env);
        return AgentKind.made(
                AgentKind.dir(env, "XDG_DATA_HOME", home.resolve(".local/share")).resolve("opencode"),
                AgentKind.dir(env, "XDG_CONFIG_HOME", home.resolve(".config")).resolve("opencode"),
                AgentKind.dir(env, "XDG_CACHE_HOME", home.resolve(".cache")).resolve("opencode"),
                AgentKind.dir(env, "XDG_STATE_HOME", home.resolve(".local/state")).resolve("opencode"));
    }

    @Override
    public AgentReader reader() {
        return new OpenCodeReader();
    }

    @Override
    public Map<String, String> unsupported() {
        return Map.of(
                "allowed-tools", "OpenCode takes no tool list on its command line: troupe runs it with the"
                        + " permission rules of its config (put a permission block in opencode.json)",
                "max-turns", "OpenCode has no turn limit on its command line (an agent's steps in opencode.json):"
                        + " troupe bounds the run by the task's timeout only",
                "append-system-prompt", "OpenCode has no flag for it: troupe puts the text before the prompt"
                        + " (opencode.json's instructions can name files to add to the system prompt)",
                "live-input", "OpenCode reads its stdin to the end before it starts (troupe's prompt): a later"
                        + " message is heard by the next attempt, which continues the session (-s)",
                "isolate-config", "troupe gives OpenCode no config of its own: it reads the config the agent's"
                        + " environment points to (OPENCODE_CONFIG, XDG_CONFIG_HOME) and the project's opencode.json");
    }
}
