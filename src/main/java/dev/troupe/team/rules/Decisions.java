package dev.troupe.team.rules;

import dev.troupe.journal.TeamEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The decisions one event led to, in the order the rules made them; the parts of the {@link RunState} share one.
 * Every event the rules journal moves the run's tasks as it is decided (through their {@code TaskLife}), the same
 * way it moves them when the journal is read back.
 */
final class Decisions {

    private final List<Decision> made = new ArrayList<>();
    private final Consumer<TeamEvent> applied;

    /** @param applied moves the tasks by an event the rules journal */
    Decisions(Consumer<TeamEvent> applied) {
        this.applied = applied;
    }

    void add(Decision decision) {
        made.add(decision);
    }

    void journal(TeamEvent event) {
        applied.accept(event);
        made.add(new Decision.Journal(event));
    }

    /** Journaled and flushed to disk: a resume must find it however the process ends. */
    void journalDurably(TeamEvent event) {
        applied.accept(event);
        made.add(new Decision.JournalDurably(event));
    }

    /** Hands the worker a task's attempt once {@code assigned} is on disk, so no attempt runs unjournaled. */
    void assignOnceJournaled(String worker, Assignment assignment, TeamEvent.TaskAssigned assigned) {
        applied.accept(assigned);
        made.add(new Decision.AssignOnceJournaled(worker, assignment, assigned));
    }

    /** Everything decided since the last call, and a clean slate for the next event. */
    List<Decision> drain() {
        List<Decision> all = List.copyOf(made);
        made.clear();
        return all;
    }
}
