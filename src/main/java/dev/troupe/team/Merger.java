package dev.troupe.team;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.StashBuffer;
import akka.actor.typed.javadsl.TimerScheduler;
import dev.troupe.git.Housekeeping;
import dev.troupe.git.IntegrationBranch;
import dev.troupe.team.rules.Tuning;
import dev.troupe.workspace.CheckRunner;
import java.time.Duration;
import java.util.concurrent.Executor;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;

/**
 * The only writer of the integration branch: merges one request at a time (others wait in a stash), in memory,
 * on the blocking dispatcher. A conflict leaves the branch as it was and is reported back; a git failure (a held
 * ref lock, a checked-out branch, an I/O error) is tried again a few times with backoff before it is reported,
 * since the task's work is fine and running its agent again would not help.
 */
public final class Merger extends AbstractBehavior<Merger.Command> {

    public sealed interface Command {}

    /**
     * Merge {@code commit} (the tip of the task's branch, made by its {@code attempt}) with a merge commit carrying
     * {@code message}. If it does not merge, the commit is kept on {@code keepOn}: the task's next attempt resets
     * its branch.
     */
    public record Merge(String taskId, int attempt, ObjectId commit, String message, String keepOn,
            ActorRef<TeamLead.Command> replyTo) implements Command {}

    /**
     * Would {@code commit} merge onto the integration head and pass the check there? Answered with
     * {@link TeamLead.Tried}; the branch does not move. One try, no retry: a failure to try is an answer too.
     */
    public record Try(String taskId, int attempt, ObjectId commit, String message, ActorRef<TeamLead.Command> replyTo)
            implements Command {}

    /** Keep {@code commit} on branch {@code keepOn}: work that will not be merged, but must not be lost. */
    public record Keep(ObjectId commit, String keepOn) implements Command {}

    /** The goal's {@code sync.check}, told whose merge it judges. */
    @FunctionalInterface
    public interface GoalCheck {
        GoalCheck NONE = (candidate, mergeCommit) -> java.util.Optional.empty();

        /** Empty when the commit passes, else what the check said. */
        java.util.Optional<String> run(CheckRunner.Candidate candidate, ObjectId mergeCommit)
                throws dev.troupe.git.GitException, IntegrationBranch.CheckCannotRun;
    }

    /** {@code tries}: how many times the request has been tried, this one included. */
    private record Finished(Merge request, int tries, IntegrationBranch.Outcome outcome, Throwable failure) implements Command {}

    private record TryAgain(Merge request, int tries) implements Command {}

    private record TryFinished(Try request, IntegrationBranch.Outcome outcome, Throwable failure) implements Command {}

    private static final int STASH_CAPACITY = 100_000;
    /**
     * Merges between two looks at whether the repository needs packing ({@code git gc --auto}): troupe's own git
     * commands start no housekeeping, where each commit would have.
     */
    static final int HOUSEKEEPING_EVERY = 200;

    private final Repository repo;
    private final IntegrationBranch branch;
    private final GoalCheck goalCheck;
    /** Trees a variant's trial passed the check with (the merger runs one merge or trial at a time). */
    private final java.util.Set<ObjectId> triedTrees = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Executor blocking;
    private final java.util.concurrent.atomic.AtomicInteger merges = new java.util.concurrent.atomic.AtomicInteger();
    private final StashBuffer<Command> waiting;
    private final TimerScheduler<Command> timers;
    private final Tuning.MergeRetries retries;

    private Merger(ActorContext<Command> context, StashBuffer<Command> waiting, TimerScheduler<Command> timers,
            Repository repo, String branch, GoalCheck check, Executor blocking, Tuning.MergeRetries retries) {
        super(context);
        this.waiting = waiting;
        this.timers = timers;
        this.retries = retries;
        this.repo = repo;
        this.branch = new IntegrationBranch(repo, branch);
        this.goalCheck = check;
        this.blocking = blocking;
    }

