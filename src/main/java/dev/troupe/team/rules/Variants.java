package dev.troupe.team.rules;

import dev.troupe.goal.Goal;
import dev.troupe.journal.TaskLife;
import dev.troupe.journal.TeamEvent;
import dev.troupe.journal.Usage;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A task with {@code variants}: each variant runs on a worker of its own from the same base, one attempt of the task
 * for them all. A variant that fails, changes files outside a {@code reject} zone, conflicts with the integration head
 * or fails {@code sync.check} on the merge with it (tried by the merger without moving the branch) is out. Among the
 * rest the judge picks one: a read-only agent ({@code judge: agent}, unless one passed alone) or the first that
 * passed ({@code judge: check}). The winner goes on as a task's finished attempt (review, sync point, merge, once);
 * every variant stays on {@code troupe/variants/<run>/<task>/<n>}. With none passed, the attempt failed.
 */
final class Variants {

    private final RunContext run;
    private final TaskTable tasks;
    private final Roster roster;
    private final Pace pace;
    private final Accounts accounts;
    private final Budget budget;
    private final Retries retries;
    private final Decisions out;
    /** Carries the winner on as a finished attempt: its review, or its way to the merger. */
    private final java.util.function.BiConsumer<TaskState, Instant> chosen;
    /** Tasks with a variant or a judge to launch, in the order they asked. */
    private final Set<String> waiting = new LinkedHashSet<>();
    /** When the pause of an account that holds a variant or judge back ends; null if none does. */
    private Instant paused;

    Variants(RunContext run, TaskTable tasks, Roster roster, Pace pace, Accounts accounts, Budget budget,
            Retries retries, Decisions out, java.util.function.BiConsumer<TaskState, Instant> chosen) {
        this.chosen = chosen;
        this.accounts = accounts;
        this.run = run;
        this.tasks = tasks;
        this.roster = roster;
        this.pace = pace;
        this.budget = budget;
        this.retries = retries;
        this.out = out;
    }

    /** A new round from {@code task.attemptBase()}: its variants wait for workers ({@link #launchWaiting}). */
    void start(TaskState task, String prompt) {
        task.round(new VariantRound(task.spec().variants().count(), task.attemptBase(), prompt));
        waiting.add(task.id());
    }

    /** When the pause of an account that held a variant or a judge back in the last {@link #launchWaiting} ends. */
    Instant paused() {
        return paused;
    }

    /**
     * Takes over a round a stopped run left: its settled variants stay, the others run again (a round all of whose
     * variants settled goes to its judge, or to its winner, at once).
     */
    void resume(TaskState task, VariantRound round, Instant now) {
        task.attemptBase(round.base);
        task.round(round);
        waiting.add(task.id());
        roundOver(task, now);
    }

    /**
     * Launches waiting variants and judges on idle workers, a variant preferably on one that has not run another of
     * its round; like reviews, they go on while the team is stopped, since they end attempts under way.
     *
     * @return when to try again, if the stagger holds a launch back
     */
    Instant launchWaiting(Instant now) {
        Iterator<String> ids = waiting.iterator();
        paused = null;
        while (ids.hasNext() && (roster.hasIdle() || roster.hasRoom())) {
            TaskState task = tasks.get(ids.next());
            VariantRound round = task.round();
            if (round == null || task.isSettled() || task.cancelling() || (round.judge != VariantRound.Stage.WAITING
                    && round.nextWaiting().isEmpty())) {
                ids.remove();
                continue;
            }
            if (now.isBefore(pace.nextLaunchAllowed())) {
                return pace.nextLaunchAllowed();
            }
            boolean judging = round.judge == VariantRound.Stage.WAITING;
            Optional<Goal.TaskSpec> spec = judging
                    ? Optional.of(task.spec()).filter(judged -> !accounts.holdsBack(judged, now))
                    : accounts.startable(asVariant(task, round.nextWaiting().get().k), null, now);
            if (spec.isEmpty()) {
                // Its account is paused or full: launched when the pause ends or one of its agents is done.
                paused = Pace.earlier(paused, accounts.nextChange(now));
                continue;
            }
            // Preferably a worker that has not run a variant of the task; a new one while the team has room. A judge
            // compares commits only this machine's repository holds: never on a node of a cluster.
            java.util.function.Predicate<String> open = accounts.openFor(spec.get(), now);
            String worker = judging ? roster.idleLocal().filter(local -> open.test(Roster.HERE)).orElse(null)
                    : roster.workerFor(task, open);
            if (worker == null && (!roster.hasRoom() || !open.test(Roster.HERE))) {
                paused = Pace.earlier(paused, accounts.nextChange(now));
                continue;
            }
            if (worker == null) {
                worker = roster.spawn();
            }
            if (judging) {
                judge(task, worker, now);
            } else {
                launch(task, round.nextWaiting().get(), spec.get(), worker, now);
            }
            accounts.launched(worker, spec.get());
            pace.launched(now);
            ids = waiting.iterator();
        }
        return null;
    }

