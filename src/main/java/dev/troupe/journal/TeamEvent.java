package dev.troupe.journal;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything that happens in a run, one JSON object a line in {@code events.jsonl} and on {@code --json}.
 * The {@code type} property names the event; Jackson needs the subtypes listed because it does not
 * discover the permitted subclasses of a sealed interface.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = TeamEvent.RunStarted.class, name = "run-started"),
    @JsonSubTypes.Type(value = TeamEvent.RunResumed.class, name = "run-resumed"),
    @JsonSubTypes.Type(value = TeamEvent.PlanStarted.class, name = "plan-started"),
    @JsonSubTypes.Type(value = TeamEvent.PlanRejected.class, name = "plan-rejected"),
    @JsonSubTypes.Type(value = TeamEvent.PlanMade.class, name = "plan-made"),
    @JsonSubTypes.Type(value = TeamEvent.GoalMet.class, name = "goal-met"),
    @JsonSubTypes.Type(value = TeamEvent.TaskQueued.class, name = "task-queued"),
    @JsonSubTypes.Type(value = TeamEvent.TaskAssigned.class, name = "task-assigned"),
    @JsonSubTypes.Type(value = TeamEvent.SetupStarted.class, name = "setup-started"),
    @JsonSubTypes.Type(value = TeamEvent.SetupDone.class, name = "setup-done"),
    @JsonSubTypes.Type(value = TeamEvent.WorkspaceLeftovers.class, name = "workspace-leftovers"),
    @JsonSubTypes.Type(value = TeamEvent.AgentStarted.class, name = "agent-started"),
    @JsonSubTypes.Type(value = TeamEvent.AgentOutput.class, name = "agent-output"),
    @JsonSubTypes.Type(value = TeamEvent.AgentRetry.class, name = "agent-retry"),
    @JsonSubTypes.Type(value = TeamEvent.TaskSucceeded.class, name = "task-succeeded"),
    @JsonSubTypes.Type(value = TeamEvent.ZoneViolation.class, name = "zone-violation"),
    @JsonSubTypes.Type(value = TeamEvent.ReviewStarted.class, name = "review-started"),
    @JsonSubTypes.Type(value = TeamEvent.ReviewQueued.class, name = "review-queued"),
    @JsonSubTypes.Type(value = TeamEvent.ReviewDone.class, name = "review-done"),
    @JsonSubTypes.Type(value = TeamEvent.TaskHeld.class, name = "task-held"),
    @JsonSubTypes.Type(value = TeamEvent.MergeStarted.class, name = "merge-started"),
    @JsonSubTypes.Type(value = TeamEvent.AttemptFailed.class, name = "attempt-failed"),
    @JsonSubTypes.Type(value = TeamEvent.TaskFailed.class, name = "task-failed"),
    @JsonSubTypes.Type(value = TeamEvent.TeamPaused.class, name = "team-paused"),
    @JsonSubTypes.Type(value = TeamEvent.BudgetSpent.class, name = "budget-spent"),
    @JsonSubTypes.Type(value = TeamEvent.TaskSkipped.class, name = "task-skipped"),
    @JsonSubTypes.Type(value = TeamEvent.MergeDone.class, name = "merge-done"),
    @JsonSubTypes.Type(value = TeamEvent.MergeConflict.class, name = "merge-conflict"),
    @JsonSubTypes.Type(value = TeamEvent.CheckStarted.class, name = "check-started"),
    @JsonSubTypes.Type(value = TeamEvent.CheckDone.class, name = "check-done"),
    @JsonSubTypes.Type(value = TeamEvent.RunFinished.class, name = "run-finished"),
    @JsonSubTypes.Type(value = TeamEvent.StopRequested.class, name = "stop-requested"),
    @JsonSubTypes.Type(value = TeamEvent.TaskCancelled.class, name = "task-cancelled"),
    @JsonSubTypes.Type(value = TeamEvent.TasksAdded.class, name = "tasks-added"),
    @JsonSubTypes.Type(value = TeamEvent.TaskTold.class, name = "task-told"),
    @JsonSubTypes.Type(value = TeamEvent.MessageDelivered.class, name = "message-delivered"),
    @JsonSubTypes.Type(value = TeamEvent.RunStopped.class, name = "run-stopped"),
    @JsonSubTypes.Type(value = TeamEvent.NodeJoined.class, name = "node-joined"),
    @JsonSubTypes.Type(value = TeamEvent.BundleMoved.class, name = "bundle-moved"),
    @JsonSubTypes.Type(value = TeamEvent.NodeLost.class, name = "node-lost"),
    @JsonSubTypes.Type(value = TeamEvent.VariantDone.class, name = "variant-done"),
    @JsonSubTypes.Type(value = TeamEvent.JudgeStarted.class, name = "judge-started"),
    @JsonSubTypes.Type(value = TeamEvent.VariantChosen.class, name = "variant-chosen"),
})
public sealed interface TeamEvent {

