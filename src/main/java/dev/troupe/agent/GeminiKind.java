package dev.troupe.agent;

import dev.troupe.goal.Endpoint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Google's Gemini CLI ({@code gemini}, pinned 0.61.0): {@code --prompt=PROMPT --output-format stream-json
 * --approval-mode <mode> [--allowed-tools=run_shell_command...] [-m MODEL] (--resume <id> | --session-id <uuid>)}, stdin
 * closed (with stdin open it waits for it to close and puts what it read before the prompt). The prompt is given as
 * {@code --prompt=...} so that one starting with "-" is not read as an option. A JSON schema is asked for in the
 * prompt ({@link StructuredText}): the CLI has no way to hold the model to one.
 *
 * <p>Permission modes, as the pinned CLI behaves headless (tried against a stand-in API): under {@code default} it
 * does not even offer {@code write_file}, {@code replace} or {@code run_shell_command} to the model; {@code plan} is
 * read-only (a write is "denied by policy", the shell is not offered); {@code auto_edit} writes and edits files but
 * still offers no shell; {@code yolo} runs anything. So {@code plan} becomes {@code plan}, {@code bypassPermissions}
 * {@code yolo}, and every other mode {@code auto_edit}, the least that lets a writer edit its workspace, plus the
 * shell only when the goal's allowed tools name Claude's {@code Bash}: {@code Bash} allows every command,
 * {@code Bash(git:*)} those that start with {@code git} (the CLI's {@code run_shell_command(git)}). That is how
 * Claude Code treats the same goal under {@code acceptEdits}. {@code --allowed-tools} is deprecated for the policy
 * engine in 1.0; it works in 0.61.0 and prints a warning on stderr.
 */
final class GeminiKind implements AgentKind {

    static final String SHELL_TOOL = "run_shell_command";

    @Override
    public String name() {
        return "gemini";
    }

    @Override
    public List<String> arguments(AgentCall call) {
        List<String> argv = new ArrayList<>();
        argv.add("--prompt=" + prompt(call));
        argv.addAll(List.of("--output-format", "stream-json", "--approval-mode", approvalMode(call.permissionMode())));
        if ("auto_edit".equals(approvalMode(call.permissionMode()))) {
            shellCommands(call.allowedTools()).forEach(tool -> argv.add("--allowed-tools=" + tool));
        }
        call.model().ifPresent(model -> argv.addAll(List.of("-m", model)));
        // The CLI refuses --resume and --session-id together: a resumed session goes on under its own id, which its
        // init line says.
        call.resume().ifPresentOrElse(session -> argv.addAll(List.of("--resume", session)),
                () -> argv.addAll(List.of("--session-id", call.sessionId())));
        return argv;
    }

    /**
     * The prompt, with the schema of the answer asked for after it, and the goal's {@code append-system-prompt} first:
     * the CLI can only replace its whole system prompt ({@code GEMINI_SYSTEM_MD}), so the text goes to the model as
     * part of the user's message.
     */
    private static String prompt(AgentCall call) {
        String prompt = call.jsonSchema().map(schema -> StructuredText.ask(call.prompt(), schema)).orElse(call.prompt());
        return call.appendSystemPrompt().map(text -> text.strip() + "\n\n" + prompt).orElse(prompt);
    }

    static String approvalMode(String permissionMode) {
        return switch (permissionMode) {
            case "plan" -> "plan";
            case "bypassPermissions" -> "yolo";
            default -> "auto_edit";
        };
    }

    /** Claude's {@code Bash} and {@code Bash(prefix:*)} entries as the CLI's shell tool; the others it has no use for. */
    static List<String> shellCommands(List<String> allowedTools) {
        List<String> shell = new ArrayList<>();
        for (String tool : allowedTools) {
            String name = tool.strip();
            if (name.equals("Bash")) {
                shell.add(SHELL_TOOL);
            } else if (name.startsWith("Bash(") && name.endsWith(")")) {
                String command = name.substring("Bash(".length(), name.length() - 1).strip();
                command = command.endsWith(":*") ? command.substring(0, command.length() - 2) : command;
                shell.add(command.isEmpty() || command.equals("*") ? SHELL_TOOL : SHELL_TOOL + "(" + command + ")");
            }
        }
        return shell;
    }

    /**
     * Headless in a directory it has not seen: trusted without asking ({@code GEMINI_CLI_TRUST_WORKSPACE}), and run in
     * the process troupe started ({@code GEMINI_CLI_NO_RELAUNCH}): otherwise the CLI starts a second node process with
     * more heap and waits on it, and a signal to the first does not end the work.
     */
    @Override
    public Map<String, String> environment() {
        return Map.of("GEMINI_CLI_TRUST_WORKSPACE", "true", "GEMINI_CLI_NO_RELAUNCH", "true");
    }

    @Override
    public List<Endpoint> api(Map<String, String> env) {
        return AgentKind.api(env, "GOOGLE_GEMINI_BASE_URL", "generativelanguage.googleapis.com");
    }

    @Override
    public String keyVariable() {
        return "GEMINI_API_KEY";
    }

    /**
     * {@code ~/.gemini} ({@code GEMINI_CLI_HOME} stands for the home when set): settings, which the CLI rewrites,
     * sessions under {@code tmp/<project>/chats}, history and the project list; made here, as the sandbox's home is
     * read-only. A failed API call also leaves a {@code gemini-client-error-*.json} report in the temp dir, outside
     * the home: the sandbox's own /tmp, which goes with it.
     */
    @Override
    public List<Path> stateDirs(Map<String, String> env) {
        return AgentKind.made(AgentKind.dir(env, "GEMINI_CLI_HOME", AgentKind.home(env)).resolve(".gemini"));
    }

    @Override
    public AgentReader reader() {
        return new GeminiReader();
    }

    @Override
    public Map<String, String> unsupported() {
        return Map.of(
                "allowed-tools", "gemini has tools of its own: only Bash entries carry over (as run_shell_command);"
                        + " reading and, unless read-only, editing files are always allowed",
                "max-turns", "gemini has no flag for it (only settings.json's model.maxSessionTurns):"
                        + " troupe does not limit the turns",
                "append-system-prompt", "gemini can only replace its whole system prompt: troupe puts the text before"
                        + " the prompt instead",
                "live-input", "gemini reads its stdin to the end before it starts: troupe closes it, and nothing"
                        + " can be told to a gemini agent while it works",
                "isolate-config", "gemini keeps settings, login and sessions together in ~/.gemini: the workers share it");
    }
}
