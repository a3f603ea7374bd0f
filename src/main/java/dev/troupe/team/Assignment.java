package dev.troupe.team;

import dev.troupe.goal.Goal;
import org.eclipse.jgit.lib.ObjectId;

/** One attempt at one task, as the team lead hands it to a worker. */
public record Assignment(Goal.TaskSpec task, int attempt, String branch, ObjectId base, String prompt) {}