    Instant time();

    /** An event of one task's life ({@code task} is its id): {@link TaskLife} moves that task by it. */
    sealed interface OfTask extends TeamEvent {
        String task();
    }

    /**
     * {@code after}: for each task with dependencies, the tasks it comes after. {@code planOnly}: the run only
     * plans ({@code --plan-only}); absent from journals written before it existed, which read as false.
     */
    record RunStarted(Instant time, String run, String goalFile, String repo, String base, String baseCommit,
            String integrationBranch, int teamSize, List<String> tasks, Map<String, List<String>> after,
            boolean planOnly) implements TeamEvent {}

    /**
     * {@code troupe resume} took over a run that had stopped: {@code merged} tasks were found on the integration
     * branch, {@code killed} agent processes of the dead run were still alive. {@code merged} is a set, since every
     * task asks whether it is one of them (as a list, reading back a run of 10,000 tasks took 86 million comparisons).
     */
    record RunResumed(Instant time, String run, int pid, Set<String> merged, int killed) implements TeamEvent {}

    /**
     * The planner is asked for the tasks of {@code round} (the first, for a goal that lists none; a later one with
     * {@code plan: {rounds: N}}). {@code attempt} numbers the planner's runs of the whole run (its files); within a
     * round it gets two tries. Journals from before rounds have no round: they read as round 1.
     */
    record PlanStarted(Instant time, int attempt, String worker, int round) implements TeamEvent {

        public PlanStarted {
            round = Math.max(1, round);
        }
    }

    /**
     * The planner gave no usable plan: {@code problem} says why (the checks a goal file gets, or the agent's
     * failure); {@code retrying} when it is asked once more with the problem in its prompt.
     */
    record PlanRejected(Instant time, int attempt, String problem, double costUsd, Usage usage, boolean retrying,
            int round) implements TeamEvent {

        public PlanRejected {
            round = Math.max(1, round);
        }
    }

    /**
     * The planner's tasks for {@code round} passed every check of a goal file and are the run's tasks from here on;
     * {@code file} is the goal file that holds them (for the first round of a goal that listed none, the planned
     * goal: the goal with {@code tasks:} filled in). {@code summary}: what the planner said of where the goal stands,
     * when it plans in rounds.
     */
    record PlanMade(Instant time, int attempt, List<String> tasks, Map<String, List<String>> after, String file,
            double costUsd, Usage usage, int round, String summary) implements TeamEvent {

        public PlanMade {
            round = Math.max(1, round);
            summary = summary == null ? "" : summary;
        }
    }

    /**
     * Planning in rounds: the planner, having read the results of {@code round} rounds, says the goal is met;
     * {@code summary} is its account of it. No more rounds are planned.
     */
    record GoalMet(Instant time, int attempt, int round, String summary, double costUsd, Usage usage)
            implements TeamEvent {}

    /** The task's dependencies are merged: it waits for an idle worker. */
    record TaskQueued(Instant time, String task) implements OfTask {}

    /**
     * {@code agent}: the agent CLI and model it runs with ({@code claude}, {@code codex gpt-5.5}), and the profile after
     * "@" when it runs on one ({@code claude @second}); absent in a journal written before troupe drove other CLIs.
     */
    record TaskAssigned(Instant time, String task, int attempt, String worker, String branch, String baseCommit,
            String agent) implements OfTask {

        public TaskAssigned(Instant time, String task, int attempt, String worker, String branch, String baseCommit) {
            this(time, task, attempt, worker, branch, baseCommit, null);
        }
    }

