package dev.troupe.team.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.troupe.journal.Usage;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.lib.ObjectId;

/**
 * What a successful agent run produced: for a writer, the committed branch head and what the agent reported;
 * for a reviewer or the planner, its answer. A worker node sends it to the lead as it is (Jackson).
 *
 * @param outsideZone the changed files that the task's zone does not hold (none for a task without a zone)
 * @param permissionDenials tool calls the agent was refused (the work may be incomplete because of them)
 * @param answer the structured output of an agent that answers (empty for a writer)
 * @param session the writer's Claude Code session, which the task's next attempt may resume (empty if unknown)
 */
public record AttemptResult(String branch,
        @JsonSerialize(using = CommitIdJson.Writer.class) @JsonDeserialize(using = CommitIdJson.Reader.class)
        ObjectId commit, double costUsd, Usage usage, int turns, long durationMs, List<String> filesChanged,
        List<String> outsideZone, String text, int permissionDenials, Optional<JsonNode> answer,
        Optional<AgentSession> session) {

    public AttemptResult(String branch, ObjectId commit, double costUsd, Usage usage, int turns, long durationMs,
            List<String> filesChanged, List<String> outsideZone, String text, int permissionDenials,
            Optional<JsonNode> answer) {
        this(branch, commit, costUsd, usage, turns, durationMs, filesChanged, outsideZone, text, permissionDenials,
                answer, Optional.empty());
    }

    /** The same result with {@code text} for the agent's report (a worker node sends a long one cut). */
    public AttemptResult withText(String text) {
        return new AttemptResult(branch, commit, costUsd, usage, turns, durationMs, filesChanged, outsideZone, text,
                permissionDenials, answer, session);
    }

    /** The same result with the files its commit changed, and those outside the task's zone, as found by the lead. */
    public AttemptResult withFiles(List<String> filesChanged, List<String> outsideZone) {
        return new AttemptResult(branch, commit, costUsd, usage, turns, durationMs, filesChanged, outsideZone, text,
                permissionDenials, answer, session);
    }

    /** The same result with {@code answer} for the agent's structured output. */
    public AttemptResult withAnswer(Optional<JsonNode> answer) {
        return new AttemptResult(branch, commit, costUsd, usage, turns, durationMs, filesChanged, outsideZone, text,
                permissionDenials, answer, session);
    }

    /** The same result without its session: one that can be resumed only where it was made (on a worker node). */
    public AttemptResult withoutSession() {
        return new AttemptResult(branch, commit, costUsd, usage, turns, durationMs, filesChanged, outsideZone, text,
                permissionDenials, answer, Optional.empty());
    }
}
