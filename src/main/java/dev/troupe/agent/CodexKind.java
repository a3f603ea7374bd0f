package dev.troupe.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.troupe.goal.Endpoint;
import dev.troupe.journal.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * OpenAI's Codex CLI ({@code codex}, 0.169.0): {@code exec --json --skip-git-repo-check -c approval_policy="never"
 * -c analytics.enabled=false -c check_for_update_on_startup=false <sandbox> [-m M] [-c developer_instructions=T]
 * [--output-schema FILE] [resume <id>] -- <prompt>}. The model provider, its base URL and its retry limits come from
 * {@code $CODEX_HOME/config.toml}, which the goal's {@code agent.env} points at; a prompt always goes on the command
 * line, and the process's stdin must be closed, or the CLI waits for it to end before it starts.
 */
final class CodexKind implements AgentKind {

    /** Where a call's JSON schema is written in its scratch directory, for {@code --output-schema}. */
    static final String SCHEMA_FILE = "codex-output-schema.json";

    @Override
    public String name() {
        return "codex";
    }

    /**
     * Options go before {@code resume}: given there, 0.169.0 applies them to the resumed session too, and
     * {@code resume} has no {@code --sandbox} of its own. The session is continued, not forked: {@code exec resume}
     * goes on under the same thread id.
     */
    @Override
    public List<String> arguments(AgentCall call) {
        List<String> argv = new ArrayList<>(List.of("exec", "--json",
                // troupe's workspaces are git worktrees, but a check that fails there would end the run before it starts.
                "--skip-git-repo-check",
                // Values are TOML: a bare never would be taken as a string only because it fails to parse.
                "-c", "approval_policy=\"never\"", "-c", "analytics.enabled=false",
                "-c", "check_for_update_on_startup=false"));
        argv.addAll(sandbox(call));
        call.model().ifPresent(model -> argv.addAll(List.of("-m", model)));
        call.appendSystemPrompt().ifPresent(text -> argv.addAll(List.of("-c", "developer_instructions=" + toml(text))));
        call.jsonSchema().ifPresent(schema -> argv.addAll(List.of("--output-schema", schemaFile(call, schema))));
        call.resume().ifPresent(session -> argv.addAll(List.of("resume", session)));
        // After --, a prompt that starts with "-" (a markdown list) is not read as an option.
        argv.add("--");
        argv.add(call.prompt());
        return argv;
    }

    /** Read only for the planner and reviewers, no sandbox at all for bypassPermissions, else the workspace. */
    private static List<String> sandbox(AgentCall call) {
        if (call.readOnly()) {
            return List.of("--sandbox", "read-only");
        }
        if ("bypassPermissions".equals(call.permissionMode())) {
            return List.of("--dangerously-bypass-approvals-and-sandbox");
        }
        return List.of("--sandbox", "workspace-write");
    }

    /**
     * A TOML basic string: a JSON string is one, as Jackson writes it (quotes, backslashes and control characters
     * escaped, the rest as it is).
     */
    static String toml(String text) {
        try {
            return Json.MAPPER.writeValueAsString(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a string always serialises", e);
        }
    }

    private static String schemaFile(AgentCall call, String schema) {
        Path file = call.scratch().resolve(SCHEMA_FILE);
        try {
            Files.createDirectories(call.scratch());
            Files.writeString(file, schema);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the output schema for codex: " + file, e);
        }
        return file.toString();
    }

    @Override
    public List<Endpoint> api(Map<String, String> env) {
        return AgentKind.api(env, "OPENAI_BASE_URL", "api.openai.com");
    }

    /**
     * {@code CODEX_API_KEY}: with the built-in OpenAI provider, 0.169.0's {@code exec} sends it as the bearer token
     * and ignores {@code OPENAI_API_KEY} (checked against a stand-in). A provider of the user's config names its own
     * variable ({@code env_key}), which the goal's {@code agent.env} then sets.
     */
    @Override
    public String keyVariable() {
        return "CODEX_API_KEY";
    }

    /**
     * {@code CODEX_HOME}, or {@code ~/.codex}: config, sessions, sqlite state and logs all live there, and the helper
     * its sandbox runs commands through. That helper is not made under the temp dir, so a CODEX_HOME there makes every
     * sandboxed command fail ({@code bwrap: execvp codex-linux-sandbox}).
     */
    @Override
    public List<Path> stateDirs(Map<String, String> env) {
        return AgentKind.made(AgentKind.dir(env, "CODEX_HOME", AgentKind.home(env).resolve(".codex")));
    }

    @Override
    public AgentReader reader() {
        return new CodexReader();
    }

    @Override
    public Map<String, String> unsupported() {
        return Map.of(
                "allowed-tools", "codex has no per-tool allow list: troupe runs it in a sandbox (read-only, or writes"
                        + " to the workspace only) instead",
                "max-turns", "codex has no turn limit: only limits.task-timeout bounds the run",
                "live-input", "codex reads no messages while it works: troupe resumes the session with a new process",
                "isolate-config", "codex reads its config and keeps its sessions in CODEX_HOME: troupe uses the one the goal's"
                        + " agent.env names (else ~/.codex) as it is");
    }
}
