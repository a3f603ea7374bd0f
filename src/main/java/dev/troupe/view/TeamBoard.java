package dev.troupe.view;

import dev.troupe.journal.TaskLife;
import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.goal.GoalLoader;
import dev.troupe.journal.RunHistory;
import dev.troupe.journal.TeamEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The run at a glance, as the live status shows it: each worker's task, state, last tool and files touched, and
 * the run's progress, spend and expected end. Built from the journal's events alone, so a recorded journal
 * gives the same board as the live run did. Not thread-safe: its owner applies events and reads it under one
 * lock.
 */
public final class TeamBoard {

    /** What a worker is doing, in the words the status block uses. */
    public enum WorkerState {
        PLANNING("planning"), SETTING_UP("setting up"), WORKING("working"), RETRYING("retrying"), REVIEWING("in review"),
        WAITING_TO_MERGE("waiting to merge"), IDLE("idle");

        private final String words;

        WorkerState(String words) {
            this.words = words;
        }

        public String words() {
            return words;
        }
    }

    /** One worker's row. */
    public static final class WorkerRow {
        private final String name;
        private WorkerState state = WorkerState.IDLE;
        private String task = "";
        private int attempt;
        private Instant since;
        private String lastTool = "";
        private String note = "";
        private String workingDirectory = "";
        /** When an attempt of its last failed. */
        private Instant failedAt;
        private final Set<String> files = new LinkedHashSet<>();

        WorkerRow(String name) {
            this.name = name;
        }

        public String name() {
            return name;
        }

        public WorkerState state() {
            return state;
        }

        /** The task it is on, empty when idle; {@code (planner)} while it plans. */
        public String task() {
            return task;
        }

        public int attempt() {
            return attempt;
        }

        /** When its current attempt started (empty when idle). */
        public Optional<Instant> since() {
            return Optional.ofNullable(since);
        }

        /** The last tool call of its agent: the tool and what it was about. */
        public String lastTool() {
            return lastTool;
        }

        /** Why it is retrying, when it is. */
        public String note() {
            return note;
        }

        /** Files its agent wrote in this attempt, relative to its worktree, in the order first touched. */
        public List<String> files() {
            return List.copyOf(files);
        }

        private void start(WorkerState state, String task, int attempt, Instant time) {
            this.state = state;
            this.task = task;
            this.attempt = attempt;
            this.since = time;
            this.lastTool = "";
            this.note = "";
            this.workingDirectory = "";
            this.files.clear();
        }

        private void idle() {
            start(WorkerState.IDLE, "", 0, null);
        }
    }

    private RunHistory history;
    private final Optional<Double> budgetUsd;
    private final Map<String, WorkerRow> workers = new HashMap<>();
    /** Which worker has each task (or the planner) now. */
    private final Map<String, WorkerRow> workerOf = new HashMap<>();
    private final List<Long> finishedMs = new ArrayList<>();
    private Instant startedAt;
    private Instant pausedUntil;
    private boolean budgetSpent;

    /**
     * @param resumed what the journal held before, for a resumed run; otherwise the board starts at the run's
     *     first event
     */
    public TeamBoard(Optional<RunHistory> resumed, Optional<Double> budgetUsd) {
        this.budgetUsd = budgetUsd;
        resumed.ifPresent(this::begin);
    }

    private void begin(RunHistory history) {
        this.history = history;
        workers.clear();
        workerOf.clear();
        finishedMs.clear();
        for (int i = 1; i <= history.started().teamSize(); i++) {
            worker("worker-" + i);
        }
        history.tasks().values().stream().filter(t -> t.durationMs() > 0).forEach(t -> finishedMs.add(t.durationMs()));
    }

