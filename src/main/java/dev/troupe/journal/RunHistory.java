package dev.troupe.journal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a journal says about a run: its start, and each task's last known state, attempts and spend. The state
 * of a run that died is only the journal's word; {@code troupe resume} checks merges against the integration
 * branch, whose trailers win.
 */
public final class RunHistory {

    /** MERGING: done (and approved, when reviewed), on its way into the integration branch. */
    public enum State {
        WAITING, QUEUED, RUNNING, REVIEWING, MERGING, MERGED, FAILED, SKIPPED, CANCELLED;

        /** Nothing more happens to the task in this run. */
        public boolean isSettled() {
            return this == MERGED || this == FAILED || this == SKIPPED || this == CANCELLED;
        }

        /** An attempt was under way in this state: a stop cuts it short. */
        public boolean attemptUnderWay() {
            return this == RUNNING || this == REVIEWING || this == MERGING;
        }
    }

    /** One task as the journal left it. */
    public static final class Task {
        private final String id;
        private State state = State.WAITING;
        private int attempts;
        private int uncountedAttempts;
        private String worker = "";
        private double costUsd;
        private Usage usage = Usage.NONE;
        private String mergeCommit = "";
        private String reason = "";
        private Instant since;
        private List<String> filesChanged = List.of();
        private long durationMs;
        private String resultText = "";
        private String commit = "";
        private String slug;
        private int commitAttempt;
        private String attemptBase = "";
        private String commitBase = "";
        private Boolean approved;
        private final List<TeamEvent.TaskTold> told = new ArrayList<>();
        /** The variants settled since the task's last round began, and how its last winner was chosen. */
        private final java.util.ArrayList<TeamEvent.VariantDone> variants = new java.util.ArrayList<>();
        private final java.util.ArrayList<TeamEvent.VariantDone> allVariants = new java.util.ArrayList<>();
        private TeamEvent.VariantChosen chosen;
        /** The check under way on a merge of the task's, if one is. */
        private TeamEvent.CheckStarted checking;

