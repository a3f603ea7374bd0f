package dev.troupe.report;

import dev.troupe.goal.GoalLoader;
import dev.troupe.journal.RunHistory;
import dev.troupe.journal.TeamEvent;
import dev.troupe.view.TeamBoard;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A run as its report tells it, from the journal's decisions: every agent run (writer, reviewer, planner) as a
 * span of time on a worker with its outcome, the merges, and each task's history. Agents' own output is not
 * needed here; the report reads it from their transcripts.
 */
public final class RunRecord {

    /** Which agent a span is. */
    public enum Role { WRITER, REVIEWER, PLANNER }

    /** How an agent run ended, as the timeline colours it. */
    public enum Outcome {
        MERGED("merged"), DONE("done, not merged"), APPROVED("approved"), CHANGES_REQUESTED("changes requested"),
        CONFLICT("merge conflict"), FAILED("failed"), RATE_LIMITED("rate limited (not counted)"),
        PLANNED("plan accepted"), PLAN_REFUSED("plan refused"), UNFINISHED("cut short");

        private final String words;

        Outcome(String words) {
            this.words = words;
        }

        public String words() {
            return words;
        }
    }

    /** One agent run on one worker. {@code end} is the journal's last word when the run stopped under it. */
    public static final class Span {
        private final String task;
        private final int attempt;
        private final Role role;
        private final String worker;
        private final Instant start;
        private Instant end;
        private Outcome outcome;
        private String detail = "";

        Span(String task, int attempt, Role role, String worker, Instant start) {
            this.task = task;
            this.attempt = attempt;
            this.role = role;
            this.worker = worker;
            this.start = start;
        }

        public String task() {
            return task;
        }

        public int attempt() {
            return attempt;
        }

        public Role role() {
            return role;
        }

        public String worker() {
            return worker;
        }

        public Instant start() {
            return start;
        }

        public Instant end() {
            return end;
        }

        public Outcome outcome() {
            return outcome;
        }

        /** Why it failed, or what the reviewer said. */
        public String detail() {
            return detail;
        }

        public Duration duration() {
            return Duration.between(start, end);
        }

        private void close(Instant time, Outcome outcome, String detail) {
            this.end = time;
            this.outcome = outcome;
            this.detail = detail == null ? "" : detail;
        }
    }

    /** A task's branch merged into the integration branch. */
    public record Merge(String task, Instant time, String commit) {}

    private final RunHistory history;
    private final List<Span> spans = new ArrayList<>();
    private final List<Merge> merges = new ArrayList<>();
    private final Instant start;
    private Instant end;

    private RunRecord(RunHistory history) {
        this.history = history;
        this.start = history.started().time();
        this.end = start;
    }

    /** The record of the journal's events (agent output lines may be left out); empty when they are no run. */
    public static Optional<RunRecord> of(List<TeamEvent> events) {
        return RunHistory.of(events).map(history -> {
            RunRecord record = new RunRecord(history);
            events.forEach(record::apply);
            record.cutShort(record.end);
            return record;
        });
    }

    private final Map<String, Span> open = new LinkedHashMap<>();
    private final Map<String, Span> lastDone = new LinkedHashMap<>();
    private final Map<String, Boolean> conflicted = new LinkedHashMap<>();

    private void apply(TeamEvent event) {
        if (event instanceof TeamEvent.RunResumed) {
            // The agents under way died with the troupe that ran them.
            cutShort(end);
        }
        end = event.time();
        if (event instanceof TeamEvent.PlanStarted e) {
            begin(new Span(GoalLoader.RESERVED_ID, e.attempt(), Role.PLANNER, e.worker(), e.time()));
        } else if (event instanceof TeamEvent.PlanMade e) {
            finish(GoalLoader.RESERVED_ID, e.time(), Outcome.PLANNED, e.tasks().size() + " tasks");
        } else if (event instanceof TeamEvent.PlanRejected e) {
            finish(GoalLoader.RESERVED_ID, e.time(), Outcome.PLAN_REFUSED, e.problem());
        } else if (event instanceof TeamEvent.TaskAssigned e) {
            begin(new Span(e.task(), e.attempt(), Role.WRITER, e.worker(), e.time()));
        } else if (event instanceof TeamEvent.TaskSucceeded e) {
            finish(e.task(), e.time(), Outcome.DONE, e.result()).ifPresent(span -> lastDone.put(e.task(), span));
        } else if (event instanceof TeamEvent.ReviewStarted e) {
            begin(new Span(e.task(), e.attempt(), Role.REVIEWER, e.worker(), e.time()));
        } else if (event instanceof TeamEvent.ReviewDone e) {
            finish(e.task(), e.time(), e.approved() ? Outcome.APPROVED : Outcome.CHANGES_REQUESTED, e.comments());
        } else if (event instanceof TeamEvent.MergeConflict e) {
            conflicted.put(e.task(), true);
        } else if (event instanceof TeamEvent.MergeDone e) {
            merges.add(new Merge(e.task(), e.time(), e.mergeCommit()));
            Span done = lastDone.remove(e.task());
            if (done != null) {
                done.outcome = Outcome.MERGED;
            }
        } else if (event instanceof TeamEvent.AttemptFailed e) {
            Outcome outcome = !e.counted() ? Outcome.RATE_LIMITED : Outcome.FAILED;
            if (open.containsKey(e.task()) && open.get(e.task()).role == Role.WRITER) {
                finish(e.task(), e.time(), outcome, e.reason());
            } else {
                // The agent had finished: its work failed at review or at the merge.
                Span done = lastDone.remove(e.task());
                if (done != null && done.outcome == Outcome.DONE) {
                    done.outcome = conflicted.getOrDefault(e.task(), false) ? Outcome.CONFLICT : Outcome.FAILED;
                    done.detail = e.reason();
                }
                finish(e.task(), e.time(), outcome, e.reason());
            }
            conflicted.remove(e.task());
        }
    }

    private void begin(Span span) {
        Span earlier = open.put(span.task, span);
        if (earlier != null) {
            earlier.close(span.start, Outcome.UNFINISHED, "");
        }
        spans.add(span);
    }

    private Optional<Span> finish(String task, Instant time, Outcome outcome, String detail) {
        Span span = open.remove(task);
        if (span != null) {
            span.close(time, outcome, detail);
        }
        return Optional.ofNullable(span);
    }

    private void cutShort(Instant time) {
        open.values().forEach(span -> span.close(time, Outcome.UNFINISHED, "the run stopped while it ran"));
        open.clear();
    }

    public RunHistory history() {
        return history;
    }

    /** Every agent run, in the order they started. */
    public List<Span> spans() {
        return spans;
    }

    public List<Merge> merges() {
        return merges;
    }

    public Instant start() {
        return start;
    }

    /** The journal's last event. */
    public Instant end() {
        return end;
    }

    /** The workers that ran agents, by number. */
    public List<String> workers() {
        return spans.stream().map(Span::worker).distinct().sorted(TeamBoard.WORKER_ORDER).toList();
    }
}
