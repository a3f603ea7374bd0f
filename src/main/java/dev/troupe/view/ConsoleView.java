package dev.troupe.view;

import dev.troupe.goal.Durations;
import dev.troupe.journal.Journal;
import dev.troupe.journal.Money;
import dev.troupe.journal.TeamEvent;
import java.io.PrintStream;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * What a person sees while a run goes: one timestamped line per team decision (agent output stays in the
 * journal), or with {@code --json} every event as one JSON object a line.
 */
public final class ConsoleView implements Journal.Listener {

    /** The time of day, as every console line and the status block show it. */
    static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    private final PrintStream out;
    private final boolean json;

    private ConsoleView(PrintStream out, boolean json) {
        this.out = out;
        this.json = json;
    }

    /** Nothing while the run goes ({@code --quiet}: the summary is all). */
    public static ConsoleView silent() {
        return new ConsoleView(null, false);
    }

    /** Decisions as plain lines (for stderr, so stdout keeps only results). */
    public static ConsoleView lines(PrintStream out) {
        return new ConsoleView(out, false);
    }

    /** Every event as JSON Lines. */
    public static ConsoleView jsonLines(PrintStream out) {
        return new ConsoleView(out, true);
    }

    @Override
    public void written(TeamEvent event, String jsonLine) {
        if (out == null) {
            return;
        }
        if (json) {
            // The journal's own line: written once, shown as it is.
            out.println(jsonLine);
            return;
        }
        String line = timestamped(event);
        if (line != null) {
            out.println(line);
        }
    }

    /** The event as a console line, its time first, safe for a terminal; null for what the console does not tell. */
    static String timestamped(TeamEvent event) {
        String line = describe(event);
        return line == null ? null : CLOCK.format(event.time()) + "  " + Terminal.printable(line);
    }

    private static String planning(int round) {
        return round > 1 ? "planning round " + round + ": " : "planning: ";
    }

