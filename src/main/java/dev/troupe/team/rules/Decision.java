package dev.troupe.team.rules;

import dev.troupe.journal.RunOutcome;
import dev.troupe.journal.TeamEvent;
import java.time.Instant;
import org.eclipse.jgit.lib.ObjectId;

/**
 * What the {@link RunState} decided, for the {@code TeamLead} to carry out in order: journal lines, messages to
 * workers and the merger, a timer, the end of the run. Workers are named here; the lead knows their refs.
 */
public sealed interface Decision {

    /** Append to the journal (in order with every other line; not waited for). */
    public record Journal(TeamEvent event) implements Decision {}

    /** Append and flush to disk: a resume must find it however the process ends. */
    public record JournalDurably(TeamEvent event) implements Decision {}

    /** Start a worker with this name; later decisions may hand it work. */
    public record SpawnWorker(String name) implements Decision {}

    /** Start the {@code slot}-th worker {@code node} offered (numbered from 0) under this name. */
    public record JoinWorker(String name, String node, int slot) implements Decision {}

    /** Stop the worker for good, without a replacement: its workspace could not be set up. */
    public record RetireWorker(String name) implements Decision {}

    /** Hand the worker an agent run (a review or the planning, whose start is journaled already). */
    public record Assign(String worker, Assignment assignment) implements Decision {}

    /** Hand the worker a task's attempt once {@code assigned} is on disk, so no attempt runs unjournaled. */
    public record AssignOnceJournaled(String worker, Assignment assignment, TeamEvent.TaskAssigned assigned)
            implements Decision {}

    /** Ask the merger to bring a finished attempt (the {@code attempt} that made {@code commit}) into the branch. */
    public record Merge(String taskId, int attempt, ObjectId commit, String message, String failedBranch)
            implements Decision {}

    /**
     * Ask the merger whether a variant's commit would merge onto the integration head and pass {@code sync.check}
     * there, without moving the branch; the answer comes back to {@link RunState#tried}.
     */
    public record TryMerge(String taskId, int attempt, ObjectId commit, String message) implements Decision {}

    /** Ask the merger to keep a commit that will not merge on a branch of its own. */
    public record Keep(ObjectId commit, String branch) implements Decision {}

    /**
     * Read the planner's answer for {@code round} as a goal file, off the actor (the first round's as the planned
     * goal, a later one's as tasks added to the run's goal file); the result comes back to {@link RunState#planChecked}.
     */
    public record CheckPlan(int attempt, int round, AttemptResult answer) implements Decision {}

    /** {@code troupe cancel}: stop the attempt {@code worker} runs; its end cancels the task. */
    public record CancelAttempt(String worker) implements Decision {}

    /**
     * Tell the agent {@code worker} runs for {@code taskId} message {@code id} now ({@code redirect}: cut its turn
     * under way short first); it answers whether the agent heard it.
     */
    public record TellAgent(String worker, String taskId, String id, String message, boolean redirect)
            implements Decision {}

    /** Dispatch again at {@code when}: a stagger, a pause or a backoff holds the next launch until then. */
    public record WakeAt(Instant when) implements Decision {}

    /**
     * The run is over: journal {@code last} durably, then tell whoever waits for the outcome.
     *
     * @param last the run's last event: {@code RunFinished}, or {@code RunStopped} when it can be resumed
     */
    public record Finish(RunOutcome outcome, TeamEvent last) implements Decision {}
}
