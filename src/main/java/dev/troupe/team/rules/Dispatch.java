package dev.troupe.team.rules;

import dev.troupe.goal.Goal;
import dev.troupe.journal.Money;
import dev.troupe.journal.TaskLife;
import dev.troupe.journal.TeamEvent;
import dev.troupe.journal.Usage;
import java.time.Instant;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.lib.ObjectId;

/**
 * Who does what next: reviews first (their work is done but for the verdict), then queued tasks in queue order,
 * each to a worker as the pace, the task's backoff and its zone allow; with the budget spent, nothing starts and
 * what waits is settled. Asks to be woken when the next launch may go.
 */
final class Dispatch {

    private final RunContext run;
    private final TaskTable tasks;
    private final Roster roster;
    private final Pace pace;
    private final Accounts accounts;
    private final Budget budget;
    private final SyncPoint syncPoint;
    private final Variants variants;
    private final Decisions out;
    /** Why nothing more is launched, once the run winds down (sync.check cannot run); null while it does not. */
    private String halted;
    /** Set by {@code troupe stop}: no task is launched. */
    private boolean paused;
    /** When the pause of an account that holds a review back ends; null if none does. */
    private Instant pausedReviews;
    /** Where the integration branch stands: the base of every attempt that starts now. */
    private ObjectId head;

    Dispatch(RunContext run, TaskTable tasks, Roster roster, Pace pace, Accounts accounts, Budget budget,
            SyncPoint syncPoint, Variants variants, Decisions out) {
        this.accounts = accounts;
        this.variants = variants;
        this.run = run;
        this.tasks = tasks;
        this.roster = roster;
        this.pace = pace;
        this.budget = budget;
        this.syncPoint = syncPoint;
        this.out = out;
        this.head = run.startCommit();
    }

    ObjectId head() {
        return head;
    }

    void merged(ObjectId mergeCommit) {
        head = mergeCommit;
    }

    /**
     * No task is launched from now on ({@code troupe stop}); what is queued stays queued for {@code troupe resume}.
     * Reviews of finished work still start: they are the end of attempts already under way.
     */
    void pause() {
        paused = true;
    }

    /** Nothing more is launched: what is queued or becomes ready is skipped with {@code reason}. */
    void halt(String reason) {
        halted = reason;
    }

    void run(Instant now) {
        if (halted != null) {
            variants.dropWaiting(halted, now);
            skipQueued(halted, halted, now);
        } else if (budget.isSpent()) {
            variants.dropWaiting("the budget is spent", now);
            List.copyOf(tasks.awaitingReview).forEach(id -> failUnreviewed(tasks.get(id), now));
            skipQueuedForBudget(now);
        } else {
            launchReady(now);
        }
        syncPoint.mergeHeldIfIdle(now);
    }

