package dev.troupe.team;

import dev.troupe.journal.RunHistory;
import java.util.Map;
import org.eclipse.jgit.lib.ObjectId;

/**
 * Where a resumed run picks up: the dead run's journal, and the tasks its integration branch holds (by their
 * {@code Troupe-Task} trailers), which win over the journal.
 *
 * @param merged task id to the merge commit that brought it in
 * @param killed agent processes of the dead run that were still alive and were killed
 */
public record ResumeFrom(RunHistory history, Map<String, ObjectId> merged, int killed) {}