    static String describe(TeamEvent event) {
        if (event instanceof TeamEvent.RunStarted e) {
            return "run " + e.run() + ": " + (e.tasks().isEmpty() ? "tasks to be planned" : e.tasks().size() + " tasks")
                    + ", team of " + e.teamSize() + ", from " + e.base() + " (" + e.baseCommit().substring(0, 7)
                    + ") into " + e.integrationBranch();
        } else if (event instanceof TeamEvent.PlanStarted e) {
            return planning(e.round()) + "the planner started on " + e.worker() + (e.attempt() > 1 ? " (attempt " + e.attempt() + ")" : "");
        } else if (event instanceof TeamEvent.PlanRejected e) {
            return planning(e.round()) + "the plan was refused: " + e.problem() + (e.retrying() ? "; asking once more" : "");
        } else if (event instanceof TeamEvent.PlanMade e) {
            return planning(e.round()) + e.tasks().size() + " tasks (" + String.join(", ", e.tasks()) + "), saved in "
                    + e.file() + (e.summary().isBlank() ? "" : "; the planner: " + firstLine(e.summary()));
        } else if (event instanceof TeamEvent.GoalMet e) {
            return "planning: the planner says the goal is met after " + e.round() + (e.round() == 1 ? " round" : " rounds")
                    + (e.summary().isBlank() ? "" : ": " + firstLine(e.summary()));
        } else if (event instanceof TeamEvent.ReviewStarted e) {
            return "[" + e.task() + "] in review on " + e.worker();
        } else if (event instanceof TeamEvent.ReviewDone e) {
            return "[" + e.task() + "] review: " + (e.approved() ? "approved" : "changes requested") + ", "
                    + Money.format(e.costUsd()) + (e.comments().isBlank() ? "" : ": " + firstLine(e.comments()));
        } else if (event instanceof TeamEvent.TaskAssigned e && e.branch().startsWith("troupe/variants/")) {
            return "[" + e.task() + "] variant " + e.attempt() + " started on " + e.worker();
        } else if (event instanceof TeamEvent.VariantDone e) {
            return "[" + e.task() + "] variant " + e.attempt() + (e.passed() ? " passed: " + Summary.files(e.filesChanged().size())
                    : " is out (" + e.outcome() + "): " + firstLine(e.reason())) + ", " + Money.format(e.costUsd());
        } else if (event instanceof TeamEvent.JudgeStarted e) {
            return "[" + e.task() + "] the judge compares variants " + e.candidates().stream().map(String::valueOf)
                    .collect(java.util.stream.Collectors.joining(", ")) + " on " + e.worker();
        } else if (event instanceof TeamEvent.VariantChosen e) {
            return "[" + e.task() + "] variant " + e.winner() + " chosen"
                    + (e.by().equals("agent") ? " by the judge (" + Money.format(e.costUsd()) + ")" : "") + ": "
                    + firstLine(e.reasons());
        } else if (event instanceof TeamEvent.TaskAssigned e) {
            return "[" + e.task() + "] started on " + e.worker() + (e.attempt() > 1 ? " (attempt " + e.attempt() + ")" : "");
        } else if (event instanceof TeamEvent.AgentStarted e && e.resumed() != null) {
            return "[" + e.task() + "] attempt " + e.attempt() + " continues the agent's session " + e.resumed()
                    + " (retry: resume)";
        } else if (event instanceof TeamEvent.SetupStarted e) {
            return e.task() == null ? "check: setting up its workspace: " + e.command()
                    : "[" + e.task() + "] " + e.worker() + " sets up " + e.workspace() + ": " + e.command();
        } else if (event instanceof TeamEvent.SetupDone e) {
            return e.failure() != null ? (e.task() == null ? "check: " : "[" + e.task() + "] ")
                    + (e.worker() != null && !e.worker().equals(e.workspace()) ? e.worker() + ": " : "") + e.failure()
                    : (e.task() == null ? "check: " : "[" + e.task() + "] ") + e.workspace() + " set up in "
                            + Durations.format(Duration.ofMillis(e.durationMs()));
        } else if (event instanceof TeamEvent.CheckStarted e) {
            return "[" + e.task() + "] checking " + (e.trial() ? "variant " + e.attempt() + "'s trial" : "its merge")
                    + ": " + e.command();
        } else if (event instanceof TeamEvent.CheckDone e) {
            String took = Durations.format(Duration.ofMillis(e.durationMs()));
            return "[" + e.task() + "] check " + (e.timedOut() ? "timed out, killed after " + took
                    : e.exitCode() == 0 ? "passed in " + took : "failed (exit " + e.exitCode() + ") after " + took);
        } else if (event instanceof TeamEvent.TaskCancelled e) {
            return "[" + e.task() + "] cancelled with troupe cancel";
        } else if (event instanceof TeamEvent.TaskTold e) {
            return "[" + e.task() + "] " + (e.from() != null ? "hears that " + e.from() + " merged"
                    : (e.redirect() ? "redirected: " : "told: ") + e.message().strip().lines().findFirst().orElse(""));
        } else if (event instanceof TeamEvent.MessageDelivered e) {
            return "[" + e.task() + "] its agent on " + e.worker() + " took the message in"
                    + (e.ownTurn() ? ", as a turn of its own" : ", at its next step");
        } else if (event instanceof TeamEvent.StopRequested e) {
            return "stop requested: nothing more is launched" + (e.running() == 0 ? ""
                    : "; " + e.running() + (e.running() == 1 ? " task under way finishes" : " tasks under way finish") + " first");
        } else if (event instanceof TeamEvent.RunStopped e) {
            return "run stopped: " + e.merged() + " merged, " + e.left() + " left for troupe resume";
        } else if (event instanceof TeamEvent.NodeJoined e) {
            return e.node() + " (" + e.address() + ") joined with " + e.slots() + (e.slots() == 1 ? " worker" : " workers");
        } else if (event instanceof TeamEvent.NodeLost e) {
            return e.node() + " (" + e.address() + ") " + (e.reason() == null ? "is gone"
                    : "is out of the team: " + e.reason()) + "; what its workers ran goes to other workers";
        } else if (event instanceof TeamEvent.WorkspaceLeftovers e) {
            return e.workspace() + " held work a stopped run left; it is kept on " + e.branch();
        } else if (event instanceof TeamEvent.AgentRetry e) {
            return "[" + e.task() + "] API " + e.error() + (e.status() == null ? "" : " (" + e.status() + ")")
                    + ": the agent retries in " + Durations.format(Duration.ofMillis(e.delayMs())) + " ("
                    + e.retry() + " of " + e.maxRetries() + ")";
        } else if (event instanceof TeamEvent.TaskSucceeded e) {
            return "[" + e.task() + "] done in " + Durations.format(Duration.ofMillis(e.durationMs())) + ", "
                    + Summary.files(e.filesChanged().size()) + ", "
                    + Money.format(e.costUsd()) + ", " + e.usage().total() + " tokens"
                    + (e.permissionDenials() > 0 ? "; " + e.permissionDenials() + " tool calls were denied (see allowed-tools)" : "");
        } else if (event instanceof TeamEvent.TaskHeld e) {
            return "[" + e.task() + "] held for the sync point: it merges once nothing else runs (sync.merge: end)";
        } else if (event instanceof TeamEvent.MergeDone e) {
            return "[" + e.task() + "] merged into " + e.into() + " (" + e.mergeCommit().substring(0, 7) + ")";
        } else if (event instanceof TeamEvent.MergeConflict e) {
            return "[" + e.task() + "] conflicts with the integration branch in " + String.join(", ", e.paths());
        } else if (event instanceof TeamEvent.ZoneViolation e) {
            return "[" + e.task() + "] changed files outside its zone" + (e.rejected() ? " (rejected)" : "") + ": "
                    + String.join(", ", e.files());
        } else if (event instanceof TeamEvent.AttemptFailed e) {
            return e.retryInMs() < 0 ? null : "[" + e.task() + "] attempt " + e.attempt() + " failed: "
                    + firstLine(e.reason(), REASON_CHARS)
                    + "; tried again in " + Durations.format(Duration.ofMillis(e.retryInMs()))
                    + (e.counted() ? "" : " (no fault of the task: the attempt is not counted)");
        } else if (event instanceof TeamEvent.TaskFailed e) {
            return "[" + e.task() + "] FAILED" + (e.attempts() > 1 ? " after " + e.attempts() + " attempts" : "")
                    + ": " + firstLine(e.reason(), REASON_CHARS);
        } else if (event instanceof TeamEvent.TeamPaused e) {
            return (e.account() == null ? "team" : "account " + e.account()) + " paused until " + CLOCK.format(e.until())
                    + ": " + e.reason();
        } else if (event instanceof TeamEvent.BudgetSpent e) {
            return "budget spent: " + Money.format(e.spentUsd()) + " of " + Money.format(e.budgetUsd())
                    + "; no new attempt starts";
        } else if (event instanceof TeamEvent.TaskSkipped e) {
            return "[" + e.task() + "] skipped: " + e.reason();
        }
        return null;
    }

    /** How much of a failure's reason a line shows: enough for what went wrong and where its whole output is. */
    static final int REASON_CHARS = 500;

    private static String firstLine(String text) {
        return firstLine(text, 160);
    }

    /**
     * A reason's first line, at most {@code max} characters: what went wrong and where the rest is. What follows
     * (a check's output, kept for the task's next attempt) is for the journal and {@code troupe results}.
     */
    static String firstLine(String text, int max) {
        String first = text.strip().lines().findFirst().orElse("");
        return first.length() > max ? first.substring(0, max - 3) + "..." : first;
    }
}