    private void launchReady(Instant now) {
        Instant wake = launchReviews(now);
        if (wake == null) {
            wake = variants.launchWaiting(now);
        }
        Iterator<String> queue = wake == null && !paused ? tasks.ready.iterator() : Collections.emptyIterator();
        while (queue.hasNext() && roster.hasIdle()) {
            Instant allowed = pace.nextLaunchAllowed();
            if (now.isBefore(allowed)) {
                wake = allowed;
                break;
            }
            TaskState task = tasks.get(queue.next());
            if (now.isBefore(task.notBefore())) {
                wake = wake == null || task.notBefore().isBefore(wake) ? task.notBefore() : wake;
                continue;
            }
            if (tasks.zoneTaken(task)) {
                // Waits for the task that owns those files; dispatched again when that one settles.
                continue;
            }
            Instant waitForSession = task.notBefore().plus(run.tuning().resumeWait());
            if (task.continueSession() && roster.isBusy(task.writtenOn()) && now.isBefore(waitForSession)) {
                // Its session's worker is finishing another task: dispatched again when it is idle, or fresh then.
                wake = wake == null || waitForSession.isBefore(wake) ? waitForSession : wake;
                continue;
            }
            if (task.spec().variants().any()) {
                // Its variants wait for workers on their accounts, launched below.
                queue.remove();
                task.attemptBase(head);
                variants.start(task, writerPrompt(task));
                continue;
            }
            // A session is resumed only on the worker whose workspace holds it; elsewhere the task starts afresh.
            boolean onSession = task.continueSession() && roster.isIdle(task.writtenOn());
            Optional<Goal.TaskSpec> startable = accounts.startable(task.spec(),
                    task.continueSession() ? task.life().lastAgent() : null, now);
            if (startable.isEmpty()) {
                // Its account is paused or has no room: dispatched again when a pause ends or a worker is free.
                wake = Pace.earlier(wake, accounts.nextChange(now));
                if (accounts.allPaused(now)) {
                    break;
                }
                continue;
            }
            // Only where its account is not paused: a node's rate limit holds that node's workers alone.
            java.util.function.Predicate<String> open = accounts.openFor(startable.get(), now);
            String worker = onSession && open.test(roster.placeOf(task.writtenOn())) ? task.writtenOn()
                    : roster.workerFor(task, open);
            if (worker != null) {
                queue.remove();
                assign(task, startable.get(), worker, now);
                pace.launched(now);
            } else {
                wake = Pace.earlier(wake, accounts.nextChange(now));
            }
        }
        if (wake == null) {
            // The other variants of a task started just now.
            wake = variants.launchWaiting(now);
        }
        wake = Pace.earlier(Pace.earlier(wake, pausedReviews), variants.paused());
        if (wake != null) {
            out.add(new Decision.WakeAt(wake));
        }
    }

    /**
     * Sets {@link #pausedReviews}.
     *
     * @return when to try again, if the stagger holds a review back
     */
    private Instant launchReviews(Instant now) {
        Iterator<String> reviews = tasks.awaitingReview.iterator();
        pausedReviews = null;
        while (reviews.hasNext() && roster.hasIdle()) {
            if (now.isBefore(pace.nextLaunchAllowed())) {
                return pace.nextLaunchAllowed();
            }
            TaskState task = tasks.get(reviews.next());
            if (accounts.holdsBack(task.spec(), now)) {
                pausedReviews = Pace.earlier(pausedReviews, accounts.nextChange(now));
                continue;
            }
            java.util.function.Predicate<String> open = accounts.openFor(task.spec(), now);
            String worker = task.writtenOn() != null && roster.isIdle(task.writtenOn())
                    && open.test(roster.placeOf(task.writtenOn())) ? task.writtenOn() : roster.firstIdle(open);
            if (worker == null) {
                pausedReviews = Pace.earlier(pausedReviews, accounts.nextChange(now));
                continue;
            }
            reviews.remove();
            review(task, worker, now);
            pace.launched(now);
        }
        return null;
    }

    /**
     * @param spec the task as it runs: on the account it starts on
     * @param now the launch time, the same the stagger is counted from
     */
    private void assign(TaskState task, Goal.TaskSpec spec, String worker, Instant now) {
        task.attemptBase(head);
        String prompt = writerPrompt(task);
        int attempt = task.attempts() + 1;
        task.triedOn(worker);
        String branch = run.taskBranch(task.spec());
        roster.take(worker, task.id());
        // A resumed session was given what was told before its attempt started; it hears the rest.
        List<String> toldSince = task.told().stream().filter(told -> told.attempts() >= task.sessionAttempt()
                        && !task.heardLiveIn(told.id()).equals(Optional.of(task.sessionAttempt())))
                .map(TeamEvent.TaskTold::message).toList();
        // Only where its session is, and with the same CLI and account.
        String agent = accounts.agentOf(spec);
        boolean sameAccount = agent.equals(task.life().lastAgent());
        Optional<Assignment.Resume> resume = task.continueSession() && worker.equals(task.writtenOn()) && sameAccount
                ? Optional.of(new Assignment.Resume(task.session(), Prompts.resumed(task.reason(), head.name(),
                        run.failedBranch(task.spec(), task.sessionAttempt()), toldSince)))
                : Optional.empty();
        task.sessionTaken();
        accounts.launched(worker, spec);
        out.assignOnceJournaled(worker, new Assignment(spec, attempt, branch, head, prompt,
                Assignment.Role.WRITER, Optional.empty(), resume),
                new TeamEvent.TaskAssigned(now, task.id(), attempt, worker, branch, head.name(), agent));
    }

