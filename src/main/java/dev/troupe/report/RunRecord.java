package dev.troupe.report;

import dev.troupe.journal.TaskLife;
import dev.troupe.goal.GoalLoader;
import dev.troupe.goal.TaskIds;
import dev.troupe.journal.RunHistory;
import dev.troupe.journal.TeamEvent;
import dev.troupe.team.rules.Assignment.Role;
import dev.troupe.view.TeamBoard;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * A run as its report tells it, from the journal's decisions: every agent run (writer, reviewer, planner) as a
 * span of time on a worker with its outcome, the merges, and each task's history. Agents' own output is not
 * needed here; the report reads it from their transcripts.
 */
public final class RunRecord {

    /** How an agent run ended, as the timeline colours it. */
    public enum Outcome {
        MERGED("merged"), DONE("done, not merged"), APPROVED("approved"), CHANGES_REQUESTED("changes requested"),
        CONFLICT("merge conflict"), FAILED("failed"), RATE_LIMITED("rate limited (not counted)"),
        PLANNED("plan accepted"), PLAN_REFUSED("plan refused"), UNFINISHED("cut short"), RUNNING("running"),
        PASSED("variant passed, not chosen"), JUDGED("variant chosen");

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
        private final String slug;
        private final int attempt;
        private final Role role;
        private final String worker;
        private final Instant start;
        private Instant end;
        private Outcome outcome;
        private String detail = "";
        /** What {@code troupe tell} said that this attempt's agent was given, and what it was told while it ran. */
        private final List<TeamEvent.TaskTold> told = new ArrayList<>();
        private final List<String> toldLater = new ArrayList<>();
        /** What it was told while it ran and took in then (a live agent), and how: during its turn or as one. */
        private final List<String> heardLive = new ArrayList<>();
        private final Map<String, TeamEvent.TaskTold> toldWhileRunning = new java.util.LinkedHashMap<>();
        private String resumed = "";
        /** The agent CLI and the model it was asked for (empty: the CLI's own), once its agent started. */
        private String cli = "claude";
        private String model = "";

        Span(String task, String slug, int attempt, Role role, String worker, Instant start) {
            this.task = task;
            this.slug = slug;
            this.attempt = attempt;
            this.role = role;
            this.worker = worker;
            this.start = start;
        }

        public String task() {
            return task;
        }

