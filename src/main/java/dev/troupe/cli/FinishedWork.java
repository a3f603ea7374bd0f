package dev.troupe.cli;

import dev.troupe.journal.TaskLife;
import dev.troupe.git.GitCli;
import dev.troupe.git.GitException;
import dev.troupe.goal.Goal;
import dev.troupe.journal.RunHistory;
import dev.troupe.team.rules.RunContext;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The attempts of a stopped run that had finished but were not merged yet (in review, held for a sync point, or
 * merging): which of them a resume can take up from their commit, and a place for the others' commits, whose
 * tasks run again and reset their branches. Nothing here trusts the journal alone: a commit is taken up only when
 * its task branch still points at it.
 */
final class FinishedWork {

    private FinishedWork() {}

    /** Finished, not merged, not refused by its reviewer, and still on its task branch as the journal says. */
    static Set<String> stillThere(RunSetup setup, RunHistory history, Set<String> merged) {
        Set<String> found = new LinkedHashSet<>();
        for (TaskLife task : history.tasks().values()) {
            Optional<Goal.TaskSpec> spec = setup.goal().task(task.id());
            if (isFinishedUnmerged(task) && !merged.contains(task.id()) && spec.isPresent()
                    && !task.approved().equals(Optional.of(false)) && !task.commitBase().isEmpty()
                    && GitCli.resolve(setup.top(), "refs/heads/troupe/tasks/" + setup.runId() + "/" + spec.get().slug())
                            .equals(Optional.of(task.commit()))
                    && GitCli.resolve(setup.top(), task.commitBase() + "^{commit}").isPresent()) {
                found.add(task.id());
            }
        }
        return found;
    }

    /**
     * A finished task that will run again (its commit is not where the journal says, or its reviewer refused it):
     * its new attempt resets the task branch, so the commit, if it still exists, is kept on its failed-work branch.
     */
    static void keepTheRest(RunSetup setup, RunHistory history, Set<String> goingOn) {
        for (TaskLife task : history.tasks().values()) {
            Optional<Goal.TaskSpec> spec = setup.goal().task(task.id());
            if (isFinishedUnmerged(task) && !goingOn.contains(task.id()) && !task.commit().isEmpty() && spec.isPresent()) {
                String keepOn = RunContext.failedBranch(setup.runId(), spec.get(), task.attempts());
                try {
                    GitCli.run(setup.top(), "branch", "--force", keepOn, task.commit());
                } catch (GitException e) {
                    // The commit is gone (cleaned up by hand): nothing left to keep.
                }
            }
        }
    }

    private static boolean isFinishedUnmerged(TaskLife task) {
        return task.state() == TaskLife.State.REVIEWING || task.state() == TaskLife.State.HELD
                || task.state() == TaskLife.State.MERGING;
    }
}