    /**
     * The task's prompt, with what its {@code after} tasks and the merged tasks it {@code hears} from reported, why
     * its last attempt failed, and what it was told (a hand-over told live is among the tasks it hears from).
     */
    String writerPrompt(TaskState task) {
        List<Prompts.Handoff> after = task.spec().after().stream().map(tasks::get).map(dep -> Telling.handoff(dep, run)).toList();
        List<Prompts.Handoff> heard = task.spec().hears().stream().filter(id -> !task.spec().after().contains(id))
                .map(tasks::get).filter(other -> other != null && other.status() == TaskLife.State.MERGED)
                .map(other -> Telling.handoff(other, run)).toList();
        return Prompts.prompt(task.spec(), after, task.attempts() > 0 && !task.reason().isEmpty() ? task.reason() : null,
                heard, task.told().stream().filter(told -> told.from() == null).map(TeamEvent.TaskTold::message).toList());
    }

    /** Its reviewer is launched like any agent: not while the team is paused. {@code writtenOn}: null if unknown. */
    void awaitReview(TaskState task, String writtenOn, Instant now) {
        task.writtenOn(writtenOn);
        tasks.awaitingReview.add(task.id());
        out.journal(new TeamEvent.ReviewQueued(now, task.id(), task.pendingAttempt()));
    }

    /**
     * A fresh agent reviews the change, read-only, preferably in the worktree of the worker that wrote it (which
     * holds the change already, so the checkout costs nothing).
     */
    private void review(TaskState task, String worker, Instant now) {
        roster.take(worker, task.id());
        accounts.launched(worker, task.spec());
        Assignment review = new Assignment(task.spec().readOnly(), task.pendingAttempt(), "", task.pending().commit(),
                Prompts.review(task.spec(), task.pendingAttempt(), task.pending().text(), task.pending().filesChanged()),
                Assignment.Role.REVIEWER, Optional.of(task.attemptBase()));
        out.journal(new TeamEvent.ReviewStarted(now, task.id(), task.pendingAttempt(), worker));
        out.add(new Decision.Assign(worker, review));
    }

    /** Done, but the budget went before its review: only approved work merges, so it fails, its change kept. */
    void failUnreviewed(TaskState task, Instant now) {
        String keptOn = syncPoint.keepPending(task);
        out.journal(new TeamEvent.AttemptFailed(now, task.id(), task.pendingAttempt(), "its review did not start:"
                + " the budget is spent (the change is kept on " + keptOn + ")", 0, Usage.NONE, -1, true));
        tasks.fail(task, "done, but the budget was spent before its review; the change is kept on " + keptOn, now);
    }

    /** With the budget spent, what waits in the queue will not start. */
    private void skipQueuedForBudget(Instant now) {
        skipQueued("the budget of " + Money.format(budget.limitUsd()) + " is spent", "no attempt left in the budget", now);
    }

    /**
     * Every queued task leaves the queue: skipped with {@code reason} if it never ran, else failed, its last
     * failure's reason followed by {@code afterFailure}.
     */
    private void skipQueued(String reason, String afterFailure, Instant now) {
        for (String id : List.copyOf(tasks.ready)) {
            TaskState task = tasks.get(id);
            if (task.attempts() > 0) {
                tasks.fail(task, task.reason() + "; " + afterFailure, now);
            } else {
                tasks.skip(task, reason, now);
            }
        }
    }
}
