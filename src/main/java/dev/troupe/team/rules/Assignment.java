package dev.troupe.team.rules;

import dev.troupe.goal.Goal;
import java.util.Optional;
import org.eclipse.jgit.lib.ObjectId;

/**
 * One agent run, as the team lead hands it to a worker: an attempt at a task (a writer), the review of an
 * attempt's change (a reviewer), or the planning of a goal's tasks (the planner).
 *
 * @param base the commit the worktree is checked out at: the integration head for a writer and the planner,
 *     the writer's commit for a reviewer
 * @param changeFrom for a reviewer: the commit the change under review starts from; for a judge, the variants' base
 * @param resume for a writer whose last attempt's work did not make it in ({@code retry: resume}): the session to
 *     continue, and what to tell it; {@code prompt} is for a fresh start, when the session cannot be resumed where
 *     the attempt runs
 * @param candidates for a judge: the commit of each variant it compares, by the variant's attempt
 */
public record Assignment(Goal.TaskSpec task, int attempt, String branch, ObjectId base, String prompt, Role role,
        Optional<ObjectId> changeFrom, Optional<Resume> resume, java.util.SortedMap<Integer, ObjectId> candidates) {

    /** A session to continue with {@code message} as its next user message. */
    public record Resume(AgentSession session, String message) {}

    public Assignment(Goal.TaskSpec task, int attempt, String branch, ObjectId base, String prompt, Role role,
            Optional<ObjectId> changeFrom) {
        this(task, attempt, branch, base, prompt, role, changeFrom, Optional.empty(), java.util.Collections.emptySortedMap());
    }

    public Assignment(Goal.TaskSpec task, int attempt, String branch, ObjectId base, String prompt, Role role,
            Optional<ObjectId> changeFrom, Optional<Resume> resume) {
        this(task, attempt, branch, base, prompt, role, changeFrom, resume, java.util.Collections.emptySortedMap());
    }

    public Assignment(Goal.TaskSpec task, int attempt, String branch, ObjectId base, String prompt, Role role,
            Optional<ObjectId> changeFrom, java.util.SortedMap<Integer, ObjectId> candidates) {
        this(task, attempt, branch, base, prompt, role, changeFrom, Optional.empty(), candidates);
    }

    /**
     * What the agent is there for. Only a writer's work is committed; the others answer with structured output (a
     * judge picks the best of a task's variants).
     */
    public enum Role {
        WRITER, REVIEWER, PLANNER, JUDGE;

        /** The agent answers (with {@code --json-schema}) instead of changing files. */
        public boolean answers() {
            return this != WRITER;
        }
    }

    public Assignment(Goal.TaskSpec task, int attempt, String branch, ObjectId base, String prompt) {
        this(task, attempt, branch, base, prompt, Role.WRITER, Optional.empty());
    }
}
