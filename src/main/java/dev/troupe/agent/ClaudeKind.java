package dev.troupe.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.goal.Endpoint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Claude Code ({@code claude}, and troupe's demo agent, which speaks the same): {@code -p [--input-format stream-json
 * --replay-user-messages] --output-format stream-json --verbose --permission-mode <mode> --allowedTools <list>
 * [--model M] [--max-turns N] [--append-system-prompt T] [--json-schema S] [--resume <id> --fork-session]
 * --session-id <uuid> [-- <prompt>]}. A live agent gets its prompt on stdin ({@code AgentInput}); any other as the
 * positional argument ({@code -p}, print mode, takes no value), last after {@code --} so that a prompt starting
 * with "-" (a markdown list) is not read as an option.
 */
final class ClaudeKind implements AgentKind {

    @Override
    public String name() {
        return "claude";
    }

    @Override
    public List<String> arguments(AgentCall call) {
        List<String> argv = new ArrayList<>();
        argv.add("-p");
        if (call.live()) {
            argv.addAll(List.of("--input-format", "stream-json", "--replay-user-messages"));
        }
        argv.addAll(List.of("--output-format", "stream-json", "--verbose", "--permission-mode", call.permissionMode()));
        if (!call.allowedTools().isEmpty()) {
            argv.add("--allowedTools");
            argv.add(String.join(",", call.allowedTools()));
        }
        call.model().ifPresent(m -> argv.addAll(List.of("--model", m)));
        call.maxTurns().ifPresent(n -> argv.addAll(List.of("--max-turns", Integer.toString(n))));
        call.appendSystemPrompt().ifPresent(text -> argv.addAll(List.of("--append-system-prompt", text)));
        call.jsonSchema().ifPresent(schema -> argv.addAll(List.of("--json-schema", schema)));
        // Forked, so the session goes on under sessionId (which the CLI accepts only with --fork-session) and the
        // earlier one stays as it was.
        call.resume().ifPresent(session -> argv.addAll(List.of("--resume", session, "--fork-session")));
        argv.addAll(List.of("--session-id", call.sessionId()));
        if (!call.live()) {
            argv.add("--");
            argv.add(call.prompt());
        }
        return argv;
    }

    @Override
    public List<Endpoint> api(Map<String, String> env) {
        return AgentKind.api(env, "ANTHROPIC_BASE_URL", "api.anthropic.com");
    }

    @Override
    public Map<String, String> confinedEnvironment(AgentCall call) {
        return "bypassPermissions".equals(call.permissionMode()) ? Map.of("IS_SANDBOX", "1") : Map.of();
    }

    @Override
    public String keyVariable() {
        return "ANTHROPIC_API_KEY";
    }

    /** The key, and no inherited login token, which Claude Code would use before it (another account's). */
    @Override
    public Map<String, String> keyEnvironment(String key) {
        return Map.of("ANTHROPIC_API_KEY", key, "ANTHROPIC_AUTH_TOKEN", "", "CLAUDE_CODE_OAUTH_TOKEN", "");
    }

    /**
     * {@code CLAUDE_CONFIG_DIR}, or {@code ~/.claude} (made here: inside the sandbox the home is read-only and the CLI
     * could not make it). Not {@code ~/.claude.json}: with that file bound writable in a read-only home, CLI 2.1.328
     * still left it as it was (it seems to replace the file rather than write into it), and it runs on without it.
     */
    @Override
    public List<Path> stateDirs(Map<String, String> env) {
        return AgentKind.made(AgentKind.dir(env, "CLAUDE_CONFIG_DIR", AgentKind.home(env).resolve(".claude")));
    }

    @Override
    public AgentReader reader() {
        return READER;
    }

    @Override
    public boolean takesLiveInput() {
        return true;
    }

    /** Stateless: Claude Code's lines say all there is on each, so one reader serves every process. */
    static final AgentReader READER = new AgentReader() {

        /** System (API retries), result, the answer to a control request, the echo of a message written to it. */
        private static final Set<String> STEERING = Set.of("system", "result", "control_response", "user");

        @Override
        public Set<String> steeringTypes() {
            return STEERING;
        }

        @Override
        public AgentMessage read(JsonNode line) {
            return AgentMessage.of(line);
        }
    };
}
