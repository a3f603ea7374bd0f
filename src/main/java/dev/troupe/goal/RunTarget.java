package dev.troupe.goal;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What {@code troupe run} checks against the machine before it starts (the repository, the base, the agent command,
 * the sandbox, the fan-out's files), as far as the goal file could be read: a part with a problem of its own is
 * absent, so that the run's checks can still be made, and reported, beside the file's problems.
 */
public record RunTarget(Path file, Path repo, Optional<String> base, Optional<AgentSettings> agent,
        Optional<Goal.Workspace> workspace, Optional<Goal.Fanout> fanout, GoalPlaces places) {

    /** Everything a goal that passed its checks has. */
    public static RunTarget of(Goal goal) {
        return new RunTarget(goal.file(), goal.repo(), goal.base(), Optional.of(goal.agent()),
                Optional.of(goal.workspace()), goal.fanout(), goal.places());
    }
}
