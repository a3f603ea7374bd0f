package dev.troupe.team;

import dev.troupe.goal.Goal;
import dev.troupe.journal.Usage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.eclipse.jgit.lib.ObjectId;

/** One task of a run as the lead sees it: where it stands, its attempts and spend, and its finished work. */
final class TaskState {

    /** REVIEWING: its change is with a reviewer. HELD: done, waiting for the next sync point ({@code sync.merge: end}). */
    enum Status { WAITING, QUEUED, RUNNING, REVIEWING, HELD, MERGING, MERGED, FAILED, SKIPPED, CANCELLED }

    /** A message of {@code troupe tell}, told when {@code attempts} attempts had started. */
    record Told(String message, int attempts) {}

    final Goal.TaskSpec spec;
    /** What {@code troupe tell} said, in order: every fresh attempt gets all of it, a resumed one what is new to it. */
    final List<Told> told = new ArrayList<>();
    Status status = Status.WAITING;
    /** {@code troupe cancel} asked for it while an attempt was under way: that attempt's end cancels it. */
    boolean cancelling;
    /** Attempts started. */
    int attempts;
    /** Attempts that ended on a rate limit and were not counted against the limit. */
    int freeAttempts;
    /** Variants launched beyond the first of their round: they share one attempt of {@code limits.attempts}. */
    int variantExtras;
    /** The report of the variant chosen as its change, when it had variants (else {@code results/<task>.md}). */
    java.nio.file.Path resultFile;
    /** The round of variants under way, or null. */
    VariantRound round;
    /** The workers (by name) that have tried it. */
    final Set<String> triedBy = new HashSet<>();
    Instant notBefore = Instant.MIN;
    /** What the last successful attempt reported, changed and took (restored from the journal on resume). */
    String resultText = "";
    List<String> filesChanged = List.of();
    long durationMs;
    double costUsd;
    Usage usage = Usage.NONE;
    ObjectId mergeCommit;
    String reason = "";
    /** The integration head the current attempt started from. */
    ObjectId attemptBase;
    /** The finished attempt on its way to the integration branch (through review, a sync point, the merger). */
    AttemptResult pending;
    int pendingAttempt;
    /** The worker whose worktree holds the pending change (null if unknown): its reviewer starts there when it is free. */
    String writtenOn;
    /** The Claude Code session of the last attempt that finished its work (null if none or unknown), and its attempt. */
    AgentSession session;
    int sessionAttempt;
    /** The next attempt continues {@link #session} on {@link #writtenOn} ({@code retry: resume}). */
    boolean continueSession;

    TaskState(Goal.TaskSpec spec) {
        this.spec = spec;
    }

    String id() {
        return spec.id();
    }

    int countedAttempts() {
        return attempts - freeAttempts - variantExtras;
    }

    void spent(double cost, Usage tokens) {
        costUsd += cost;
        usage = usage.plus(tokens);
    }

    /** An attempt of it is under way, or its finished work is on its way to the integration branch. */
    boolean isInFlight() {
        return status == Status.RUNNING || status == Status.REVIEWING || status == Status.HELD
                || status == Status.MERGING;
    }

    boolean isSettled() {
        return status == Status.MERGED || status == Status.FAILED || status == Status.SKIPPED
                || status == Status.CANCELLED;
    }

    /** Started and not merged yet: its change may still touch its zone's files. */
    boolean hasWorkInFlight() {
        return status == Status.RUNNING || status == Status.REVIEWING || status == Status.HELD || status == Status.MERGING;
    }
}
