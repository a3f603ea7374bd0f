package dev.troupe.team;

import dev.troupe.journal.Usage;
import java.util.List;
import org.eclipse.jgit.lib.ObjectId;

/**
 * What a successful attempt produced: the committed branch head and what the agent reported.
 *
 * @param permissionDenials tool calls the agent was refused (the work may be incomplete because of them)
 */
public record AttemptResult(String branch, ObjectId commit, double costUsd, Usage usage, int turns, long durationMs,
        List<String> filesChanged, String text, int permissionDenials) {}