    /** Brings the board up to date with one more event. */
    public void apply(TeamEvent event) {
        if (event instanceof TeamEvent.RunStarted started) {
            begin(RunHistory.of(List.of(started)).orElseThrow());
            startedAt = started.time();
            return;
        }
        if (history == null) {
            return;
        }
        history.apply(event);
        if (event instanceof TeamEvent.RunResumed resumed) {
            begin(history);
            startedAt = resumed.time();
            pausedUntil = null;
        } else if (event instanceof TeamEvent.AgentOutput e) {
            sawOutput(e);
        } else if (event instanceof TeamEvent.PlanStarted e) {
            assign(e.worker(), WorkerState.PLANNING, GoalLoader.RESERVED_ID, e.attempt(), e.time());
        } else if (event instanceof TeamEvent.TaskAssigned e) {
            assign(e.worker(), WorkerState.WORKING, e.task(), e.attempt(), e.time());
        } else if (event instanceof TeamEvent.ReviewStarted e) {
            assign(e.worker(), WorkerState.REVIEWING, e.task(), e.attempt(), e.time());
        } else if (event instanceof TeamEvent.SetupStarted e) {
            Optional.ofNullable(workers.get(e.worker())).filter(row -> row == workerOf.get(e.task())).ifPresent(row -> {
                row.state = WorkerState.SETTING_UP;
                row.note = e.command();
            });
        } else if (event instanceof TeamEvent.SetupDone e) {
            Optional.ofNullable(workers.get(e.worker())).filter(row -> row.state == WorkerState.SETTING_UP)
                    .ifPresent(row -> {
                        row.state = WorkerState.WORKING;
                        row.note = e.failure() == null ? "" : "setup failed";
                    });
        } else if (event instanceof TeamEvent.AgentRetry e) {
            onTask(e.task()).ifPresent(row -> {
                row.state = WorkerState.RETRYING;
                row.note = "API " + e.error() + (e.status() == null ? "" : " " + e.status()) + ", retry " + e.retry()
                        + " of " + e.maxRetries();
            });
        } else if (event instanceof TeamEvent.TaskSucceeded e) {
            finishedMs.add(e.durationMs());
            onTask(e.task()).ifPresent(row -> row.state = WorkerState.WAITING_TO_MERGE);
        } else if (event instanceof TeamEvent.ReviewDone e && e.approved()) {
            onTask(e.task()).ifPresent(row -> row.state = WorkerState.WAITING_TO_MERGE);
        } else if (event instanceof TeamEvent.MergeDone e) {
            release(e.task());
        } else if (event instanceof TeamEvent.AttemptFailed e) {
            WorkerRow row = workerOf.get(e.task());
            release(e.task());
            if (row != null) {
                row.failedAt = e.time();
            }
        } else if (event instanceof TeamEvent.PlanMade || event instanceof TeamEvent.PlanRejected
                || event instanceof TeamEvent.GoalMet) {
            release(GoalLoader.RESERVED_ID);
        } else if (event instanceof TeamEvent.TeamPaused e && e.account() == null && e.node() == null) {
            // One account's pause, or one node's, holds only its own launches: the team is not paused.
            pausedUntil = e.until();
        } else if (event instanceof TeamEvent.BudgetSpent) {
            budgetSpent = true;
        }
    }

    private WorkerRow assign(String name, WorkerState state, String task, int attempt, Instant time) {
        WorkerRow row = worker(name);
        workerOf.values().remove(row);
        row.start(state, task, attempt, time);
        workerOf.put(task, row);
        return row;
    }

    private void sawOutput(TeamEvent.AgentOutput output) {
        onTask(output.task()).filter(row -> row.attempt == output.attempt()).ifPresent(row -> {
            JsonNode json = treeWorthReading(output, row);
            AgentActivity.workingDirectory(json).ifPresent(cwd -> row.workingDirectory = cwd);
            for (AgentActivity.ToolCall call : AgentActivity.toolCalls(json)) {
                String target = AgentActivity.relative(call.target(), row.workingDirectory);
                row.lastTool = target.isEmpty() ? call.tool() : call.tool() + " " + target;
                if (call.edits() && !target.isEmpty()) {
                    row.files.add(target);
                }
            }
            if (row.state == WorkerState.RETRYING && "assistant".equals(json == null ? "" : json.path("type").asText())) {
                // The API answered again.
                row.state = WorkerState.WORKING;
                row.note = "";
            }
        });
    }

    /**
     * The line's tree when the board may learn from it. Most of an agent's lines come unparsed, and this runs on
     * the journal's writer thread: one is parsed only when it may show a tool call, or while its worker is
     * retrying (an answer ends that).
     */
    private static JsonNode treeWorthReading(TeamEvent.AgentOutput output, WorkerRow row) {
        if (output.line() != null || output.raw() == null) {
            return output.line();
        }
        boolean worthIt = row.state == WorkerState.RETRYING || output.raw().contains("\"tool_use\"")
                || output.raw().startsWith("{\"type\":\"item.");
        return worthIt ? output.json() : null;
    }