        Task(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        public State state() {
            return state;
        }

        /** Attempts started. */
        public int attempts() {
            return attempts;
        }

        /** Attempts that ended on a rate limit and did not count against {@code limits.attempts}. */
        public int uncountedAttempts() {
            return uncountedAttempts;
        }

        public String worker() {
            return worker;
        }

        /** The variants of the round under way (or cut short), settled, in the order they settled. */
        public List<TeamEvent.VariantDone> roundVariants() {
            return List.copyOf(variants);
        }

        /** Every variant of the task settled in the run, in the order they settled. */
        public List<TeamEvent.VariantDone> variants() {
            return List.copyOf(allVariants);
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

        public String mergeCommit() {
            return mergeCommit;
        }

        public String reason() {
            return reason;
        }

        /** When the task entered its state. */
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

        /** What {@code troupe tell} said to it, in order. */
        public List<TeamEvent.TaskTold> told() {
            return List.copyOf(told);
        }

        /** How long its last successful attempt took. */
        public long durationMs() {
            return durationMs;
        }
    }

    /**
     * One round of a run: its tasks in goal order and what the planner said when it planned it (empty for a round
     * the goal listed). A run not planned in rounds has one.
     */
    public record Round(int number, List<String> tasks, String summary) {}

    private final TeamEvent.RunStarted started;
    private final Map<String, Task> tasks = new LinkedHashMap<>();
    private final Map<String, List<String>> after = new LinkedHashMap<>();
    private TeamEvent.PlanMade plan;
    private TeamEvent.RunFinished finished;
    /** Each task's round; the goal's own tasks are round 1. */
    private final Map<String, Integer> roundOf = new LinkedHashMap<>();
    /** What the planner said of each round it planned, by round; round 1 is there from the start. */
    private final java.util.TreeMap<Integer, String> summaries = new java.util.TreeMap<>(Map.of(1, ""));
    private final Map<Integer, Integer> planRefusals = new LinkedHashMap<>();
    private final Map<Integer, String> lastPlanProblem = new LinkedHashMap<>();
    private int plannerAttempts;
    private TeamEvent.GoalMet goalMet;
    private double costUsd;
    private Instant lastEvent;

    private RunHistory(TeamEvent.RunStarted started) {
        this.started = started;
        started.tasks().forEach(id -> tasks.put(id, new Task(id)));
        started.tasks().forEach(id -> roundOf.put(id, 1));
        if (started.after() != null) {
            after.putAll(started.after());
        }
        lastEvent = started.time();
    }

    /** Empty when the events do not begin with a run start (not a journal, or an empty one). */
    public static Optional<RunHistory> of(List<TeamEvent> events) {
        if (events.isEmpty() || !(events.get(0) instanceof TeamEvent.RunStarted started)) {
            return Optional.empty();
        }
        RunHistory history = new RunHistory(started);
        events.forEach(history::apply);
        return Optional.of(history);
    }

    /** Brings the history up to date with one more event of the same run. */
    public void apply(TeamEvent event) {
        lastEvent = event.time();
        if (event instanceof TeamEvent.TaskQueued e) {
            move(e.task(), State.QUEUED, e.time());
        } else if (event instanceof TeamEvent.TaskAssigned e) {
            Task task = move(e.task(), State.RUNNING, e.time());
            if (task != null) {
                task.attempts = Math.max(task.attempts, e.attempt());
                task.worker = e.worker();
                // The task branch is troupe/tasks/<run>/<slug>; a variant's troupe/variants/<run>/<slug>/<n>.
                String[] parts = e.branch().split("/");
                task.slug = e.branch().startsWith("troupe/variants/") && parts.length > 2 ? parts[parts.length - 2]
                        : parts[parts.length - 1];
                task.attemptBase = e.baseCommit() == null ? "" : e.baseCommit();
            }
        } else if (event instanceof TeamEvent.TaskSucceeded e) {
            Task task = move(e.task(), State.MERGING, e.time());
            spend(task, e.costUsd(), e.usage());
            if (task != null) {
                task.filesChanged = e.filesChanged() == null ? List.of() : e.filesChanged();
                task.durationMs = e.durationMs();
                task.resultText = e.result() == null ? "" : e.result();
                task.commit = e.commit() == null ? "" : e.commit();
                task.commitAttempt = e.attempt();
                task.commitBase = task.attemptBase;
                task.approved = null;
            }
        } else if (event instanceof TeamEvent.VariantDone e) {
            Task task = tasks.get(e.task());
            spend(task, e.costUsd(), e.usage());
            if (task != null) {
                task.variants.add(e);
                task.allVariants.add(e);
            }
        } else if (event instanceof TeamEvent.VariantChosen e) {
            Task task = tasks.get(e.task());
            spend(task, e.costUsd(), e.usage());
            if (task != null) {
                task.chosen = e;
                task.variants.clear();
            }
        } else if (event instanceof TeamEvent.AttemptFailed e) {
            Task task = move(e.task(), e.retryInMs() < 0 ? State.FAILED : State.QUEUED, e.time());
            if (task != null && e.counted()) {
                // A round of variants that ended without a winner: the next round starts afresh.
                task.variants.clear();
            }
            if (task != null) {
                task.reason = e.reason();
                task.costUsd += e.costUsd();
                task.usage = task.usage.plus(e.usage() == null ? Usage.NONE : e.usage());
                costUsd += e.costUsd();
                if (!e.counted()) {
                    task.uncountedAttempts++;
                }
            }
        } else if (event instanceof TeamEvent.TaskFailed e) {
            Task task = move(e.task(), State.FAILED, e.time());
            if (task != null) {
                task.reason = e.reason();
            }
        } else if (event instanceof TeamEvent.TaskCancelled e) {
            Task task = move(e.task(), State.CANCELLED, e.time());
            if (task != null) {
                task.reason = "cancelled with troupe cancel";
            }
        } else if (event instanceof TeamEvent.TaskSkipped e) {
            Task task = move(e.task(), State.SKIPPED, e.time());
            if (task != null) {
                task.reason = e.reason();
            }
        } else if (event instanceof TeamEvent.MergeDone e) {
            Task task = move(e.task(), State.MERGED, e.time());
            if (task != null) {
                task.mergeCommit = e.mergeCommit();
                task.reason = "";
            }
        } else if (event instanceof TeamEvent.ReviewStarted e) {
            move(e.task(), State.REVIEWING, e.time());
        } else if (event instanceof TeamEvent.ReviewDone e) {
            Task task = e.approved() ? move(e.task(), State.MERGING, e.time()) : tasks.get(e.task());
            spend(task, e.costUsd(), e.usage());
            if (task != null) {
                task.approved = e.approved();
            }
        } else if (event instanceof TeamEvent.CheckStarted e) {
            Optional.ofNullable(tasks.get(e.task())).ifPresent(task -> task.checking = e);
        } else if (event instanceof TeamEvent.CheckDone e) {
            Optional.ofNullable(tasks.get(e.task())).ifPresent(task -> task.checking = null);
        } else if (event instanceof TeamEvent.TaskTold e) {
            Optional.ofNullable(tasks.get(e.task())).ifPresent(task -> task.told.add(e));
        } else if (event instanceof TeamEvent.TasksAdded e) {
            e.tasks().forEach(id -> tasks.putIfAbsent(id, new Task(id)));
            e.tasks().forEach(id -> roundOf.putIfAbsent(id, lastRound()));
            if (e.after() != null) {
                after.putAll(e.after());
            }
        } else if (event instanceof TeamEvent.PlanMade e) {
            if (e.round() == 1) {
                plan = e;
            }
            summaries.put(e.round(), e.summary());
            e.tasks().forEach(id -> tasks.putIfAbsent(id, new Task(id)));
            e.tasks().forEach(id -> roundOf.putIfAbsent(id, e.round()));
            if (e.after() != null) {
                after.putAll(e.after());
            }
            plannerAttempts = Math.max(plannerAttempts, e.attempt());
            spend(null, e.costUsd(), e.usage());
        } else if (event instanceof TeamEvent.PlanRejected e) {
            spend(null, e.costUsd(), e.usage());
            plannerAttempts = Math.max(plannerAttempts, e.attempt());
            planRefusals.merge(e.round(), 1, Integer::sum);
            lastPlanProblem.put(e.round(), e.problem());
        } else if (event instanceof TeamEvent.GoalMet e) {
            goalMet = e;
            plannerAttempts = Math.max(plannerAttempts, e.attempt());
            spend(null, e.costUsd(), e.usage());
        } else if (event instanceof TeamEvent.RunFinished e) {
            finished = e;
        } else if (event instanceof TeamEvent.RunResumed) {
            finished = null;
            // A check the dead run had under way died with it.
            tasks.values().forEach(task -> task.checking = null);
        }
    }

    private Task move(String id, State state, Instant time) {
        Task task = tasks.get(id);
        if (task != null) {
            task.state = state;
            task.since = time;
            task.checking = null;
        }
        return task;
    }

    private void spend(Task task, double cost, Usage usage) {
        if (task != null) {
            task.costUsd += cost;
            task.usage = task.usage.plus(usage == null ? Usage.NONE : usage);
        }
        costUsd += cost;
    }

    public TeamEvent.RunStarted started() {
        return started;
    }

    public Map<String, Task> tasks() {
        return tasks;
    }

    public Optional<TeamEvent.RunFinished> finished() {
        return Optional.ofNullable(finished);
    }

    public double costUsd() {
        return costUsd;
    }

    public Instant lastEvent() {
        return lastEvent;
    }

    /** The tasks {@code task} comes after, as the run began (or as the planner made them). */
    public List<String> after(String task) {
        return after.getOrDefault(task, List.of());
    }

    /** The planner's accepted plan of the first round, for a goal that listed no tasks. */
    public Optional<TeamEvent.PlanMade> plan() {
        return Optional.ofNullable(plan);
    }

    /** How many plans for {@code round} were refused (an attempt cut short by a stop is not one of them). */
    public int planRefusals(int round) {
        return planRefusals.getOrDefault(round, 0);
    }

    /** Why the last plan for {@code round} was refused. */
    public Optional<String> lastPlanProblem(int round) {
        return Optional.ofNullable(lastPlanProblem.get(round));
    }

    /** The highest attempt number the planner's answers (made, refused, goal met) were journaled under. */
    public int plannerAttempts() {
        return plannerAttempts;
    }

    /** The latest round whose tasks are known: 1 until the planner planned a second. */
    public int lastRound() {
        return summaries.lastKey();
    }

    /** The round {@code task} belongs to (1 for a task the journal does not place). */
    public int roundOf(String task) {
        return roundOf.getOrDefault(task, 1);
    }

    /** The rounds so far, first to last, each with its tasks in goal order. */
    public List<Round> rounds() {
        return summaries.entrySet().stream().map(round -> new Round(round.getKey(), tasks.keySet().stream()
                .filter(id -> roundOf(id) == round.getKey()).toList(), round.getValue())).toList();
    }

    /** The planner said the goal is met (planning in rounds): no round follows. */
    public Optional<TeamEvent.GoalMet> goalMet() {
        return Optional.ofNullable(goalMet);
    }

    public long count(State state) {
        return tasks.values().stream().filter(t -> t.state == state).count();
    }
}
