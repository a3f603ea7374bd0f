package dev.troupe.agent;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * One agent run as troupe asks for it, whatever the CLI: what {@link AgentKind#arguments} turns into a command line.
 *
 * @param permissionMode Claude Code's word for what the agent may do unasked: {@code plan} (read only),
 *     {@code default}/{@code acceptEdits}/{@code dontAsk}/{@code auto} (edits in its workspace), {@code bypassPermissions}
 *     (anything); each kind maps it to its own approval or sandbox setting
 * @param jsonSchema for an agent that answers rather than edits (the planner, a reviewer, a judge): the schema of its
 *     answer
 * @param resume a session of the same CLI to continue, the prompt its next message
 * @param sessionId the id troupe picked for the session, for a CLI that lets the caller pick it
 * @param live the prompt goes to the agent's stdin, not on its command line ({@link AgentKind#takesLiveInput})
 * @param scratch a directory of the worker's own, outside the workspace, where a kind may write files its CLI is
 *     given by path (a schema file)
 */
public record AgentCall(String prompt, Optional<String> model, String permissionMode, List<String> allowedTools,
        Optional<Integer> maxTurns, Optional<String> appendSystemPrompt, Optional<String> jsonSchema,
        Optional<String> resume, String sessionId, boolean live, Path scratch) {

    /** Whether the agent may only read: the planner, a reviewer, a judge. */
    public boolean readOnly() {
        return "plan".equals(permissionMode);
    }

    /** The same run with another prompt (a placeholder, for the journal's copy of the command line). */
    public AgentCall withPrompt(String other) {
        return new AgentCall(other, model, permissionMode, allowedTools, maxTurns, appendSystemPrompt, jsonSchema, resume,
                sessionId, live, scratch);
    }
}
