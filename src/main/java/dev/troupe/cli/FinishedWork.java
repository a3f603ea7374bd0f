package dev.troupe.cli;

import dev.troupe.journal.TaskLife;
import dev.troupe.git.Branches;
import dev.troupe.git.GitException;
import dev.troupe.goal.Goal;
import dev.troupe.journal.RunHistory;
import dev.troupe.team.rules.RunContext;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;

/**
 * The attempts of a stopped run that had finished but were not merged yet (in review, held for a sync point, or
 * merging): which of them a resume can take up from their commit, and a place for the others' commits, whose
 * tasks run again and reset their branches. Nothing here trusts the journal alone: a commit is taken up only when
 * its task branch still points at it.
 */
final class FinishedWork {

    private FinishedWork() {}

    /** Finished, not merged, not refused by its reviewer, and still on its task branch as the journal says. */
    static Set<String> stillThere(RunSetup setup, RunHistory history, Set<String> merged) throws TroupeException {
        Set<String> found = new LinkedHashSet<>();
        // Read in this process: a run killed with thousands of merges queued has thousands to look at, two git
        // processes each took minutes.
        try (Git git = Git.open(setup.top().toFile()); RevWalk walk = new RevWalk(git.getRepository())) {
            Repository repo = git.getRepository();
            Map<String, Goal.TaskSpec> specs = byId(setup.goal());
            for (TaskLife task : history.tasks().values()) {
                Optional<Goal.TaskSpec> spec = Optional.ofNullable(specs.get(task.id()));
                if (isFinishedUnmerged(task) && !merged.contains(task.id()) && spec.isPresent()
                        && !task.approved().equals(Optional.of(false)) && !task.commitBase().isEmpty()
                        && pointsAt(repo, "refs/heads/troupe/tasks/" + setup.runId() + "/" + spec.get().slug(),
                                task.commit())
                        && isCommit(walk, task.commitBase())) {
                    found.add(task.id());
                }
            }
        } catch (IOException e) {
            throw new TroupeException(ExitCodes.INTERNAL, "cannot read the repository at " + setup.top() + ": "
                    + e.getMessage());
        }
        return found;
    }

    private static boolean pointsAt(Repository repo, String ref, String commit) throws IOException {
        Ref found = repo.exactRef(ref);
        return found != null && found.getObjectId() != null && found.getObjectId().name().equals(commit);
    }

    private static boolean isCommit(RevWalk walk, String id) throws IOException {
        try {
            walk.parseCommit(ObjectId.fromString(id));
            return true;
        } catch (org.eclipse.jgit.errors.MissingObjectException | org.eclipse.jgit.errors.IncorrectObjectTypeException
                | IllegalArgumentException gone) {
            return false;
        }
    }

    /**
     * A finished task that will run again (its commit is not where the journal says, or its reviewer refused it):
     * its new attempt resets the task branch, so the commit, if it still exists, is kept on its failed-work branch.
     */
    static void keepTheRest(RunSetup setup, RunHistory history, Set<String> goingOn) {
        Map<String, Goal.TaskSpec> specs = byId(setup.goal());
        for (TaskLife task : history.tasks().values()) {
            Optional<Goal.TaskSpec> spec = Optional.ofNullable(specs.get(task.id()));
            if (isFinishedUnmerged(task) && !goingOn.contains(task.id()) && !task.commit().isEmpty() && spec.isPresent()) {
                String keepOn = RunContext.failedBranch(setup.runId(), spec.get(), task.attempts());
                try {
                    Branches.force(setup.top(), keepOn, ObjectId.fromString(task.commit()));
                } catch (GitException | IllegalArgumentException e) {
                    // The commit is gone (cleaned up by hand): nothing left to keep.
                }
            }
        }
    }

    /** The goal's tasks by id: looked up once for each task of the journal, ten thousand of them in a big run. */
    private static Map<String, Goal.TaskSpec> byId(Goal goal) {
        Map<String, Goal.TaskSpec> specs = new java.util.HashMap<>();
        goal.tasks().forEach(spec -> specs.putIfAbsent(spec.id(), spec));
        return specs;
    }

    private static boolean isFinishedUnmerged(TaskLife task) {
        return task.state() == TaskLife.State.REVIEWING || task.state() == TaskLife.State.HELD
                || task.state() == TaskLife.State.MERGING;
    }
}
