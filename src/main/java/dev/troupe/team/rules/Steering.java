package dev.troupe.team.rules;

import dev.troupe.goal.Goal;
import dev.troupe.journal.TaskLife;
import dev.troupe.journal.TeamEvent;
import dev.troupe.journal.Usage;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The rules for steering a live run from the command line: {@code troupe stop}, {@code cancel} and {@code add}
 * ({@code tell} is {@link Telling}'s).
 * Part of the {@link RunState}, which hands over the requests and the ends of cancelled attempts.
 */
public final class Steering {

    private final RunContext run;
    private final TaskTable tasks;
    private final Roster roster;
    private final Dispatch dispatch;
    private final Ending ending;
    private final Decisions out;
    /** The run state's own step after every change: finish if all is settled, else dispatch. */
    private final Consumer<Instant> settle;

    public Steering(RunContext run, TaskTable tasks, Roster roster, Dispatch dispatch, Ending ending, Decisions out,
            Consumer<Instant> settle) {
        this.run = run;
        this.tasks = tasks;
        this.roster = roster;
        this.dispatch = dispatch;
        this.ending = ending;
        this.out = out;
        this.settle = settle;
    }

    /** What {@code troupe cancel} made of its request: done or under way ({@code accepted}), or refused, and why. */
    public record Answer(boolean accepted, String message, List<Decision> decisions) {}

    /**
     * {@code troupe cancel}: a task not started is cancelled at once, its dependents skipped; one whose attempt is
     * under way has its agent stopped, and is cancelled when the attempt ends (its work kept on its failed branch,
     * never merged). Finished work that is being merged, and settled tasks, are refused.
     */
    public Answer cancel(String taskId, Instant now) {
        TaskState task = tasks.get(taskId);
        if (task == null) {
            return new Answer(false, "no task '" + taskId + "' in run " + run.runId(), List.of());
        }
        switch (task.status()) {
            case WAITING, QUEUED -> {
                List<Decision> decisions = cancelled(task, 0, Usage.NONE, now);
                return new Answer(true, "task '" + taskId + "' is cancelled" + skippedAfter(task), decisions);
            }
            case RUNNING, REVIEWING -> {
                Optional<String> worker = roster.runnerOf(taskId);
                if (worker.isEmpty()) {
                    // Waiting for its review, which has not started: nothing runs to stop.
                    List<Decision> decisions = cancelled(task, 0, Usage.NONE, now);
                    return new Answer(true, "task '" + taskId + "' is cancelled" + skippedAfter(task), decisions);
                }
                task.cancelling(true);
                roster.runnersOf(taskId).forEach(runner -> out.add(new Decision.CancelAttempt(runner)));
                return new Answer(true, "task '" + taskId + "' is cancelled once its agent on " + worker.get()
                        + " has stopped", out.drain());
            }
            case HELD, MERGING -> {
                return new Answer(false, "task '" + taskId + "' is finished and on its way into the integration branch;"
                        + " too late to cancel", List.of());
            }
            default -> {
                return new Answer(false, "task '" + taskId + "' is " + task.status().label()
                        + " already", List.of());
            }
        }
    }

    /**
     * {@code troupe add}: tasks (checked already, against the run's goal) join the run; one that comes after a task
     * that will not merge is skipped at once.
     */
    public Answer add(List<Goal.TaskSpec> specs, Path goalFile, Instant now) {
        if (ending.isOver() || tasks.isEmpty()) {
            return new Answer(false, "run " + run.runId() + (tasks.isEmpty() ? " has no tasks yet (it is planning)"
                    : " is ending") + "; add the tasks later, or to a new run", List.of());
        }
        tasks.add(specs);
        Map<String, List<String>> after = new java.util.LinkedHashMap<>();
        specs.stream().filter(spec -> !spec.after().isEmpty()).forEach(spec -> after.put(spec.id(), spec.after()));
        List<String> ids = specs.stream().map(Goal.TaskSpec::id).toList();
        out.journalDurably(new TeamEvent.TasksAdded(now, ids, after, goalFile.toString()));
        for (Goal.TaskSpec spec : specs) {
            if (spec.waitsFor().stream().map(tasks::get).anyMatch(dep -> dep.isSettled()
                    && dep.status() != TaskLife.State.MERGED)) {
                tasks.skip(tasks.get(spec.id()), "comes after a task that did not merge", now);
            }
        }
        tasks.queueReady(now);
        settle.accept(now);
        return new Answer(true, "added to run " + run.runId() + ": " + String.join(", ", ids), out.drain());
    }

    /** The task is cancelled: not started yet, or its attempt has ended since the request. */
    public List<Decision> cancelled(TaskState task, double cost, Usage usage, Instant now) {
        task.cancelling(false);
        tasks.cancel(task, cost, usage, now);
        settle.accept(now);
        return out.drain();
    }

    private String skippedAfter(TaskState cancelled) {
        List<String> skipped = tasks.all().stream().filter(t -> t.status() == TaskLife.State.SKIPPED
                && t.spec().waitsFor().contains(cancelled.id())).map(TaskState::id).toList();
        return skipped.isEmpty() ? "" : "; skipped after it: " + String.join(", ", skipped);
    }

    /**
     * {@code troupe stop}: nothing more is launched; attempts under way finish (reviewed, merged) and then the run
     * ends, what was not run left for {@code troupe resume}.
     */
    public List<Decision> stop(Instant now) {
        dispatch.pause();
        ending.stopWhenIdle();
        out.journalDurably(new TeamEvent.StopRequested(now, inFlight()));
        settle.accept(now);
        return out.drain();
    }

    /** Tasks whose attempt is under way or whose work is on its way in. */
    public int inFlight() {
        return (int) tasks.all().stream().filter(TaskState::isInFlight).count();
    }

}