    private void launch(TaskState task, VariantRound.Entry entry, Goal.TaskSpec spec, String worker, Instant now) {
        entry.attempt = task.attempts() + 1;
        entry.worker = worker;
        entry.stage = VariantRound.Stage.RUNNING;
        task.triedOn(worker);
        roster.take(worker, task.id());
        String branch = run.variantBranch(task.spec(), entry.attempt);
        out.assignOnceJournaled(worker, new Assignment(spec, entry.attempt, branch, task.round().base,
                task.round().prompt),
                new TeamEvent.TaskAssigned(now, task.id(), entry.attempt, worker, branch, task.round().base.name(),
                        accounts.agentOf(spec)));
    }

    /** The task as variant {@code k} does it: its model, and its suffix after the task's or the agent's own. */
    private Goal.TaskSpec asVariant(TaskState task, int k) {
        return task.spec().asVariant(k, run.goal().agent().appendSystemPrompt());
    }

    /** A variant's agent finished: its change is tried against the integration head, unless its zone rules it out. */
    void written(TaskState task, int attempt, AttemptResult result, Instant now) {
        VariantRound.Entry entry = task.round().byAttempt(attempt).orElseThrow();
        entry.result = result;
        budget.spend(result.costUsd(), now);
        if (!result.outsideZone().isEmpty()) {
            boolean reject = run.goal().sync().zonePolicy() == Goal.ZonePolicy.REJECT;
            out.journal(new TeamEvent.ZoneViolation(now, task.id(), attempt, result.outsideZone(), reject));
            if (reject) {
                out(task, entry, "zone", "it changed files outside its zone: " + String.join(", ", result.outsideZone()),
                        now);
                return;
            }
        }
        entry.stage = VariantRound.Stage.TRYING;
        out.add(new Decision.TryMerge(task.id(), attempt, result.commit(), "troupe: try variant " + attempt + " of "
                + task.id() + "\n\nTroupe-Run: " + run.runId() + "\n"));
    }

    /** A variant's agent failed (or its worker was lost): it is out of the round. */
    void failed(TaskState task, int attempt, String reason, double cost, Usage usage, Instant now) {
        budget.spend(cost, now);
        task.round().byAttempt(attempt).ifPresent(entry -> {
            entry.spent(cost, usage);
            out(task, entry, "failed", reason, now);
        });
    }

    /**
     * The worker set up for a variant could not be, or its agent ended for no fault of its own ({@code cost} and
     * {@code usage} spent, which its variant-done will carry): the variant waits for another, its launch not counted.
     */
    void notStarted(TaskState task, int attempt, double cost, Usage usage) {
        task.round().byAttempt(attempt).ifPresent(entry -> {
            entry.spent(cost, usage);
            // Relaunched under a new number, counted as one more variant of the round: the attempts stay one.
            entry.stage = VariantRound.Stage.WAITING;
            entry.worker = "";
            waiting.add(task.id());
        });
    }

    /** A variant or the judge of the task runs: a cancel waits for them. */
    boolean anyRunning(TaskState task) {
        return task.round() != null && (task.round().judge == VariantRound.Stage.RUNNING
                || task.round().entries.stream().anyMatch(e -> e.stage == VariantRound.Stage.RUNNING));
    }

