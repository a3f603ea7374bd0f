package dev.troupe.journal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One task's life, folded from the events of its run: where it stands, its attempts and spend, and its finished
 * work. {@link #apply} is the only place that knows how an event moves a task: the live rules apply every event
 * they journal through it, {@code troupe resume} replays the journal through it, and every view reads it.
 */
public final class TaskLife {

    /**
     * REVIEWING: its change is with a reviewer (or waits for one). HELD: done, waiting for the sync point of
     * {@code sync.merge: end}. MERGING: on its way into the integration branch.
     */
    public enum State {
        WAITING, QUEUED, RUNNING, REVIEWING, HELD, MERGING, MERGED, FAILED, SKIPPED, CANCELLED;

        /** Nothing more happens to the task in this run. */
        public boolean isSettled() {
            return this == MERGED || this == FAILED || this == SKIPPED || this == CANCELLED;
        }

        /** An attempt is under way, or its finished work is on its way to the integration branch. */
        public boolean attemptUnderWay() {
            return this == RUNNING || this == REVIEWING || this == HELD || this == MERGING;
        }

        /** The state's name as status and the report print it: {@code merging}. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final String id;
    private State state = State.WAITING;
    private Instant since;
    private int attempts;
    private int tries;
    private int uncountedAttempts;
    /** A round of its variants has started and is not over (chosen, failed or given up). */
    private boolean roundOpen;
    private String worker = "";
    /** The agents its attempts ran with, each once, in the order they first did. */
    private List<String> agents = List.of();
    /** What its last attempt ran with, its session's CLI and account; null if unknown. */
    private String lastAgent;
    private double costUsd;
    private Usage usage = Usage.NONE;
    private String mergeCommit = "";
    private String reason = "";
    private List<String> filesChanged = List.of();
    private long durationMs;
    private String resultText = "";
    private String commit = "";
    private String slug;
    private int commitAttempt;
    private String attemptBase = "";
    private String commitBase = "";
    private Boolean approved;
    // The lists and the map below stay the shared empty ones until something is put in them: a run holds every
    // task's life to its end (twice: the rules' and plan.md's), and most tasks are never told, nor have variants.
    private List<TeamEvent.TaskTold> told = List.of();
    /** Which attempt's agent heard each message live, by the message's id. */
    private java.util.Map<String, Integer> heardLive = java.util.Map.of();
    /** The variants settled since the task's last round began, and every one of the run. */
    private List<TeamEvent.VariantDone> roundVariants = List.of();
    private List<TeamEvent.VariantDone> variants = List.of();
    private TeamEvent.VariantChosen chosen;
    /** The check under way on a merge of the task's, if one is. */
    private TeamEvent.CheckStarted checking;

    public TaskLife(String id) {
        this.id = id;
    }

    /**
     * Moves the task by one event of its run: an event of another task is no concern of it; a run-level event
     * moves it only when the run resumes.
     */
    public void apply(TeamEvent event) {
        if (event instanceof TeamEvent.OfTask ofTask && id.equals(ofTask.task())) {
            applyOwn(ofTask);
        } else if (event instanceof TeamEvent.RunResumed resumed) {
            resumed(resumed);
        }
    }

    private void applyOwn(TeamEvent.OfTask event) {
        Instant time = event.time();
        if (event instanceof TeamEvent.TaskQueued) {
            move(State.QUEUED, time);
        } else if (event instanceof TeamEvent.TaskAssigned e) {
            assigned(e);
        } else if (event instanceof TeamEvent.TaskSucceeded e) {
            // On its way in; the rules journal where it goes next (review, the sync point, the merger).
            move(State.MERGING, time);
            spend(e.costUsd(), e.usage());
            filesChanged = e.filesChanged() == null ? List.of() : e.filesChanged();
            durationMs = e.durationMs();
            resultText = e.result() == null ? "" : e.result();
            commit = e.commit() == null ? "" : e.commit();
            commitAttempt = e.attempt();
            commitBase = attemptBase;
            approved = null;
        } else if (event instanceof TeamEvent.ReviewQueued || event instanceof TeamEvent.ReviewStarted) {
            move(State.REVIEWING, time);
        } else if (event instanceof TeamEvent.ReviewDone e) {
            if (e.approved()) {
                move(State.MERGING, time);
            }
            spend(e.costUsd(), e.usage());
            approved = e.approved();
        } else if (event instanceof TeamEvent.TaskHeld) {
            move(State.HELD, time);
        } else if (event instanceof TeamEvent.MergeStarted) {
            move(State.MERGING, time);
        } else if (event instanceof TeamEvent.MergeDone e) {
            move(State.MERGED, time);
            mergeCommit = e.mergeCommit();
            reason = "";
            roundOpen = false;
        } else if (event instanceof TeamEvent.AttemptFailed e) {
            attemptFailed(e);
        } else if (event instanceof TeamEvent.TaskFailed e) {
            settle(State.FAILED, e.reason(), time);
        } else if (event instanceof TeamEvent.TaskSkipped e) {
            settle(State.SKIPPED, e.reason(), time);
        } else if (event instanceof TeamEvent.TaskCancelled e) {
            settle(State.CANCELLED, "cancelled with troupe cancel", time);
            spend(e.costUsd(), e.usage());
        } else if (event instanceof TeamEvent.VariantDone e) {
            spend(e.costUsd(), e.usage());
            roundVariants = plus(roundVariants, e);
            variants = plus(variants, e);
        } else if (event instanceof TeamEvent.VariantChosen e) {
            spend(e.costUsd(), e.usage());
            chosen = e;
            roundVariants = List.of();
            roundOpen = false;
        } else if (event instanceof TeamEvent.CheckStarted e) {
            checking = e;
        } else if (event instanceof TeamEvent.CheckDone) {
            checking = null;
        } else if (event instanceof TeamEvent.TaskTold e) {
            told = plus(told, e);
        } else if (event instanceof TeamEvent.MessageDelivered e) {
            if (e.id() != null && !heardLive.containsKey(e.id())) {
                heardLive = new java.util.HashMap<>(heardLive);
                heardLive.put(e.id(), e.attempt());
            }
        }
    }

    private void assigned(TeamEvent.TaskAssigned e) {
        move(State.RUNNING, e.time());
        attempts = Math.max(attempts, e.attempt());
        worker = e.worker();
        if (e.agent() != null && !agents.contains(e.agent())) {
            agents = plus(agents, e.agent());
        }
        lastAgent = e.agent();
        // The task branch is troupe/tasks/<run>/<slug>; a variant's troupe/variants/<run>/<slug>/<n>.
        boolean variant = e.branch().startsWith("troupe/variants/");
        String[] parts = e.branch().split("/");
        slug = variant && parts.length > 2 ? parts[parts.length - 2] : parts[parts.length - 1];
        attemptBase = e.baseCommit() == null ? "" : e.baseCommit();
        // Every variant of a round is an agent run of its own; the round is one try of the task.
        if (!variant || !roundOpen) {
            tries++;
        }
        roundOpen = variant;
    }

    private void attemptFailed(TeamEvent.AttemptFailed e) {
        move(e.retryInMs() < 0 ? State.FAILED : State.QUEUED, e.time());
        if (e.counted()) {
            // A round of variants that ended without a winner: the next round starts afresh.
            roundVariants = List.of();
        } else {
            uncountedAttempts++;
        }
        roundOpen = false;
        if (!e.interrupted()) {
            reason = e.reason();
        }
        spend(e.costUsd(), e.usage());
    }

    /**
     * The run resumed: the tasks it found on the integration branch are merged, and only they; a task queued (or
     * running, in a journal that did not say it was cut short) starts over from waiting, and the rules move it on
     * from there; a round of variants some of which settled goes on; finished work (reviewing, held, merging) stays
     * as it is until the resume journals where it goes next. A check the stopped run had under way died with it.
     */
    private void resumed(TeamEvent.RunResumed e) {
        checking = null;
        if (e.merged() != null && e.merged().contains(id)) {
            if (state != State.MERGED) {
                move(State.MERGED, e.time());
            }
            reason = "";
        } else if (state == State.MERGED) {
            // The integration branch does not hold it after all: its trailers win over the journal.
            move(State.WAITING, e.time());
            mergeCommit = "";
        } else if (state == State.WAITING || state == State.QUEUED
                || state == State.RUNNING && roundVariants.isEmpty()) {
            move(State.WAITING, e.time());
            roundOpen = false;
        }
    }

    /** {@code list} and {@code item} after it: a list of its own once it holds something. */
    private static <T> List<T> plus(List<T> list, T item) {
        List<T> more = list instanceof ArrayList<T> own ? own : new ArrayList<>(list);
        more.add(item);
        return more;
    }

    private void settle(State settled, String why, Instant time) {
        move(settled, time);
        reason = why == null ? "" : why;
        roundOpen = false;
    }

    private void move(State to, Instant time) {
        state = to;
        since = time;
        checking = null;
    }

    private void spend(double cost, Usage tokens) {
        costUsd += cost;
        usage = usage.plus(tokens == null ? Usage.NONE : tokens);
    }

    public String id() {
        return id;
    }

    public State state() {
        return state;
    }

    /** Agent runs of the task started: one a writer's attempt, one each variant of a round. */
    public int attempts() {
        return attempts;
    }

    /** The agents its attempts ran with ({@link TeamEvent.TaskAssigned#agent}), each once. */
    public List<String> agents() {
        return List.copyOf(agents);
    }

    /** What its last attempt ran with ({@link TeamEvent.TaskAssigned#agent}): its session's; null if unknown. */
    public String lastAgent() {
        return lastAgent;
    }

    /** Tries of the task: an attempt, or a round of its variants (whatever number of agents it ran). */
    public int tries() {
        return tries;
    }

    /** Tries that count against {@code limits.attempts}: a rate limit's or a node's fault, or a stop, is free. */
    public int countedTries() {
        // Each attempt not counted ends a try: a variant relaunched for free is not journaled as one.
        return tries - uncountedAttempts;
    }

    /** Attempts journaled as not counted against {@code limits.attempts}. */
    public int uncountedAttempts() {
        return uncountedAttempts;
    }

    /** The worker of its latest agent run. */
    public String worker() {
        return worker;
    }

    /** The variants of the round under way (or cut short), settled, in the order they settled. */
    public List<TeamEvent.VariantDone> roundVariants() {
        return List.copyOf(roundVariants);
    }

    /** Every variant of the task settled in the run, in the order they settled. */
    public List<TeamEvent.VariantDone> variants() {
        return List.copyOf(variants);
    }

    /** The {@code sync.check} running on a merge (or a variant's trial) of the task's now: when it started. */
    public Optional<TeamEvent.CheckStarted> checking() {
        return Optional.ofNullable(checking);
    }

    /** How the task's change was picked among its variants, if it had variants and one was. */
    public Optional<TeamEvent.VariantChosen> chosen() {
        return Optional.ofNullable(chosen);
    }

    public double costUsd() {
        return costUsd;
    }

    public Usage usage() {
        return usage;
    }

    /** The merge commit that brought it in; empty until it merged. */
    public String mergeCommit() {
        return mergeCommit;
    }

    /** Why its last attempt did not merge, or why it settled without merging. */
    public String reason() {
        return reason;
    }

    /** When the task entered its state (null while it waits from the start). */
    public Instant since() {
        return since;
    }

    /** What its last successful attempt changed. */
    public List<String> filesChanged() {
        return filesChanged;
    }

    /** What its last successful attempt reported. */
    public String resultText() {
        return resultText;
    }

    /** The commit of its last successful attempt (empty when none succeeded). */
    public String commit() {
        return commit;
    }

    /**
     * The task's name in the run's file and branch names ({@code agents/<slug>-<n>.jsonl},
     * {@code results/<slug>.md}), as the run gave it: read off its task branch, since a fan-out's slugs are made
     * unique and so are not always {@code TaskIds.slug} of the id. Empty until the task was first assigned:
     * before that it has no files.
     */
    public Optional<String> slug() {
        return Optional.ofNullable(slug);
    }

    /** The attempt that made {@link #commit()}. */
    public int commitAttempt() {
        return commitAttempt;
    }

    /** The integration head {@link #commit()}'s attempt started from (empty when none succeeded). */
    public String commitBase() {
        return commitBase;
    }

    /** Its reviewer's verdict on {@link #commit()}: empty while none was given. */
    public Optional<Boolean> approved() {
        return Optional.ofNullable(approved);
    }

    /** What {@code troupe tell} said to it (and the tasks it hears from handed over), in order. */
    public List<TeamEvent.TaskTold> told() {
        return List.copyOf(told);
    }

    /** The attempt whose running agent heard message {@code id} (of {@link #told()}), if one did. */
    public Optional<Integer> heardLiveIn(String id) {
        return Optional.ofNullable(id == null ? null : heardLive.get(id));
    }

    /** How long its last successful attempt took. */
    public long durationMs() {
        return durationMs;
    }
}
