package dev.troupe.team.rules;

import dev.troupe.goal.Goal;
import dev.troupe.goal.Zones;
import dev.troupe.journal.RunHistory;
import dev.troupe.journal.TaskLife;
import dev.troupe.journal.TeamEvent;
import dev.troupe.journal.Usage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every task of the run in goal order, and the rules of the graph: a task is ready once all it waits for merged,
 * one whose zone overlaps work in flight waits, and a task that fails or is skipped takes its dependents with it.
 */
final class TaskTable {

    private final Map<String, TaskState> tasks = new LinkedHashMap<>();
    /** Queued tasks in the order they became ready; each may still have to wait for its backoff. */
    final Set<String> ready = new LinkedHashSet<>();
    /** REVIEWING tasks whose reviewer has not started yet (the team is paused, or no worker is idle). */
    final Set<String> awaitingReview = new LinkedHashSet<>();
    private final Decisions out;

    TaskTable(List<Goal.TaskSpec> specs, Decisions out) {
        this.out = out;
        add(specs);
    }

    void add(List<Goal.TaskSpec> specs) {
        specs.forEach(spec -> tasks.put(spec.id(), new TaskState(spec, new TaskLife(spec.id()))));
    }

    /** Takes over the lives a stopped run's journal replayed; a task it never heard of starts afresh. */
    void takeOver(RunHistory history) {
        tasks.replaceAll((id, task) -> new TaskState(task.spec(),
                history.tasks().getOrDefault(id, new TaskLife(id))));
    }

    /** Moves the tasks an event the rules journal is about: one task's, or every task's when the run resumes. */
    void apply(TeamEvent event) {
        if (event instanceof TeamEvent.OfTask ofTask) {
            TaskState task = tasks.get(ofTask.task());
            if (task != null) {
                task.apply(event);
            }
        } else if (event instanceof TeamEvent.RunResumed) {
            tasks.values().forEach(task -> task.apply(event));
        }
    }

    TaskState get(String id) {
        return tasks.get(id);
    }

    Collection<TaskState> all() {
        return tasks.values();
    }

    boolean isEmpty() {
        return tasks.isEmpty();
    }

    List<String> ids() {
        return List.copyOf(tasks.keySet());
    }

    boolean allSettled() {
        return tasks.values().stream().allMatch(TaskState::isSettled);
    }

    /** Each task's {@code after} tasks, for the journal; tasks with none are left out. */
    Map<String, List<String>> dependencies() {
        Map<String, List<String>> after = new LinkedHashMap<>();
        tasks.values().stream().filter(t -> !t.spec().after().isEmpty())
                .forEach(t -> after.put(t.id(), t.spec().after()));
        return after;
    }

    /** Queues every waiting task whose dependencies (and gate) have all merged. */
    void queueReady(Instant now) {
        tasks.values().stream()
                .filter(t -> t.status() == TaskLife.State.WAITING)
                .filter(t -> t.spec().waitsFor().stream().allMatch(id -> tasks.get(id).status() == TaskLife.State.MERGED))
                .forEach(t -> enqueue(t, now));
    }

    private void enqueue(TaskState task, Instant now) {
        ready.add(task.id());
        out.journal(new TeamEvent.TaskQueued(now, task.id()));
    }

    /** Back in the queue for another attempt (journaled by the caller, with its reason and backoff). */
    void requeue(TaskState task) {
        ready.add(task.id());
    }

    /**
     * Another task whose zone may overlap this one's has work in flight: running, in review, or finished but not
     * merged yet (its change would conflict with this one's).
     */
    boolean zoneTaken(TaskState task) {
        return !task.spec().zone().isEmpty() && tasks.values().stream()
                .filter(other -> other != task && other.isInFlight())
                .anyMatch(other -> Zones.overlap(task.spec().zone(), other.spec().zone()));
    }

    /** The task will not be merged: record why, and skip every task that depends on it, directly or not. */
    void fail(TaskState task, String reason, Instant now) {
        ready.remove(task.id());
        awaitingReview.remove(task.id());
        out.journal(new TeamEvent.TaskFailed(now, task.id(), task.attempts(), reason));
        skipDependentsOf(task.id(), now);
    }

    /**
     * {@code troupe cancel}: the task will not run again (not a failure); its dependents are skipped. {@code cost} and
     * {@code usage}: what the attempt the cancel stopped spent.
     */
    void cancel(TaskState task, double cost, Usage usage, Instant now) {
        ready.remove(task.id());
        awaitingReview.remove(task.id());
        out.journal(new TeamEvent.TaskCancelled(now, task.id(), task.attempts(), cost, usage));
        skipDependentsOf(task.id(), now);
    }

    /** Tasks that joined the run late (a new round) and come after a task that will not merge are skipped at once. */
    void skipAfterUnmerged(List<Goal.TaskSpec> joined, Instant now) {
        for (Goal.TaskSpec spec : joined) {
            TaskState task = tasks.get(spec.id());
            if (task.status() == TaskLife.State.WAITING && spec.waitsFor().stream().map(tasks::get)
                    .anyMatch(dep -> dep.isSettled() && dep.status() != TaskLife.State.MERGED)) {
                skip(task, "comes after a task that did not merge", now);
            }
        }
    }

    void skip(TaskState task, String reason, Instant now) {
        ready.remove(task.id());
        out.journal(new TeamEvent.TaskSkipped(now, task.id(), reason));
        skipDependentsOf(task.id(), now);
    }

    private void skipDependentsOf(String failedId, Instant now) {
        for (TaskState other : tasks.values()) {
            if (other.status() == TaskLife.State.WAITING && other.spec().waitsFor().contains(failedId)) {
                skip(other, other.spec().gate().contains(failedId)
                        ? "canary '" + failedId + "' did not merge, so the fan-out stopped before the rest"
                        : "comes after '" + failedId + "', which did not merge", now);
            }
        }
    }

    /** The merged tasks that changed the conflicting files, and what they said of their change. */
    String clashingWork(TaskState task, List<String> paths) {
        List<String> described = new ArrayList<>();
        for (TaskState other : tasks.values()) {
            List<String> touched = other.filesChanged().stream().filter(paths::contains).toList();
            if (other != task && other.status() == TaskLife.State.MERGED && !touched.isEmpty()) {
                String report = other.resultText().strip().replace('\n', ' ');
                described.add("task '" + other.id() + "' changed " + String.join(", ", touched)
                        + (report.isEmpty() ? "" : " and reported: " + (report.length() > 300 ? report.substring(0, 297) + "..." : report)));
            }
        }
        return described.isEmpty() ? "" : ", which work merged meanwhile changed too: " + String.join("; ", described);
    }
}
