package dev.troupe.team;

import dev.troupe.journal.Journal;
import dev.troupe.journal.TeamEvent;
import dev.troupe.workspace.CheckRunner;
import dev.troupe.workspace.Workspace;
import java.time.Instant;

/** Journals each run of {@code sync.check}: when it started on whose merge, and how it ended. */
record CheckJournal(Journal journal) implements CheckRunner.Listener {

    @Override
    public void checkStarted(CheckRunner.Candidate candidate, String command, Workspace workspace) {
        journal.append(new TeamEvent.CheckStarted(Instant.now(), candidate.task(), candidate.attempt(),
                candidate.trial(), command, workspace.name()));
    }

    @Override
    public void checkDone(CheckRunner.Candidate candidate, long millis, int exitCode, boolean timedOut) {
        journal.append(new TeamEvent.CheckDone(Instant.now(), candidate.task(), candidate.attempt(), candidate.trial(),
                millis, exitCode, timedOut));
    }
}