        /** The task's name in branch and file names (as the run made it; empty for the planner). */
        public String slug() {
            return slug;
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

        /** The messages of {@code troupe tell} its agent was given with its prompt. */
        public List<String> told() {
            return told.stream().map(TeamEvent.TaskTold::message).toList();
        }

        /** The messages of {@code troupe tell} that came while it ran, for the task's next attempt. */
        public List<String> toldLater() {
            return List.copyOf(toldLater);
        }

        /** The messages told while it ran that its agent took in then ({@code message-delivered}). */
        public List<String> heardLive() {
            return List.copyOf(heardLive);
        }

        /** The agent CLI that ran it: {@code claude}, {@code codex}, {@code gemini} or {@code opencode}. */
        public String cli() {
            return cli;
        }

        /** The model it was asked to use; empty when the CLI chose. */
        public String model() {
            return model;
        }

        /** The session of an earlier attempt it continued ({@code retry: resume}); empty for a fresh start. */
        public String resumed() {
            return resumed;
        }

        public Duration duration() {
            return Duration.between(start, end);
        }

        private void close(Instant time, Outcome outcome, String detail) {
            // Told while it ran and never taken in: only a later attempt hears it.
            toldWhileRunning.values().forEach(unheard -> toldLater.add(unheard.message()));
            toldWhileRunning.clear();
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
    private final Map<String, Span> open = new LinkedHashMap<>();
    private final Map<String, Span> lastDone = new LinkedHashMap<>();
    private final Set<String> conflicted = new HashSet<>();
    private final Map<String, List<TeamEvent.TaskTold>> told = new HashMap<>();
    /** The attempt each writer's session was made in. */
    private final Map<String, Integer> sessions = new HashMap<>();
    private final Function<Span, Optional<Instant>> lastOutput;
    private final Instant start;
    private Instant end;

    private RunRecord(RunHistory history, Function<Span, Optional<Instant>> lastOutput) {
        this.history = history;
        this.lastOutput = lastOutput;
        this.start = history.started().time();
        this.end = start;
    }

    /**
     * The record of a journal's decisions (its agent output lines may be left out).
     *
     * @param lastLine the time of the journal's last line, agent output included
     * @param lastOutput when an agent run last printed (its transcript's last write), to end the bar of one that
     *     the run's stop cut short
     * @param now for a live run: agents still working are running until now
     * @return empty when the events are no run
     */
    public static Optional<RunRecord> of(List<TeamEvent> events, Optional<Instant> lastLine,
            Function<Span, Optional<Instant>> lastOutput, Optional<Instant> now) {
        return RunHistory.of(events).map(history -> {
            RunRecord record = new RunRecord(history, lastOutput);
            events.forEach(record::apply);
            lastLine.filter(record.end::isBefore).ifPresent(time -> record.end = time);
            if (now.isPresent()) {
                record.end = now.get();
                record.open.values().forEach(span -> span.close(now.get(), Outcome.RUNNING, ""));
                record.open.clear();
            } else {
                record.cutShort(record.end);
            }
            return record;
        });
    }

    private void apply(TeamEvent event) {
        if (event instanceof TeamEvent.RunResumed) {
            // The agents under way died with the troupe that ran them.
            cutShort(event.time());
        }
        end = event.time();
        if (event instanceof TeamEvent.AgentStarted e) {
            // A variant's bar is kept by its attempt, any other by its task.
            Span running = open.getOrDefault(variantKey(e.task(), e.attempt()), open.get(e.task()));
            if (running != null) {
                running.cli = e.cliOrClaude();
                running.model = e.model() == null ? "" : e.model();
            }
        }
        if (event instanceof TeamEvent.PlanStarted e) {
            begin(new Span(GoalLoader.RESERVED_ID, "", e.attempt(), Role.PLANNER, e.worker(), e.time()));
        } else if (event instanceof TeamEvent.PlanMade e) {
            finish(GoalLoader.RESERVED_ID, e.time(), Outcome.PLANNED,
                    (e.round() > 1 ? "round " + e.round() + ": " : "") + e.tasks().size() + " tasks");
        } else if (event instanceof TeamEvent.GoalMet e) {
            finish(GoalLoader.RESERVED_ID, e.time(), Outcome.PLANNED, "the goal is met: " + e.summary());
        } else if (event instanceof TeamEvent.PlanRejected e) {
            finish(GoalLoader.RESERVED_ID, e.time(), Outcome.PLAN_REFUSED, e.problem());
        } else if (event instanceof TeamEvent.TaskAssigned e && e.branch().startsWith("troupe/variants/")) {
            // Variants of a task run side by side: each bar is its own.
            begin(variantKey(e.task(), e.attempt()), new Span(e.task(), slugOf(e.task()), e.attempt(), Role.WRITER,
                    e.worker(), e.time()));
        } else if (event instanceof TeamEvent.VariantDone e) {
            finish(variantKey(e.task(), e.attempt()), e.time(), e.passed() ? Outcome.PASSED
                    : e.outcome().equals("conflict") ? Outcome.CONFLICT : Outcome.FAILED, e.passed() ? e.result() : e.reason());
        } else if (event instanceof TeamEvent.JudgeStarted e) {
            begin(new Span(e.task(), slugOf(e.task()), e.attempt(), Role.JUDGE, e.worker(), e.time()));
        } else if (event instanceof TeamEvent.VariantChosen e) {
            finish(e.task(), e.time(), Outcome.JUDGED, e.reasons());
            spans.stream().filter(s -> s.task.equals(e.task()) && s.attempt == e.winner() && s.role == Role.WRITER
                    && s.outcome == Outcome.PASSED).reduce((first, second) -> second).ifPresent(winner -> {
                        winner.outcome = Outcome.DONE;
                        lastDone.put(e.task(), winner);
                    });
        } else if (event instanceof TeamEvent.TaskSucceeded e && lastDone.containsKey(e.task())
                && !open.containsKey(e.task())) {
            // A chosen variant's success: its bar ended at its variant-done.
        } else if (event instanceof TeamEvent.TaskAssigned e) {
            Span span = new Span(e.task(), slugOf(e.task()), e.attempt(), Role.WRITER, e.worker(), e.time());
            span.told.addAll(told.getOrDefault(e.task(), List.of()));
            begin(span);
        } else if (event instanceof TeamEvent.TaskTold e) {
            told.computeIfAbsent(e.task(), task -> new ArrayList<>()).add(e);
            Span running = open.get(e.task());
            if (running != null && running.role == Role.WRITER && e.id() != null) {
                running.toldWhileRunning.put(e.id(), e);
            } else if (running != null && running.role == Role.WRITER) {
                running.toldLater.add(e.message());
            }
        } else if (event instanceof TeamEvent.MessageDelivered e) {
            Span running = open.get(e.task());
            TeamEvent.TaskTold heard = running == null ? null : running.toldWhileRunning.remove(e.id());
            if (heard != null) {
                running.heardLive.add(heard.message());
            }
        } else if (event instanceof TeamEvent.AgentStarted e && e.role() == null) {
            sessions.put(e.sessionId(), e.attempt());
            Span running = open.get(e.task());
            if (running != null && e.resumed() != null) {
                running.resumed = e.resumed();
                // The session heard what was told before its own attempt began.
                int from = sessions.getOrDefault(e.resumed(), 0);
                running.told.removeIf(earlier -> earlier.attempts() < from);
            }
        } else if (event instanceof TeamEvent.TaskSucceeded e) {
            finish(e.task(), e.time(), Outcome.DONE, e.result()).ifPresent(span -> lastDone.put(e.task(), span));
        } else if (event instanceof TeamEvent.ReviewStarted e) {
            begin(new Span(e.task(), slugOf(e.task()), e.attempt(), Role.REVIEWER, e.worker(), e.time()));
        } else if (event instanceof TeamEvent.ReviewDone e) {
            finish(e.task(), e.time(), e.approved() ? Outcome.APPROVED : Outcome.CHANGES_REQUESTED, e.comments());
        } else if (event instanceof TeamEvent.MergeConflict e) {
            conflicted.add(e.task());
        } else if (event instanceof TeamEvent.MergeDone e) {
            merges.add(new Merge(e.task(), e.time(), e.mergeCommit()));
            Span done = lastDone.remove(e.task());
            if (done != null) {
                done.outcome = Outcome.MERGED;
            }
        } else if (event instanceof TeamEvent.AttemptFailed e) {
            // Not counted: a rate limit, or a stop of troupe (whose agents were cut short at the resume).
            Outcome outcome = e.counted() ? Outcome.FAILED : Outcome.RATE_LIMITED;
            Span done = lastDone.remove(e.task());
            if (done != null && e.counted() && !open.containsKey(e.task())) {
                // The agent had finished: its work failed at the merge (or its review failed it).
                done.outcome = conflicted.contains(e.task()) ? Outcome.CONFLICT : Outcome.FAILED;
                done.detail = e.reason();
            }
            finish(e.task(), e.time(), outcome, e.reason());
            conflicted.remove(e.task());
        }
    }

    /**
     * The task's name in branch and file names, as the run gave it ({@link TaskLife#slug}); for a task never
     * assigned, which has no files, its id made safe.
     */
    public String slugOf(String task) {
        TaskLife known = history.tasks().get(task);
        return known != null && known.slug().isPresent() ? known.slug().get() : TaskIds.slug(task);
    }

    private static String variantKey(String task, int attempt) {
        return task + "\u0000variant-" + attempt;
    }

    private void begin(Span span) {
        begin(span.task, span);
    }

    private void begin(String key, Span span) {
        Span earlier = open.put(key, span);
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

    /** Ends the open bars at their agent's last output, or at the last event before {@code time}. */
    private void cutShort(Instant time) {
        for (Span span : open.values()) {
            Instant last = lastOutput.apply(span).filter(t -> t.isAfter(end)).orElse(end);
            span.close(last.isAfter(time) ? time : last.isBefore(span.start) ? span.start : last, Outcome.UNFINISHED,
                    "the run stopped while it ran");
        }
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