    /** {@code troupe cancel} stopped this variant (its work stays on its branch) or the judge: nothing is chosen. */
    void cancelledPart(TaskState task, int attempt, Assignment.Role role, double cost, Usage usage, Instant now) {
        budget.spend(cost, now);
        if (role == Assignment.Role.JUDGE) {
            task.round().judge = VariantRound.Stage.OUT;
            task.round().judgeSpent(cost, usage);
        } else {
            task.round().byAttempt(attempt).ifPresent(entry -> {
                entry.spent(cost, usage);
                out(task, entry, "cancelled", "cancelled with troupe cancel", now);
            });
        }
    }

    /** The worker that ran the task's variant or judge is gone: what it ran ends as a failure. */
    void workerLost(TaskState task, String worker, Instant now) {
        if (task.round().judge == VariantRound.Stage.RUNNING && worker.equals(task.round().judgeWorker)) {
            judgeFailed(task, "its worker stopped unexpectedly", 0, Usage.NONE, now);
        } else {
            task.round().byWorker(worker).ifPresent(entry -> out(task, entry, "failed", "its worker stopped unexpectedly",
                    now));
        }
    }

    /**
     * The merger tried the variant: {@code problem} is empty when it merges and passes the check; otherwise
     * {@code outcome} ({@code conflict}, {@code check-failed}) and the problem say why it is out.
     */
    void tried(TaskState task, int attempt, String outcome, Optional<String> problem, Instant now) {
        if (task.round() == null || task.isSettled()) {
            return;
        }
        VariantRound.Entry entry = task.round().byAttempt(attempt).orElse(null);
        if (entry == null || entry.stage != VariantRound.Stage.TRYING) {
            return;
        }
        if (problem.isPresent()) {
            out(task, entry, outcome, problem.get(), now);
            return;
        }
        entry.stage = VariantRound.Stage.PASSED;
        journalDone(task, entry, "passed", now);
        roundOver(task, now);
    }

    private void out(TaskState task, VariantRound.Entry entry, String outcome, String reason, Instant now) {
        entry.stage = VariantRound.Stage.OUT;
        entry.reason = reason;
        if (entry.attempt > 0) {
            journalDone(task, entry, outcome, now);
        }
        roundOver(task, now);
    }

    private void journalDone(TaskState task, VariantRound.Entry entry, String outcome, Instant now) {
        AttemptResult result = entry.result;
        boolean passed = entry.stage == VariantRound.Stage.PASSED;
        out.journal(new TeamEvent.VariantDone(now, task.id(), entry.attempt, entry.k, entry.worker,
                run.variantBranch(task.spec(), entry.attempt), result == null ? "" : result.commit().name(),
                task.round().base.name(), passed, outcome, entry.reason,
                entry.costUsd + (result == null ? 0 : result.costUsd()),
                entry.usage.plus(result == null ? Usage.NONE : result.usage()),
                result == null ? 0 : result.durationMs(), result == null ? List.of() : result.filesChanged(),
                result == null ? "" : result.text()));
    }

    /** Once every variant is settled: the winner, the judge, or a failed attempt. */
    private void roundOver(TaskState task, Instant now) {
        VariantRound round = task.round();
        if (!round.allSettled() || task.cancelling()) {
            return;
        }
        List<VariantRound.Entry> passed = round.passed();
        if (passed.isEmpty()) {
            task.round(null);
            String why = round.entries.stream().map(e -> (e.attempt > 0 ? "variant " + e.attempt : "a variant")
                    + ": " + e.reason)
                    .collect(Collectors.joining("; "));
            retries.retryOrFail(task, "no variant passed (" + why + ")", 0, Usage.NONE, true, now);
        } else if (passed.size() == 1) {
            choose(task, passed.get(0), "only", "the only variant that passed", 0, Usage.NONE, now);
        } else if (task.spec().variants().judge() == Goal.Judge.CHECK) {
            choose(task, passed.get(0), "check", "the first variant that passed (judge: check)", 0, Usage.NONE, now);
        } else if (budget.isSpent()) {
            choose(task, passed.get(0), "check", "the first variant that passed: the budget is spent, so no judge"
                    + " was asked", 0, Usage.NONE, now);
        } else {
            round.judge = VariantRound.Stage.WAITING;
            round.judgeAttempt = round.entries.stream().mapToInt(e -> e.attempt).max().orElse(task.attempts());
            waiting.add(task.id());
        }
    }

