package dev.troupe.team.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.lib.ObjectId;

/**
 * One round of a task's variants: each variant of the goal's list run once from the same base, then tried against
 * the integration head, then judged. Plain data for {@link Variants}, which holds the rules.
 */
final class VariantRound {

    /** WAITING for a worker, RUNNING its agent, TRYING its merge and check; then PASSED or OUT. */
    enum Stage { WAITING, RUNNING, TRYING, PASSED, OUT }

    /** One variant: {@code k} of the goal's list (from 1); {@code attempt} its number in the run, once launched. */
    static final class Entry {
        final int k;
        int attempt;
        String worker = "";
        Stage stage = Stage.WAITING;
        AttemptResult result;
        String reason = "";
        /** What its agent spent when it left no result (it failed, or was cancelled). */
        double costUsd;
        dev.troupe.journal.Usage usage = dev.troupe.journal.Usage.NONE;

        Entry(int k) {
            this.k = k;
        }

        boolean isSettled() {
            return stage == Stage.PASSED || stage == Stage.OUT;
        }

        void spent(double cost, dev.troupe.journal.Usage tokens) {
            costUsd += cost;
            usage = usage.plus(tokens == null ? dev.troupe.journal.Usage.NONE : tokens);
        }
    }

    final ObjectId base;
    final String prompt;
    final List<Entry> entries = new ArrayList<>();
    /** The judge is to be launched (WAITING) or runs (RUNNING); null before the variants are all settled. */
    Stage judge;
    String judgeWorker;
    int judgeAttempt;
    /** What a judge the round's cancel stopped had spent (a judge that answers journals its own). */
    double judgeCostUsd;
    dev.troupe.journal.Usage judgeUsage = dev.troupe.journal.Usage.NONE;

    void judgeSpent(double cost, dev.troupe.journal.Usage usage) {
        judgeCostUsd += cost;
        judgeUsage = judgeUsage.plus(usage == null ? dev.troupe.journal.Usage.NONE : usage);
    }

    VariantRound(int count, ObjectId base, String prompt) {
        this.base = base;
        this.prompt = prompt;
        for (int k = 1; k <= count; k++) {
            entries.add(new Entry(k));
        }
    }

    /**
     * The round a stopped run left, from its journal: the variants it settled stay as they were (a passed one with
     * its commit, still on its branch); the others wait to run again from the round's base. Empty when none settled.
     */
    static Optional<VariantRound> fromJournal(int count, List<dev.troupe.journal.TeamEvent.VariantDone> settled,
            String prompt) {
        if (settled.isEmpty()) {
            return Optional.empty();
        }
        VariantRound round = new VariantRound(count, ObjectId.fromString(settled.get(0).base()), prompt);
        for (dev.troupe.journal.TeamEvent.VariantDone done : settled) {
            if (done.variant() < 1 || done.variant() > count) {
                continue;
            }
            Entry entry = round.entries.get(done.variant() - 1);
            entry.attempt = done.attempt();
            entry.worker = done.worker();
            entry.stage = done.passed() ? Stage.PASSED : Stage.OUT;
            entry.reason = done.reason();
            if (!done.commit().isEmpty()) {
                entry.result = new AttemptResult(done.branch(), ObjectId.fromString(done.commit()), 0,
                        dev.troupe.journal.Usage.NONE, 0, done.durationMs(), done.filesChanged(), List.of(),
                        done.result(), 0, Optional.empty());
            }
        }
        return Optional.of(round);
    }

    Optional<Entry> byAttempt(int attempt) {
        return entries.stream().filter(e -> e.attempt == attempt && e.stage != Stage.WAITING).findFirst();
    }

    Optional<Entry> byWorker(String worker) {
        return entries.stream().filter(e -> e.stage == Stage.RUNNING && e.worker.equals(worker)).findFirst();
    }

    Optional<Entry> nextWaiting() {
        return entries.stream().filter(e -> e.stage == Stage.WAITING).findFirst();
    }

    boolean allSettled() {
        return entries.stream().allMatch(Entry::isSettled);
    }

    List<Entry> passed() {
        return entries.stream().filter(e -> e.stage == Stage.PASSED).toList();
    }

    /** Whether a variant is launched already: the first takes the attempt a task's run counts. */
    boolean anyLaunched() {
        return entries.stream().anyMatch(e -> e.stage != Stage.WAITING || e.attempt > 0);
    }
}
