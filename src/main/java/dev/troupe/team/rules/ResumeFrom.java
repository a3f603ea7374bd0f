package dev.troupe.team.rules;

import dev.troupe.journal.RunHistory;
import java.util.Map;
import java.util.Set;
import org.eclipse.jgit.lib.ObjectId;

/**
 * Where a resumed run picks up: the dead run's journal, and the tasks its integration branch holds (by their
 * {@code Troupe-Task} trailers), which win over the journal.
 *
 * @param merged task id to the merge commit that brought it in
 * @param killed agent processes of the dead run that were still alive and were killed
 * @param finished tasks whose writer had finished (they were in review, held or merging) and whose task branch
 *     still holds the commit the journal names: they go on from that commit instead of running again
 */
public record ResumeFrom(RunHistory history, Map<String, ObjectId> merged, int killed, Set<String> finished) {}