    /**
     * A worker's workspace runs {@code workspace.setup} (its first task, or the setup inputs changed at the task's
     * base): the worker is setting up. {@code log} is the setup's output.
     */
    record SetupStarted(Instant time, String worker, String workspace, String task, String command, String log)
            implements TeamEvent {}

    /**
     * The setup ended: {@code failure} is null when it passed; otherwise it says how it failed (the command, the
     * workspace, the log), and {@code exitCode} is -1 when it ran past its time.
     */
    record SetupDone(Instant time, String worker, String workspace, String task, long durationMs, int exitCode,
            String failure, String log) implements TeamEvent {}

    /** A kept workspace held work that a stopped run left uncommitted; it is kept on {@code branch}. */
    record WorkspaceLeftovers(Instant time, String worker, String workspace, String branch) implements TeamEvent {}

    /**
     * {@code role}: {@code reviewer} or {@code planner}; absent for the agent doing the task. {@code resumed}: the
     * session of an earlier attempt that this one continues ({@code retry: resume}), forked into {@code sessionId};
     * absent for a fresh start. {@code cli}: which agent CLI it is ({@code claude}, {@code codex}, {@code gemini},
     * {@code opencode}); {@code model}: the model it was asked to use, absent for the CLI's own default;
     * {@code profile}: the agent profile ({@code agents:}) it runs with, absent for the goal's {@code agent:}.
     */
    record AgentStarted(Instant time, String task, int attempt, long pid, String sessionId, List<String> command,
            String role, String resumed, String cli, String model, String profile) implements OfTask {

        public AgentStarted(Instant time, String task, int attempt, long pid, String sessionId, List<String> command,
                String role, String resumed) {
            this(time, task, attempt, pid, sessionId, command, role, resumed, null, null, null);
        }

        /** The CLI, {@code claude} for a journal written before troupe drove others. */
        public String cliOrClaude() {
            return cli == null ? "claude" : cli;
        }
    }

    /**
     * One line of an agent's stdout: a JSON object, otherwise {@code text} (with {@code truncated} when the line
     * was longer than the line cap). {@code raw}: the JSON object as the agent printed it (credentials masked),
     * which the journal writes as it is; never read back from a journal. {@code line}: its tree, when someone
     * needed it before (read back from a journal, it is always there); {@link #json} has it either way.
     */
    record AgentOutput(Instant time, String task, int attempt, JsonNode line, String text, boolean truncated,
            @JsonIgnore String raw) implements OfTask {

        public AgentOutput(Instant time, String task, int attempt, JsonNode line, String text, boolean truncated) {
            this(time, task, attempt, line, text, truncated, null);
        }

        /** A JSON line the agent printed, not parsed yet: most are only journaled. */
        public static AgentOutput unparsed(Instant time, String task, int attempt, String raw) {
            return new AgentOutput(time, task, attempt, null, null, false, raw);
        }

        /** The JSON object, parsed now if it was not before (each call parses again); null for a text line. */
        public JsonNode json() {
            if (line != null || raw == null) {
                return line;
            }
            try {
                return Json.AGENT_LINES.readTree(raw);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("an agent's JSON line no longer parses: " + e.getOriginalMessage(), e);
            }
        }
    }

    /**
     * The agent's CLI is retrying a failed API request: {@code error} is its kind ({@code rate_limit},
     * {@code overloaded}, {@code server_error}, ...), {@code status} the HTTP status when there was one.
     */
    record AgentRetry(Instant time, String task, int attempt, String error, Integer status, int retry,
            int maxRetries, long delayMs) implements OfTask {}

    /** {@code permissionDenials}: tool calls the agent was refused; its work may be incomplete for them. */
    record TaskSucceeded(Instant time, String task, int attempt, String branch, String commit, double costUsd,
            Usage usage, int turns, long durationMs, List<String> filesChanged, String result, int permissionDenials)
            implements OfTask {}

    /** A finished attempt changed files outside its task's zone; {@code rejected}: per sync.zone-policy. */
    record ZoneViolation(Instant time, String task, int attempt, List<String> files, boolean rejected)
            implements OfTask {}

    /** A fresh agent reviews the change of the task's attempt before it may merge. */
    record ReviewStarted(Instant time, String task, int attempt, String worker) implements OfTask {}

