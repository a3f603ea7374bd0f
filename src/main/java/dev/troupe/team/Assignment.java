package dev.troupe.team;

import dev.troupe.goal.Goal;
import java.util.Optional;
import org.eclipse.jgit.lib.ObjectId;

/**
 * One agent run, as the team lead hands it to a worker: an attempt at a task (a writer), the review of an
 * attempt's change (a reviewer), or the planning of a goal's tasks (the planner).
 *
 * @param base the commit the worktree is checked out at: the integration head for a writer and the planner,
 *     the writer's commit for a reviewer
 * @param changeFrom for a reviewer: the commit the change under review starts from
 */
public record Assignment(Goal.TaskSpec task, int attempt, String branch, ObjectId base, String prompt, Role role,
        Optional<ObjectId> changeFrom) {

    /** What the agent is there for. Only a writer's work is committed; the others answer with structured output. */
    public enum Role {
        WRITER, REVIEWER, PLANNER;

        /** The agent answers (with {@code --json-schema}) instead of changing files. */
        public boolean answers() {
            return this != WRITER;
        }
    }

    public Assignment(Goal.TaskSpec task, int attempt, String branch, ObjectId base, String prompt) {
        this(task, attempt, branch, base, prompt, Role.WRITER, Optional.empty());
    }
}