    private Optional<WorkerRow> onTask(String task) {
        return Optional.ofNullable(workerOf.get(task));
    }

    private void release(String task) {
        WorkerRow row = workerOf.remove(task);
        if (row != null) {
            row.idle();
        }
    }

    /**
     * A worker by name. A new one replaces a worker that died: the board drops the idle worker whose attempt
     * failed last (a dead worker's attempt fails), or else the idle one with the lowest number.
     */
    private WorkerRow worker(String name) {
        WorkerRow row = workers.computeIfAbsent(name, WorkerRow::new);
        if (history != null && workers.size() > history.started().teamSize()) {
            workers.values().stream()
                    .filter(w -> w != row && w.state == WorkerState.IDLE)
                    .max(Comparator.comparing((WorkerRow w) -> w.failedAt == null ? Instant.MIN : w.failedAt)
                            .thenComparing(BY_NUMBER.reversed()))
                    .ifPresent(idle -> workers.remove(idle.name));
        }
        return row;
    }

    /** Workers' names in the order of their numbers: worker-2 before worker-10. */
    public static final Comparator<String> WORKER_ORDER = Comparator
            .comparingLong((String name) -> {
                String digits = name.replaceAll("\\D", "");
                return digits.isEmpty() ? 0 : Long.parseLong(digits.substring(0, Math.min(18, digits.length())));
            })
            .thenComparing(name -> name);

    private static final Comparator<WorkerRow> BY_NUMBER = Comparator.comparing(WorkerRow::name, WORKER_ORDER);

    /** Whether the board has seen its run start. */
    public boolean started() {
        return history != null;
    }

    public RunHistory history() {
        return history;
    }

    /** The workers, by number. */
    public List<WorkerRow> workers() {
        return workers.values().stream().sorted(BY_NUMBER).toList();
    }

    /** The checks under way: a task's merge or a variant's trial each (the merger runs one at a time). */
    public List<TeamEvent.CheckStarted> checks() {
        return history.tasks().values().stream().flatMap(task -> task.checking().stream()).toList();
    }

    /** When this run (or this resume of it) started. */
    public Optional<Instant> startedAt() {
        return Optional.ofNullable(startedAt);
    }

    public Optional<Double> budgetUsd() {
        return budgetUsd;
    }

    public boolean budgetSpent() {
        return budgetSpent;
    }

    /** The end of a rate-limit pause still under way at {@code now}. */
    public Optional<Instant> pausedUntil(Instant now) {
        return Optional.ofNullable(pausedUntil).filter(now::isBefore);
    }

    /** Tasks merged, failed, skipped or cancelled. */
    public long settled() {
        return count(TaskLife.State.MERGED, TaskLife.State.FAILED, TaskLife.State.SKIPPED,
                TaskLife.State.CANCELLED);
    }

    public long count(TaskLife.State... states) {
        long n = 0;
        for (TaskLife.State state : states) {
            n += history.count(state);
        }
        return n;
    }

    /**
     * When the run should end, from the mean time of the attempts finished so far: the work left (the queued
     * tasks' whole mean, each running task's mean less what it has had) spread over the team, and never less
     * than the longest single piece of it. Empty until an attempt has finished, when nothing is left, or once the
     * budget is spent (queued tasks will not start).
     */
    public Optional<Duration> eta(Instant now) {
        if (finishedMs.isEmpty() || history == null || budgetSpent) {
            return Optional.empty();
        }
        double mean = finishedMs.stream().mapToLong(Long::longValue).average().orElse(0);
        long queued = count(TaskLife.State.WAITING, TaskLife.State.QUEUED);
        double left = mean * queued;
        double longest = queued > 0 ? mean : 0;
        for (WorkerRow row : workers.values()) {
            if (row.state != WorkerState.IDLE && row.since != null && row.state != WorkerState.WAITING_TO_MERGE) {
                double rest = Math.max(0, mean - Duration.between(row.since, now).toMillis());
                left += rest;
                longest = Math.max(longest, rest);
            }
        }
        if (left <= 0) {
            return Optional.empty();
        }
        double spread = left / Math.max(1, history.started().teamSize());
        return Optional.of(Duration.ofMillis((long) Math.ceil(Math.max(spread, longest))));
    }
}
