package dev.troupe.team.rules;

import dev.troupe.goal.GoalLoader;
import dev.troupe.journal.TaskLife;
import dev.troupe.journal.TeamEvent;
import dev.troupe.journal.Usage;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * Who is in the team, as the rules see it: a worker whose workspace cannot be set up leaves it for good, a worker that
 * stops is replaced (a local one) and its work tried again, a node of the cluster brings its slots. Part of
 * {@link RunState}, which hands it what happened; {@code settle} launches what may start now.
 */
final class Membership {

    private final TaskTable tasks;
    private final Roster roster;
    private final Retries retries;
    private final SyncPoint syncPoint;
    private final Ending ending;
    private final Planning planning;
    private final Variants variants;
    private final Decisions out;
    private final Consumer<Instant> settle;

    Membership(TaskTable tasks, Roster roster, Retries retries, SyncPoint syncPoint, Ending ending, Planning planning,
            Variants variants, Decisions out, Consumer<Instant> settle) {
        this.tasks = tasks;
        this.roster = roster;
        this.retries = retries;
        this.syncPoint = syncPoint;
        this.ending = ending;
        this.planning = planning;
        this.variants = variants;
        this.out = out;
        this.settle = settle;
    }

    /**
     * The worker's workspace could not be set up for the attempt ({@code reason} names the command, the workspace
     * and its log): no fault of the task, whose attempt does not count. The worker leaves the team; once every
     * worker has, the run stops (exit 1).
     */
    void setupFailed(String worker, String taskId, int attempt, Assignment.Role role, String reason,
            Instant now) {
        roster.retire(worker);
        if (role == Assignment.Role.PLANNER) {
            planning.workerLost(now);
        } else if (tasks.get(taskId).round() != null && role == Assignment.Role.WRITER) {
            variants.notStarted(tasks.get(taskId), attempt, 0, Usage.NONE);
        } else if (tasks.get(taskId).round() != null) {
            variants.judgeFailed(tasks.get(taskId), reason, 0, Usage.NONE, now);
        } else {
            TaskState task = tasks.get(taskId);
            String kept = role == Assignment.Role.REVIEWER
                    ? " (its review could not start; the change is kept on " + syncPoint.keepPending(task) + ")" : "";
            retries.retryOrFail(task, reason + kept, 0, Usage.NONE, false, now);
        }
        if (roster.isEmptyForGood() && !ending.isOver()) {
            ending.setupFailed("the workspace setup failed on every worker; the last: " + reason, now);
            return;
        }
        settle.accept(now);
    }

    /**
     * A node of the cluster offers {@code slots} workers: they join the team (as {@code <node>-worker-<k>}) and
     * take tasks at once.
     */
    void nodeJoined(String node, String address, int slots, Instant now) {
        out.journal(new TeamEvent.NodeJoined(now, node, address, slots));
        if (!ending.isOver()) {
            roster.joined(node, slots);
            settle.accept(now);
        }
    }

    /**
     * A worker stopped: what it was doing is tried again, and a local worker's place is taken by another (a
     * remote worker's node is gone, and its slots with it).
     */
    void workerLost(String worker, Instant now) {
        boolean local = !roster.isRemote(worker);
        String taskId = roster.lost(worker);
        if (local && !ending.isOver()) {
            roster.spawn();
        }
        if (GoalLoader.RESERVED_ID.equals(taskId)) {
            planning.workerLost(now);
            settle.accept(now);
            return;
        }
        if (taskId != null && tasks.get(taskId).round() != null) {
            variants.workerLost(tasks.get(taskId), worker, now);
        } else if (taskId != null) {
            TaskState task = tasks.get(taskId);
            String kept = task.status() == TaskLife.State.REVIEWING
                    ? " during its review (the change is kept on " + syncPoint.keepPending(task) + ")" : "";
            retries.retryOrFail(task, (local ? "its worker stopped unexpectedly" : "the node its worker ran on was lost")
                    + kept, 0, Usage.NONE, true, now);
        }
        settle.accept(now);
    }
}
