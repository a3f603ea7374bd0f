package dev.troupe.team.rules;

import dev.troupe.journal.TaskLife;
import dev.troupe.journal.TeamEvent;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The rules for what a task's agent is told while the run goes on: {@code troupe tell} (and its redirect,
 * {@code --interrupt}), and the reports of the tasks it {@code hears} from as they merge. A message is journaled
 * before anything else happens to it, so every attempt of the task that starts from then on is given it (a
 * resumed session only what it has not heard); an agent at work on the task hears it now, when it takes live
 * input, and {@code message-delivered} records that it did. Part of the {@link RunState}.
 */
public final class Telling {

    private final RunContext run;
    private final TaskTable tasks;
    private final Roster roster;
    private final Decisions out;
    private final Supplier<String> ids;

    Telling(RunContext run, TaskTable tasks, Roster roster, Decisions out, Supplier<String> ids) {
        this.run = run;
        this.tasks = tasks;
        this.roster = roster;
        this.out = out;
        this.ids = ids;
    }

    /**
     * What {@code troupe tell} made of its request: refused, or accepted; when the task's agents at work were told
     * it now, {@code awaiting} is the message's id, and the answer waits for them to take it in.
     */
    public record Answer(boolean accepted, String message, List<Decision> decisions, Optional<String> awaiting) {}

    /**
     * {@code troupe tell}: the message is journaled for the task's attempts to come; the agents at work on it (its
     * writer, or the writers of its variants) are told it now. {@code redirect}: their turn under way is cut short
     * for it. A settled task has no attempt to come and refuses it.
     */
    public Answer tell(String taskId, String said, boolean redirect, Instant now) {
        // A credential pasted into a message is never written (the journal keeps it, the next prompts are made of it).
        String message = run.secrets().redact(said);
        TaskState task = tasks.get(taskId);
        if (task == null) {
            return new Answer(false, "no task '" + taskId + "' in run " + run.runId(), List.of(), Optional.empty());
        }
        if (task.isSettled()) {
            return new Answer(false, "task '" + taskId + "' is " + task.status().label()
                    + " already; nothing more runs for it to be told", List.of(), Optional.empty());
        }
        String id = ids.get();
        out.journalDurably(new TeamEvent.TaskTold(now, taskId, message, task.attempts(), id, redirect, null));
        if (tellWriters(task, id, message, redirect)) {
            return new Answer(true, "", out.drain(), Optional.of(id));
        }
        String when = switch (task.status()) {
            case WAITING, QUEUED -> task.attempts() == 0 ? "its agent is told when it starts"
                    : "its next attempt's agent is told when it starts";
            case RUNNING -> "no agent of it is at work now; its next attempt, if it has one, is told";
            case REVIEWING -> "attempt " + task.attempts() + " is done and being reviewed; if it does not make it, the"
                    + " next attempt is told";
            default -> "attempt " + task.attempts() + " is done and on its way in; if it does not make it, the next"
                    + " attempt is told";
        };
        return new Answer(true, "task '" + taskId + "': " + when, out.drain(), Optional.empty());
    }

    /** Tells the agents at work on the task as its writers, if any are: true if there were. */
    private boolean tellWriters(TaskState task, String id, String message, boolean redirect) {
        if (task.status() != TaskLife.State.RUNNING) {
            return false;
        }
        List<String> writers = roster.runnersOf(task.id());
        writers.forEach(worker -> out.add(new Decision.TellAgent(worker, task.id(), id, message, redirect)));
        return !writers.isEmpty();
    }

    /** The agent of {@code attempt} on {@code worker} took in message {@code id}: journaled, for resume and the report. */
    public List<Decision> heard(String worker, String taskId, int attempt, String id, boolean ownTurn, Instant now) {
        if (tasks.get(taskId) != null) {
            out.journal(new TeamEvent.MessageDelivered(now, taskId, attempt, worker, id, ownTurn));
        }
        return out.drain();
    }

    /**
     * Task {@code merged} merged: every task that hears from it and has an agent at work is told what it reported
     * and the files it changed; one not started finds it in its prompt, as a task that comes after it does.
     */
    void handOff(TaskState merged, Instant now) {
        for (TaskState listener : tasks.all()) {
            if (!listener.spec().hears().contains(merged.id()) || listener.status() != TaskLife.State.RUNNING) {
                continue;
            }
            String id = ids.get();
            String message = Prompts.heard(handoff(merged, run));
            out.journal(new TeamEvent.TaskTold(now, listener.id(), message, listener.attempts(), id, false,
                    merged.id()));
            tellWriters(listener, id, message, false);
        }
    }

    /** What a merged task hands to those after it or listening to it. */
    static Prompts.Handoff handoff(TaskState done, RunContext run) {
        return new Prompts.Handoff(done.id(), done.resultText(), done.filesChanged(),
                done.resultFile() != null ? done.resultFile() : run.resultFile(done.spec()));
    }
}
