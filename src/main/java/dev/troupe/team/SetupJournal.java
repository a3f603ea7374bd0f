package dev.troupe.team;

import dev.troupe.journal.Journal;
import dev.troupe.journal.TeamEvent;
import dev.troupe.workspace.Workspace;
import dev.troupe.workspace.Workspaces;
import java.nio.file.Path;
import java.time.Instant;

/** Journals what happens while a worker's workspace is prepared for a task: its setup, work saved from it. */
record SetupJournal(Journal journal, String worker, String task) implements Workspaces.Listener {

    @Override
    public void setupStarted(Workspace workspace, String command, Path log) {
        journal.append(new TeamEvent.SetupStarted(Instant.now(), worker, workspace.name(), task, command, log.toString()));
    }

    @Override
    public void setupDone(Workspace workspace, long millis, int exitCode, String failure, Path log) {
        journal.append(new TeamEvent.SetupDone(Instant.now(), worker, workspace.name(), task, millis, exitCode, failure,
                log.toString()));
    }

    @Override
    public void leftoversSaved(Workspace workspace, String branch) {
        journal.append(new TeamEvent.WorkspaceLeftovers(Instant.now(), worker, workspace.name(), branch));
    }
}
