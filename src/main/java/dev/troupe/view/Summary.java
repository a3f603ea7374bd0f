package dev.troupe.view;

import dev.troupe.goal.Durations;
import dev.troupe.journal.Money;
import dev.troupe.journal.RunOutcome;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/** The final report of a run: every task's fate and the way to look at and land the result. */
public final class Summary {

    private Summary() {}

    public static void print(RunOutcome outcome, Path repo, Path runDir, PrintStream out) {
        if (outcome.planFailure().isPresent()) {
            out.printf(Locale.ROOT, "%nRun %s: the planner gave no usable plan, so no task ran: %s%n", outcome.runId(),
                    outcome.planFailure().get());
            out.printf(Locale.ROOT, "  Its answers and output: %s%n  Journal:     %s%n", runDir.resolve("planner"),
                    runDir.resolve("events.jsonl"));
            return;
        }
        if (outcome.setupFailure().isPresent()) {
            out.printf(Locale.ROOT, "%nRun %s stopped early: %s%n  Setup logs:  %s%n", outcome.runId(),
                    outcome.setupFailure().get(), runDir.resolve("setup"));
        }
        if (outcome.planOnly()) {
            out.printf(Locale.ROOT, "%nRun %s: planned, nothing run (--plan-only). Spent %s.%n", outcome.runId(),
                    Money.format(outcome.costUsd()));
            return;
        }
        long merged = outcome.count(RunOutcome.Fate.MERGED);
        long failed = outcome.count(RunOutcome.Fate.FAILED);
        long skipped = outcome.count(RunOutcome.Fate.SKIPPED);
        out.printf(Locale.ROOT, "%nRun %s: %d of %d tasks merged into %s", outcome.runId(), merged,
                outcome.tasks().size(), outcome.integrationBranch());
        if (failed > 0) {
            out.printf(Locale.ROOT, ", %d failed", failed);
        }
        if (skipped > 0) {
            out.printf(Locale.ROOT, ", %d skipped", skipped);
        }
        if (outcome.count(RunOutcome.Fate.CANCELLED) > 0) {
            out.printf(Locale.ROOT, ", %d cancelled", outcome.count(RunOutcome.Fate.CANCELLED));
        }
        out.printf(Locale.ROOT, ". Spent %s, %d tokens.%n", Money.format(outcome.costUsd()), outcome.usage().total());
        if (outcome.budgetSpent()) {
            out.printf(Locale.ROOT, "The budget (limits.budget-usd) was spent, so the run stopped starting attempts.%n");
        }
        outcome.goalMet().ifPresent(summary -> out.printf(Locale.ROOT, "The planner says the goal is met%s%n",
                summary.isBlank() ? "." : ": " + summary.strip()));
        if (!outcome.stopped() && outcome.exitCode() == 130) {
            out.printf(Locale.ROOT, "Stopped by troupe stop between two rounds; the planner plans the next with: troupe"
                    + " resume -C %s %s%n", repo, outcome.runId());
        }
        if (outcome.stopped()) {
            out.printf(Locale.ROOT, "Stopped by troupe stop with %d %s not run; finish the run with: troupe resume -C %s %s%n",
                    outcome.count(RunOutcome.Fate.LEFT), outcome.count(RunOutcome.Fate.LEFT) == 1 ? "task" : "tasks",
                    repo, outcome.runId());
        }
        out.println();

        int idWidth = Math.max(4, outcome.tasks().stream().mapToInt(t -> t.id().length()).max().orElse(4));
        // Which agent each task ran with, when the run did not run Claude Code alone.
        boolean mixed = outcome.tasks().stream().flatMap(t -> t.agents().stream()).anyMatch(a -> !a.startsWith("claude"))
                || outcome.tasks().stream().flatMap(t -> t.agents().stream()).anyMatch(a -> a.contains("@"));
        int agentWidth = outcome.tasks().stream().mapToInt(t -> agents(t).length()).max().orElse(5);
        String agentColumn = mixed ? "%-" + Math.max(5, agentWidth) + "s  " : "%s";
        String row = "  %-" + idWidth + "s  %-9s  %8s  %7s  %9s  %8s  " + agentColumn + "%-7s  %s%n";
        out.printf(Locale.ROOT, row, "TASK", "FATE", "ATTEMPTS", "TIME", "COST", "TOKENS", mixed ? "AGENT" : "", "MERGE",
                "NOTE");
        for (RunOutcome.TaskOutcome task : outcome.tasks()) {
            boolean ran = task.attempts() > 0;
            out.printf(Locale.ROOT, row, task.id(), task.fate().name().toLowerCase(Locale.ROOT), task.attempts(),
                    task.durationMs() > 0 ? Durations.format(Duration.ofMillis(task.durationMs())) : "-",
                    ran ? Money.format(task.costUsd()) : "-", ran ? Long.toString(task.usage().total()) : "-",
                    mixed ? agents(task) : "", task.mergeCommit().isEmpty() ? "-" : task.mergeCommit().substring(0, 7),
                    task.fate() == RunOutcome.Fate.MERGED ? files(task.filesChanged().size())
                            : ConsoleView.firstLine(task.reason(), ConsoleView.REASON_CHARS));
        }
        out.println();
        out.printf("  Look at it:  git -C %s log --oneline --graph %s%n", repo, outcome.integrationBranch());
        if (merged > 0) {
            out.printf("  Land it:     git -C %s merge %s%n", repo, outcome.integrationBranch());
        }
        if (failed > 0) {
            String first = outcome.tasks().stream().filter(t -> t.fate() == RunOutcome.Fate.FAILED).findFirst()
                    .orElseThrow().id();
            out.printf("  Failures:    see why with: troupe results -C %s %s --task '%s' --tail 50%n", repo,
                    outcome.runId(), first.replace("'", "'\\''"));
            out.printf("               each agent's output is in %s%n", runDir.resolve("agents"));
        }
        out.printf("  Report:      troupe report -C %s %s  (timeline, transcripts, cost per task)%n", repo, outcome.runId());
        out.printf("  Journal:     %s%n", runDir.resolve("events.jsonl"));
    }

    static String files(int count) {
        return count + (count == 1 ? " file" : " files") + " changed";
    }

    /** The agents a task's attempts ran with, "-" when none ran. */
    private static String agents(RunOutcome.TaskOutcome task) {
        return task.agents().isEmpty() ? "-" : String.join(", ", task.agents());
    }
}