    /** The task's finished attempt waits for a worker to review it: it is being reviewed from here on. */
    record ReviewQueued(Instant time, String task, int attempt) implements OfTask {}

    /** The reviewer's verdict: {@code approved} merges the change; otherwise the task runs again with the comments. */
    record ReviewDone(Instant time, String task, int attempt, boolean approved, String comments, double costUsd,
            Usage usage) implements OfTask {}

    /**
     * One attempt did not merge. {@code costUsd}: what it spent (0 when it failed at its merge). {@code retryInMs}:
     * when the task goes back to the queue, or -1 when this was its last attempt. {@code counted}: false when
     * a rate limit ended it, which does not use up an attempt. {@code interrupted}: troupe stopped during the attempt
     * (journaled on resume), which says nothing of the task's work: the reason of its last failure stands.
     */
    record AttemptFailed(Instant time, String task, int attempt, String reason, double costUsd, Usage usage,
            long retryInMs, boolean counted, boolean interrupted) implements OfTask {

        public AttemptFailed(Instant time, String task, int attempt, String reason, double costUsd, Usage usage,
                long retryInMs, boolean counted) {
            this(time, task, attempt, reason, costUsd, usage, retryInMs, counted, false);
        }
    }

    /** The task will not be merged: its attempts are spent (or the budget is); {@code reason} is the last one's. */
    record TaskFailed(Instant time, String task, int attempts, String reason) implements OfTask {}

    /**
     * No agent is launched until {@code until}: the API is rate limiting or overloaded. {@code account}: with agent
     * profiles, the one paused ({@code agent} for the goal's own {@code agent:}), the others going on; absent, the
     * whole team. {@code node}: the cluster node whose workers alone are paused (each node has its own key); absent,
     * this machine's.
     */
    record TeamPaused(Instant time, Instant until, String reason, String account, String node) implements TeamEvent {

        public TeamPaused(Instant time, Instant until, String reason) {
            this(time, until, reason, null, null);
        }
    }

    /** The run has spent its {@code limits.budget-usd}: no new attempt starts. */
    record BudgetSpent(Instant time, double spentUsd, double budgetUsd) implements TeamEvent {}

    /** Never started because a task it comes after did not merge. */
    record TaskSkipped(Instant time, String task, String reason) implements OfTask {}

    /**
     * {@code sync.merge: end}: the task's finished attempt waits, done (and approved, when reviewed), for the sync
     * point, where every held task merges once nothing else runs.
     */
    record TaskHeld(Instant time, String task, int attempt) implements OfTask {}

    /** The merger is given the task's finished {@code attempt} to bring into the integration branch. */
    record MergeStarted(Instant time, String task, int attempt) implements OfTask {}

    record MergeDone(Instant time, String task, String mergeCommit, String into) implements OfTask {}

    /** The task's branch does not merge cleanly; the integration branch was left as it was. */
    record MergeConflict(Instant time, String task, List<String> paths) implements OfTask {}

    /**
     * {@code sync.check} ({@code command}) started on the merge of the task's {@code attempt}, in its workspace;
     * {@code trial}: a variant's trial, after which the branch does not move whatever the check says.
     */
    record CheckStarted(Instant time, String task, int attempt, boolean trial, String command, String workspace)
            implements OfTask {}

    /**
     * The check of {@link CheckStarted} ended after {@code durationMs}: it passed when {@code exitCode} is 0;
     * {@code timedOut} when it ran past {@code sync.check-timeout} and was killed with everything it started
     * ({@code exitCode} -1 then).
     */
    record CheckDone(Instant time, String task, int attempt, boolean trial, long durationMs, int exitCode,
            boolean timedOut) implements OfTask {}

    record RunFinished(Instant time, String run, int merged, int failed, int skipped, double costUsd, int exitCode)
            implements TeamEvent {}

    /**
     * {@code troupe add}: tasks joined the live run, with what they come after; {@code file} is the run's goal file,
     * rewritten to hold them, which resume reads.
     */
    record TasksAdded(Instant time, List<String> tasks, Map<String, List<String>> after, String file)
            implements TeamEvent {}