    private void judge(TaskState task, String worker, Instant now) {
        VariantRound round = task.round();
        round.judge = VariantRound.Stage.RUNNING;
        round.judgeWorker = worker;
        roster.take(worker, task.id());
        TreeMap<Integer, org.eclipse.jgit.lib.ObjectId> commits = new TreeMap<>();
        List<Judging.Candidate> candidates = round.passed().stream().map(e -> {
            commits.put(e.attempt, e.result.commit());
            return new Judging.Candidate(e.attempt, e.k, asVariant(task, e.k), e.result);
        }).toList();
        out.journal(new TeamEvent.JudgeStarted(now, task.id(), round.judgeAttempt, worker, List.copyOf(commits.keySet())));
        out.add(new Decision.Assign(worker, new Assignment(task.spec().readOnly(), round.judgeAttempt, "", round.base,
                Judging.prompt(task.spec(), candidates), Assignment.Role.JUDGE, Optional.of(round.base), commits)));
    }

    void judged(TaskState task, AttemptResult answer, Instant now) {
        Judging.Choice choice = Judging.choice(answer.answer().orElseThrow());
        Optional<VariantRound.Entry> winner = task.round().passed().stream().filter(e -> e.attempt == choice.winner())
                .findFirst();
        if (winner.isEmpty()) {
            judgeFailed(task, "it named variant " + choice.winner() + ", which did not pass", answer.costUsd(),
                    answer.usage(), now);
            return;
        }
        budget.spend(answer.costUsd(), now);
        choose(task, winner.get(), "agent", choice.reasons(), answer.costUsd(), answer.usage(), now);
    }

    /** A judge without a verdict does not waste the round: the first variant that passed wins. */
    void judgeFailed(TaskState task, String reason, double cost, Usage usage, Instant now) {
        budget.spend(cost, now);
        choose(task, task.round().passed().get(0), "check", "the judge gave no verdict (" + reason
                + "), so the first variant that passed is taken", cost, usage, now);
    }

    /**
     * The winner is the task's finished attempt: journaled as its success (its cost is in its variant-done), kept on
     * the task branch too, and handed on as any writer's work.
     */
    private void choose(TaskState task, VariantRound.Entry winner, String by, String reasons, double judgeCost,
            Usage judgeUsage, Instant now) {
        List<Integer> candidates = task.round().passed().stream().map(e -> e.attempt).toList();
        task.round(null);
        out.journal(new TeamEvent.VariantChosen(now, task.id(), winner.attempt, by, reasons, candidates, judgeCost,
                judgeUsage));
        AttemptResult result = winner.result;
        out.add(new Decision.Keep(result.commit(), run.taskBranch(task.spec())));
        out.journal(new TeamEvent.TaskSucceeded(now, task.id(), winner.attempt, result.branch(), result.commit().name(),
                0, Usage.NONE, result.turns(), result.durationMs(), result.filesChanged(), result.text(),
                result.permissionDenials()));
        task.pending(result, winner.attempt, winner.worker);
        task.resultFile(run.resultFile(new Assignment(task.spec(), winner.attempt, result.branch(), task.attemptBase(), "")));
        chosen.accept(task, now);
    }

    /** With the budget spent or the run halted, variants not started will not be. */
    void dropWaiting(String reason, Instant now) {
        for (String id : List.copyOf(waiting)) {
            TaskState task = tasks.get(id);
            if (task.round() != null && !task.isSettled()) {
                task.round().entries.stream().filter(e -> e.stage == VariantRound.Stage.WAITING).toList()
                        .forEach(entry -> out(task, entry, "failed", "not started: " + reason, now));
            }
        }
    }
}
