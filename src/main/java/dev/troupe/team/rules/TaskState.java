package dev.troupe.team.rules;

import dev.troupe.goal.Goal;
import dev.troupe.journal.TaskLife;
import dev.troupe.journal.TeamEvent;
import dev.troupe.journal.Usage;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.eclipse.jgit.lib.ObjectId;

/**
 * One task of a run as the rules see it: its {@link TaskLife} (where it stands, its attempts, spend and finished
 * work, moved only by the events the rules journal) and what only the live run knows (the finished attempt on its
 * way in, the round of variants under way, the session to continue, its backoff).
 */
final class TaskState {

    private final Goal.TaskSpec spec;
    private final TaskLife life;
    /** {@code troupe cancel} asked for it while an attempt was under way: that attempt's end cancels it. */
    private boolean cancelling;
    /** Variants relaunched for free (a rate limit, a node's fault) in this process: the journal does not tell them. */
    private int freeRelaunches;
    /** The report of the variant chosen as its change, when it had variants (else {@code results/<task>.md}). */
    private Path resultFile;
    /** The round of variants under way, or null. */
    private VariantRound round;
    /** The workers (by name) that have tried it: the shared empty set until one has (a run keeps every task's). */
    private Set<String> triedBy = Set.of();
    private Instant notBefore = Instant.MIN;
    /** The integration head the current attempt started from. */
    private ObjectId attemptBase;
    /** The finished attempt on its way to the integration branch (through review, a sync point, the merger). */
    private AttemptResult pending;
    private int pendingAttempt;
    /** The worker whose worktree holds the pending change (null if unknown): its reviewer starts there when it is free. */
    private String writtenOn;
    /** The Claude Code session of the last attempt that finished its work (null if none or unknown), and its attempt. */
    private AgentSession session;
    private int sessionAttempt;
    /** The next attempt continues {@link #session} on {@link #writtenOn} ({@code retry: resume}). */
    private boolean continueSession;

    /** @param life the task's life so far: a new one, or the one a stopped run's journal replayed */
    TaskState(Goal.TaskSpec spec, TaskLife life) {
        this.spec = spec;
        this.life = life;
    }

    Goal.TaskSpec spec() {
        return spec;
    }

    String id() {
        return spec.id();
    }

    /** Moves the task by an event the rules journal (or the journal of a stopped run). */
    void apply(TeamEvent event) {
        life.apply(event);
    }

    TaskLife life() {
        return life;
    }

    TaskLife.State status() {
        return life.state();
    }

    /** Agent runs started for it: the number of the last one. */
    int attempts() {
        return life.attempts();
    }

    /** Tries that count against {@code limits.attempts} (a round of variants is one). */
    int countedAttempts() {
        return life.countedTries();
    }

    /** Attempts that were free so far: rate limits and nodes' faults, against their allowance. */
    int freeAttempts() {
        return life.uncountedAttempts() + freeRelaunches;
    }

    void relaunchedFree() {
        freeRelaunches++;
    }

    String reason() {
        return life.reason();
    }

    List<TeamEvent.TaskTold> told() {
        return life.told();
    }

    /** The attempt whose agent heard message {@code id} live, if one did. */
    java.util.Optional<Integer> heardLiveIn(String id) {
        return life.heardLiveIn(id);
    }

    String resultText() {
        return life.resultText();
    }

    List<String> filesChanged() {
        return life.filesChanged();
    }

    long durationMs() {
        return life.durationMs();
    }

    double costUsd() {
        return life.costUsd();
    }

    Usage usage() {
        return life.usage();
    }

    /** The commit that merged it, or null. */
    ObjectId mergeCommit() {
        return life.mergeCommit().isEmpty() ? null : ObjectId.fromString(life.mergeCommit());
    }

    /**
     * An attempt of it is under way, or its finished work is on its way to the integration branch: its change may
     * still touch its zone's files.
     */
    boolean isInFlight() {
        return life.state().attemptUnderWay();
    }

    boolean isSettled() {
        return life.state().isSettled();
    }

    boolean cancelling() {
        return cancelling;
    }

    void cancelling(boolean asked) {
        cancelling = asked;
    }

    Path resultFile() {
        return resultFile;
    }

    void resultFile(Path file) {
        resultFile = file;
    }

    VariantRound round() {
        return round;
    }

    void round(VariantRound under) {
        round = under;
    }

    boolean triedBy(String worker) {
        return worker != null && triedBy.contains(worker);
    }

    boolean triedByAnyone() {
        return !triedBy.isEmpty();
    }

    void triedOn(String worker) {
        if (!(triedBy instanceof HashSet)) {
            triedBy = new HashSet<>(triedBy);
        }
        triedBy.add(worker);
    }

    Instant notBefore() {
        return notBefore;
    }

    void notBefore(Instant when) {
        notBefore = when;
    }

    ObjectId attemptBase() {
        return attemptBase;
    }

    void attemptBase(ObjectId base) {
        attemptBase = base;
    }

    AttemptResult pending() {
        return pending;
    }

    int pendingAttempt() {
        return pendingAttempt;
    }

    /** The finished {@code attempt}, written on {@code worker} (null if unknown), is on its way in. */
    void pending(AttemptResult result, int attempt, String worker) {
        pending = result;
        pendingAttempt = attempt;
        writtenOn = worker;
    }

    String writtenOn() {
        return writtenOn;
    }

    void writtenOn(String worker) {
        writtenOn = worker;
    }

    AgentSession session() {
        return session;
    }

    int sessionAttempt() {
        return sessionAttempt;
    }

    /** The agent session of {@code attempt} (null if none), on {@code worker}. */
    void session(AgentSession finished, int attempt, String worker) {
        session = finished;
        sessionAttempt = attempt;
        writtenOn = worker;
    }

    boolean continueSession() {
        return continueSession;
    }

    /** Whether the next attempt continues {@link #session()} on {@link #writtenOn()}. */
    void continueSession(boolean resume) {
        continueSession = resume;
    }

    /**
     * It merged: its finished attempt is in and no attempt of it runs again, so that attempt's result (the agent's
     * report, its files, its session to continue) is let go; a run of 10,000 tasks kept every one to its end.
     */
    void mergedIn() {
        pending = null;
        session = null;
    }

    /** An attempt started: the session it continued, if any, is its own now. */
    void sessionTaken() {
        continueSession = false;
        session = null;
    }
}