    /**
     * {@code troupe cancel}: the task will not be run again; not a failure. {@code costUsd} and {@code usage}: what
     * the attempt the cancel stopped had spent (none when nothing ran; absent from journals before they were kept).
     */
    record TaskCancelled(Instant time, String task, int attempts, double costUsd, Usage usage) implements OfTask {

        public TaskCancelled(Instant time, String task, int attempts) {
            this(time, task, attempts, 0, Usage.NONE);
        }
    }

    /**
     * {@code troupe tell}: a message for the task's agent, given to every attempt of the task that starts from now
     * on ({@code attempts}: how many had started when it was told); a resumed session gets it once, unless it heard
     * it live ({@link MessageDelivered}). {@code id}: the message's, as written to a live agent (absent in journals
     * from before live messages). {@code redirect}: {@code tell --interrupt}, the agent's turn under way cut short
     * for it. {@code from}: the task whose merged work it hands over ({@code hears:}), absent when a person said it.
     */
    record TaskTold(Instant time, String task, String message, int attempts, String id, boolean redirect, String from)
            implements OfTask {

        public TaskTold(Instant time, String task, String message, int attempts) {
            this(time, task, message, attempts, null, false, null);
        }
    }

    /**
     * The task's running agent (attempt {@code attempt}, on {@code worker}) took in message {@code id} of a
     * {@link TaskTold}: the CLI echoed it back. {@code ownTurn}: it came between turns and was answered as a turn of
     * its own; else the agent took it in during the turn under way, at its next step.
     */
    record MessageDelivered(Instant time, String task, int attempt, String worker, String id, boolean ownTurn)
            implements OfTask {}

    /** {@code troupe stop} asked the run to stop: nothing more is launched; {@code running} attempts finish first. */
    record StopRequested(Instant time, int running) implements TeamEvent {}

    /**
     * The run stopped as {@code troupe stop} asked, with {@code left} tasks not run; unlike {@link RunFinished}, it
     * can be resumed.
     */
    record RunStopped(Instant time, String run, int merged, int left, double costUsd) implements TeamEvent {}

    /** A node of the cluster ({@code address}) offers {@code slots} workers, named {@code <node>-worker-<k>}. */
    record NodeJoined(Instant time, String node, String address, int slots) implements TeamEvent {}

    /**
     * A node of the cluster is gone (left, or downed after it stopped answering), or the lead took it out of the team
     * ({@code reason}, null for a node gone): its workers with it.
     */
    record NodeLost(Instant time, String node, String address, String reason) implements TeamEvent {}

    /**
     * A git bundle went between the lead and a worker node for an attempt: {@code direction} {@code to-node} (the
     * base, 0 bytes when the node had it; {@code millis}: making it, which the node then takes in as the attempt
     * starts) or {@code from-node} (the commit; {@code millis}: receiving it and fetching it into the task's branch).
     */
    record BundleMoved(Instant time, String task, int attempt, String worker, String direction, long bytes,
            long millis) implements OfTask {}

    /**
     * One variant of a task ({@code variant} of the goal's list, from 1; {@code attempt} is its number in the run and
     * in its branch) is settled: {@code passed} when its change merges onto the integration head and passes
     * {@code sync.check} there; otherwise {@code outcome} says how it went out ({@code failed}, {@code conflict},
     * {@code check-failed}, {@code zone}) and {@code reason} why. Its work stays on {@code branch} either way;
     * {@code commit} is empty when it left none.
     */
    record VariantDone(Instant time, String task, int attempt, int variant, String worker, String branch,
            String commit, String base, boolean passed, String outcome, String reason, double costUsd, Usage usage,
            long durationMs, List<String> filesChanged, String result) implements OfTask {}

    /** A read-only agent compares the variants {@code candidates} (their attempts) that passed. */
    record JudgeStarted(Instant time, String task, int attempt, String worker, List<Integer> candidates)
            implements OfTask {}

    /**
     * The variant of attempt {@code winner} is the task's change, chosen {@code by} the judge agent
     * ({@code agent}), as the first that passed ({@code check}, also when the judge gave no verdict) or as the only
     * one ({@code only}); {@code reasons} say why. {@code costUsd}: the judge's.
     */
    record VariantChosen(Instant time, String task, int winner, String by, String reasons, List<Integer> candidates,
            double costUsd, Usage usage) implements OfTask {}
}