    /**
     * The goal's check for a merge: a tree a variant's trial passed already is not checked again (the winner of a
     * task's variants merges onto the head it was tried on, which makes the same tree).
     */
    private java.util.Optional<String> checkMerge(Merge request, ObjectId mergeCommit)
            throws dev.troupe.git.GitException, IntegrationBranch.CheckCannotRun {
        return triedTrees.contains(treeOf(mergeCommit)) ? java.util.Optional.empty()
                : goalCheck.run(new CheckRunner.Candidate(request.taskId(), request.attempt(), false), mergeCommit);
    }

    /** The goal's check for a variant's trial, remembering the tree when it passes. */
    private java.util.Optional<String> checkTrial(Try request, ObjectId mergeCommit)
            throws dev.troupe.git.GitException, IntegrationBranch.CheckCannotRun {
        java.util.Optional<String> failed = goalCheck.run(new CheckRunner.Candidate(request.taskId(), request.attempt(),
                true), mergeCommit);
        if (failed.isEmpty()) {
            triedTrees.add(treeOf(mergeCommit));
        }
        return failed;
    }

    private ObjectId treeOf(ObjectId commit) throws dev.troupe.git.GitException {
        try (org.eclipse.jgit.revwalk.RevWalk walk = new org.eclipse.jgit.revwalk.RevWalk(repo)) {
            return walk.parseCommit(commit).getTree().copy();
        } catch (java.io.IOException e) {
            throw new dev.troupe.git.GitException("cannot read " + commit.name() + ": " + e.getMessage(), e);
        }
    }

    /** @param repo opened by the caller; closed when the merger stops */
    public static Behavior<Command> create(Repository repo, String branch, Executor blocking, Tuning.MergeRetries retries) {
        return create(repo, branch, GoalCheck.NONE, blocking, retries);
    }

    /** @param check must pass each merge commit before the branch moves to it (the goal's sync.check) */
    public static Behavior<Command> create(Repository repo, String branch, GoalCheck check,
            Executor blocking, Tuning.MergeRetries retries) {
        return Behaviors.withStash(STASH_CAPACITY, stash -> Behaviors.withTimers(timers ->
                Behaviors.setup(context -> new Merger(context, stash, timers, repo, branch, check, blocking, retries))));
    }

    @Override
    public Receive<Command> createReceive() {
        return idle();
    }

    private Receive<Command> idle() {
        return newReceiveBuilder()
                .onMessage(Merge.class, this::onMerge)
                .onMessage(Try.class, this::onTry)
                .onMessage(Keep.class, this::onKeep)
                .onSignal(PostStop.class, signal -> onStop())
                .build();
    }

    private Receive<Command> merging() {
        return newReceiveBuilder()
                .onMessage(Merge.class, this::onMergeWhileMerging)
                .onMessage(Keep.class, this::onMergeWhileMerging)
                .onMessage(Try.class, this::onMergeWhileMerging)
                .onMessage(Finished.class, this::onFinished)
                .onMessage(TryFinished.class, this::onTryFinished)
                .onMessage(TryAgain.class, again -> start(again.request(), again.tries()))
                .onSignal(PostStop.class, signal -> onStop())
                .build();
    }

    private Behavior<Command> onTry(Try request) {
        getContext().pipeToSelf(Blocking.call(blocking, () -> branch.trial(request.commit(), request.message(),
                mergeCommit -> checkTrial(request, mergeCommit))),
                (outcome, failure) -> new TryFinished(request, outcome, failure));
        return merging();
    }

