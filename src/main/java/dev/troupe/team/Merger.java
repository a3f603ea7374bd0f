package dev.troupe.team;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.StashBuffer;
import dev.troupe.git.IntegrationBranch;
import java.util.concurrent.Executor;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;

/**
 * The only writer of the integration branch: merges one request at a time (others wait in a stash), in memory,
 * on the blocking dispatcher. A conflict or a git failure leaves the branch as it was and is reported back.
 */
public final class Merger extends AbstractBehavior<Merger.Command> {

    public sealed interface Command {}

    /**
     * Merge {@code commit} (the tip of a task's branch) with a merge commit carrying {@code message}. If it does
     * not merge, the commit is kept on {@code keepOn}: the task's next attempt resets its branch.
     */
    public record Merge(String taskId, ObjectId commit, String message, String keepOn,
            ActorRef<TeamLead.Command> replyTo) implements Command {}

    /** Keep {@code commit} on branch {@code keepOn}: work that will not be merged, but must not be lost. */
    public record Keep(ObjectId commit, String keepOn) implements Command {}

    private record Finished(Merge request, IntegrationBranch.Outcome outcome, Throwable failure) implements Command {}

    private static final int STASH_CAPACITY = 100_000;

    private final Repository repo;
    private final IntegrationBranch branch;
    private final IntegrationBranch.Check check;
    private final Executor blocking;
    private final StashBuffer<Command> waiting;

    private Merger(ActorContext<Command> context, StashBuffer<Command> waiting, Repository repo, String branch,
            IntegrationBranch.Check check, Executor blocking) {
        super(context);
        this.waiting = waiting;
        this.repo = repo;
        this.branch = new IntegrationBranch(repo, branch);
        this.check = check;
        this.blocking = blocking;
    }

    /** @param repo opened by the caller; closed when the merger stops */
    public static Behavior<Command> create(Repository repo, String branch, Executor blocking) {
        return create(repo, branch, mergeCommit -> java.util.Optional.empty(), blocking);
    }

    /** @param check must pass each merge commit before the branch moves to it (the goal's sync.check) */
    public static Behavior<Command> create(Repository repo, String branch, IntegrationBranch.Check check,
            Executor blocking) {
        return Behaviors.withStash(STASH_CAPACITY,
                stash -> Behaviors.setup(context -> new Merger(context, stash, repo, branch, check, blocking)));
    }

    @Override
    public Receive<Command> createReceive() {
        return idle();
    }

    private Receive<Command> idle() {
        return newReceiveBuilder()
                .onMessage(Merge.class, this::onMerge)
                .onMessage(Keep.class, this::onKeep)
                .onSignal(PostStop.class, signal -> onStop())
                .build();
    }

    private Receive<Command> merging() {
        return newReceiveBuilder()
                .onMessage(Merge.class, this::onMergeWhileMerging)
                .onMessage(Keep.class, this::onMergeWhileMerging)
                .onMessage(Finished.class, this::onFinished)
                .onSignal(PostStop.class, signal -> onStop())
                .build();
    }

    private Behavior<Command> onMerge(Merge request) {
        getContext().pipeToSelf(Blocking.call(blocking, () -> mergeOrKeep(request)),
                (outcome, failure) -> new Finished(request, outcome, failure));
        return merging();
    }

    /** Blocking: the merge; on a conflict or a failure, the task's commit kept on a branch of its own. */
    private IntegrationBranch.Outcome mergeOrKeep(Merge request) throws Exception {
        try {
            IntegrationBranch.Outcome outcome = branch.merge(request.commit(), request.message(), check);
            if (!(outcome instanceof IntegrationBranch.Outcome.Merged)) {
                keep(request);
            }
            return outcome;
        } catch (Exception e) {
            keep(request);
            throw e;
        }
    }

    private void keep(Merge request) {
        keep(request.commit(), request.keepOn());
    }

    private void keep(ObjectId commit, String keepOn) {
        try {
            RefUpdate update = repo.updateRef(Constants.R_HEADS + keepOn);
            update.setNewObjectId(commit);
            update.setForceUpdate(true);
            update.update();
        } catch (java.io.IOException e) {
            // The commit is still on the task branch until the next attempt; nothing more to do here.
        }
    }

    /** A ref update of a branch nobody else writes: quick enough to do here, between merges. */
    private Behavior<Command> onKeep(Keep keep) {
        keep(keep.commit(), keep.keepOn());
        return Behaviors.same();
    }

    private Behavior<Command> onMergeWhileMerging(Command request) {
        waiting.stash(request);
        return Behaviors.same();
    }

    private Behavior<Command> onFinished(Finished finished) {
        Merge request = finished.request();
        if (finished.failure() != null) {
            request.replyTo().tell(new TeamLead.MergeFailed(request.taskId(), Blocking.describe(finished.failure())));
        } else if (finished.outcome() instanceof IntegrationBranch.Outcome.Merged merged) {
            request.replyTo().tell(new TeamLead.Merged(request.taskId(), merged.commit()));
        } else if (finished.outcome() instanceof IntegrationBranch.Outcome.Conflict conflict) {
            request.replyTo().tell(new TeamLead.MergeConflicted(request.taskId(), conflict.paths()));
        } else if (finished.outcome() instanceof IntegrationBranch.Outcome.CheckFailed failed) {
            request.replyTo().tell(new TeamLead.CheckFailed(request.taskId(), failed.output()));
        }
        return waiting.unstashAll(idle());
    }

    private Behavior<Command> onStop() {
        repo.close();
        return Behaviors.same();
    }
}
