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
 * @param resume for a writer whose last attempt's work did not make it in ({@code retry: resume}): the session to
 *     continue, and what to tell it; {@code prompt} is for a fresh start, when the session cannot be resumed where
 *     the attempt runs
 */
public record Assignment(Goal.TaskSpec task, int attempt, String branch, ObjectId base, String prompt, Role role,
        Optional<ObjectId> changeFrom, Optional<Resume> resume) {

    /** A session to continue with {@code message} as its next user message. */
    public record Resume(AgentSession session, String message) {}

    public Assignment(Goal.TaskSpec task, int attempt, String branch, ObjectId base, String prompt, Role role,
            Optional<ObjectId> changeFrom) {
        this(task, attempt, branch, base, prompt, role, changeFrom, Optional.empty());
    }

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