    private Behavior<Command> onTryFinished(TryFinished finished) {
        Try request = finished.request();
        IntegrationBranch.Outcome outcome = finished.outcome();
        if (finished.failure() != null) {
            request.replyTo().tell(new TeamLead.Tried(request.taskId(), request.attempt(), "failed",
                    java.util.Optional.of("it could not be tried: " + Blocking.describe(finished.failure()))));
        } else if (outcome instanceof IntegrationBranch.Outcome.Merged) {
            request.replyTo().tell(new TeamLead.Tried(request.taskId(), request.attempt(), "passed", java.util.Optional.empty()));
        } else if (outcome instanceof IntegrationBranch.Outcome.Conflict conflict) {
            request.replyTo().tell(new TeamLead.Tried(request.taskId(), request.attempt(), "conflict",
                    java.util.Optional.of("merge conflict in " + String.join(", ", conflict.paths()))));
        } else if (outcome instanceof IntegrationBranch.Outcome.CheckFailed failed) {
            request.replyTo().tell(new TeamLead.Tried(request.taskId(), request.attempt(), "check-failed",
                    java.util.Optional.of("the check failed on its merge: " + failed.output())));
        } else if (outcome instanceof IntegrationBranch.Outcome.CheckCannotRun cannot) {
            request.replyTo().tell(new TeamLead.CheckCannotRun(request.taskId(), cannot.reason()));
        }
        return waiting.unstashAll(idle());
    }

    private Behavior<Command> onMerge(Merge request) {
        return start(request, 0);
    }

    /** @param triedBefore how many times the request failed already */
    private Behavior<Command> start(Merge request, int triedBefore) {
        getContext().pipeToSelf(Blocking.call(blocking, () -> mergeOrKeep(request)),
                (outcome, failure) -> new Finished(request, triedBefore + 1, outcome, failure));
        return merging();
    }

    /** Blocking: the merge; on a conflict or a failed check, the task's commit kept on a branch of its own. */
    private IntegrationBranch.Outcome mergeOrKeep(Merge request) throws Exception {
        IntegrationBranch.Outcome outcome = branch.merge(request.commit(), request.message(),
                mergeCommit -> checkMerge(request, mergeCommit));
        if (!(outcome instanceof IntegrationBranch.Outcome.Merged)) {
            keep(request);
        } else if (merges.incrementAndGet() % HOUSEKEEPING_EVERY == 0) {
            Housekeeping.runMidway(repo.getDirectory().toPath());
            // JGit keeps every loose ref it has read (every task branch, set through this repository) until told to
            // forget: 330 bytes a task, for as long as the run.
            repo.getRefDatabase().refresh();
        }
        return outcome;
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
        if (finished.failure() != null && finished.tries() <= retries.times()) {
            // Other requests stay stashed meanwhile: whatever stops this merge stops theirs too.
            Duration wait = retries.backoff().multipliedBy(1L << Math.min(20, finished.tries() - 1));
            getContext().getLog().warn("merging task {} failed (try {} of {}), trying again in {} ms: {}", request.taskId(),
                    finished.tries(), retries.times() + 1, wait.toMillis(), Blocking.describe(finished.failure()));
            timers.startSingleTimer(new TryAgain(request, finished.tries()), wait);
            return Behaviors.same();
        }
        if (finished.failure() != null) {
            keep(request);
            request.replyTo().tell(new TeamLead.MergeFailed(request.taskId(), Blocking.describe(finished.failure())
                    + (finished.tries() > 1 ? " (tried " + finished.tries() + " times)" : "")));
        } else if (finished.outcome() instanceof IntegrationBranch.Outcome.Merged merged) {
            request.replyTo().tell(new TeamLead.Merged(request.taskId(), merged.commit()));
        } else if (finished.outcome() instanceof IntegrationBranch.Outcome.Conflict conflict) {
            request.replyTo().tell(new TeamLead.MergeConflicted(request.taskId(), conflict.paths()));
        } else if (finished.outcome() instanceof IntegrationBranch.Outcome.CheckFailed failed) {
            request.replyTo().tell(new TeamLead.CheckFailed(request.taskId(), failed.output()));
        } else if (finished.outcome() instanceof IntegrationBranch.Outcome.CheckCannotRun cannot) {
            request.replyTo().tell(new TeamLead.CheckCannotRun(request.taskId(), cannot.reason()));
        }
        return waiting.unstashAll(idle());
    }

    private Behavior<Command> onStop() {
        repo.close();
        return Behaviors.same();
    }
}
