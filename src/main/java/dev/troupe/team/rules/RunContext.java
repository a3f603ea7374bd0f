package dev.troupe.team.rules;

import dev.troupe.agent.LiveAgents;
import dev.troupe.agent.Secrets;
import dev.troupe.goal.Goal;
import dev.troupe.journal.Journal;
import dev.troupe.workspace.Workspaces;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import org.eclipse.jgit.lib.ObjectId;

/**
 * What every actor of one run shares, fixed before the run starts: the goal, the places on disk, the journal
 * and the executor for blocking work.
 *
 * @param repo the target repository's top-level directory
 * @param base the branch (or revision) the run started from, as the user named it
 * @param runDir {@code .troupe/runs/<run>} inside the repository
 * @param worktrees where this run's worker worktrees live
 * @param startCommit where the integration branch stood when the run began (the base commit, or the head of an
 *     existing {@code --into} branch)
 * @param agents every agent process of the run that may still be alive
 * @param secrets credential values to mask in everything troupe writes
 * @param planOnly stop once the planner's tasks are checked ({@code --plan-only})
 * @param workspaces the workspaces the workers and the check take, and how they are prepared
 */
public record RunContext(
        String runId,
        Goal goal,
        Path repo,
        String base,
        Path runDir,
        Path worktrees,
        String integrationBranch,
        ObjectId startCommit,
        Journal journal,
        LiveAgents agents,
        Secrets secrets,
        Executor blocking,
        Tuning tuning,
        boolean planOnly,
        Workspaces workspaces) {

    /**
     * The workspaces of a run of {@code top} (the user's checkout), as the goal and the tuning say.
     *
     * @param worktrees the run's own workspaces' folder
     * @param kept the folder of the workspaces that outlast runs ({@code workspace.keep})
     */
    public static Workspaces workspaces(String runId, Goal goal, Path top, Path runDir, Path worktrees, Path kept,
            Tuning tuning, LiveAgents agents) {
        return new Workspaces(top, worktrees, kept, runDir, runId, RUN_MARKER, tuning.workspaces(goal), agents);
    }

    /** The goal with the planner's tasks filled in, in the run directory, for a goal that listed none. */
    public static final String PLANNED_GOAL = "plan.yaml";

    /** Environment variable naming the run, set for every agent of it. */
    public static final String RUN_MARKER = "TROUPE_RUN_ID";

    /** Branch of one task: under {@code troupe/tasks/<run>/}, since git cannot hold both {@code troupe/<run>} and refs below it. */
    public String taskBranch(Goal.TaskSpec task) {
        return "troupe/tasks/" + runId + "/" + task.slug();
    }

    /** Where variant {@code attempt} of a task is kept, whether it wins or not. */
    public String variantBranch(Goal.TaskSpec task, int attempt) {
        return "troupe/variants/" + runId + "/" + task.slug() + "/" + attempt;
    }

    /** Where a failed attempt's unfinished work is kept: apart from the task branch, which the next attempt resets. */
    public String failedBranch(Goal.TaskSpec task, int attempt) {
        return failedBranch(runId, task, attempt);
    }

    /** The same, for a run known only by its id (resume, before the run context exists). */
    public static String failedBranch(String runId, Goal.TaskSpec task, int attempt) {
        return "troupe/failed/" + runId + "/" + task.slug() + "-" + attempt;
    }

    /** Where one agent run's stdout ({@code .jsonl}) and stderr go; see {@link #agentOutput(Path, Assignment.Role, String, int, String)}. */
    public Path agentOutput(Assignment assignment, String suffix) {
        return agentOutput(runDir, assignment.role(), assignment.task().slug(), assignment.attempt(), suffix);
    }

    /**
     * Where one agent run's output goes in {@code runDir}: {@code agents/<task>-<n>} for a writer,
     * {@code agents/<task>-<n>.review} for its reviewer, {@code agents/<task>-<n>.judge} for the judge of variants, {@code planner/plan-<n>} for the planner; the suffix
     * says which stream ({@code .jsonl}, {@code .stderr}). Also for readers of a run (the report).
     */
    public static Path agentOutput(Path runDir, Assignment.Role role, String slug, int attempt, String suffix) {
        return switch (role) {
            case WRITER -> runDir.resolve("agents").resolve(slug + "-" + attempt + suffix);
            case REVIEWER -> runDir.resolve("agents").resolve(slug + "-" + attempt + ".review" + suffix);
            case JUDGE -> runDir.resolve("agents").resolve(slug + "-" + attempt + ".judge" + suffix);
            case PLANNER -> runDir.resolve("planner").resolve("plan-" + attempt + suffix);
        };
    }

    /**
     * The goal file the run's tasks are in now (tasks added and later rounds' included): the planned goal when the
     * planner made the first round, else the copy.
     */
    public Path tasksGoalFile() {
        Path planned = runDir.resolve(PLANNED_GOAL);
        return java.nio.file.Files.exists(planned) ? planned : goalCopy();
    }

    /** The copy of the goal file the run started from. */
    public Path goalCopy() {
        return goalCopy(runDir);
    }

    /** The copy of the goal file in {@code runDir}: {@code goal.json} for a JSON goal, else {@code goal.yaml}. */
    public static Path goalCopy(Path runDir) {
        Path json = runDir.resolve("goal.json");
        return java.nio.file.Files.exists(json) ? json : runDir.resolve("goal.yaml");
    }

    public Path resultFile(Goal.TaskSpec task) {
        return runDir.resolve("results").resolve(task.slug() + ".md");
    }

    /** Where an attempt's report goes: a variant's beside the others of its task, until one is chosen. */
    public Path resultFile(Assignment assignment) {
        return assignment.branch().equals(variantBranch(assignment.task(), assignment.attempt()))
                ? runDir.resolve("results").resolve(assignment.task().slug() + ".variant-" + assignment.attempt() + ".md")
                : resultFile(assignment.task());
    }
}
