package dev.troupe.view;

import dev.troupe.journal.TaskLife;
import dev.troupe.journal.Journal;
import dev.troupe.journal.Money;
import dev.troupe.journal.RunHistory;
import dev.troupe.journal.TeamEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code plan.md} in the run directory: the plan as people read it, each task with what it comes after and how
 * it stands, rewritten as the run goes (at most twice a second, less often when writing it takes long, and at the
 * end). Fed the journal's events on the journal's writer thread; written whole to a temporary file and moved into
 * place, so a reader never sees half of it.
 */
public final class PlanFile implements Journal.Listener {

    private static final long MIN_INTERVAL_NANOS = 500_000_000L;

    private final Path file;
    private RunHistory history;
    private long lastWrite;
    private long interval = MIN_INTERVAL_NANOS;

    /** @param history what the journal held before, for a resumed run */
    public PlanFile(Path file, Optional<RunHistory> history) {
        this.file = file;
        this.history = history.orElse(null);
    }

    @Override
    public void written(TeamEvent event, String json) {
        if (event instanceof TeamEvent.RunStarted started) {
            history = RunHistory.of(List.of(started)).orElseThrow();
        } else if (history != null) {
            history.apply(event);
        }
        if (history == null || event instanceof TeamEvent.AgentOutput) {
            return;
        }
        long now = System.nanoTime();
        if (event instanceof TeamEvent.RunFinished || now - lastWrite >= interval) {
            lastWrite = now;
            write();
            // On the journal's writer thread: a plan of 10,000 tasks takes long enough to write that twice a second
            // would slow the journal, so it is written at most a tenth of the time.
            interval = Math.max(MIN_INTERVAL_NANOS, 10 * (System.nanoTime() - now));
        }
    }

    private void write() {
        try {
            Path partial = file.resolveSibling(file.getFileName() + ".partial");
            Files.writeString(partial, render(history), StandardCharsets.UTF_8);
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static void table(StringBuilder md, RunHistory history, List<String> ids) {
        md.append("| task | after | state | attempts | cost | note |\n|---|---|---|---|---|---|\n");
        for (String id : ids) {
            TaskLife task = history.tasks().get(id);
            md.append("| ").append(task.id()).append(" | ")
                    .append(String.join(", ", history.after(task.id()))).append(" | ")
                    .append(task.state().name().toLowerCase(Locale.ROOT)).append(" | ")
                    .append(task.tries()).append(" | ")
                    .append(Money.format(task.costUsd())).append(" | ")
                    .append(oneLine(task.reason()).replace("|", "\\|")).append(" |\n");
        }
    }

    private static String oneLine(String text) {
        return text.strip().replace('\n', ' ');
    }

    static String render(RunHistory history) {
        TeamEvent.RunStarted started = history.started();
        StringBuilder md = new StringBuilder();
        md.append("# Plan of run ").append(started.run()).append("\n\n");
        md.append("From `").append(started.base()).append("` into `").append(started.integrationBranch())
                .append("`, team of ").append(started.teamSize()).append(". ");
        md.append(history.finished().map(f -> "Finished (exit " + f.exitCode() + ").").orElse("Under way."));
        md.append(String.format(Locale.ROOT, " %d of %d merged, %s spent.%n%n", history.count(TaskLife.State.MERGED),
                history.tasks().size(), Money.format(history.costUsd())));
        List<RunHistory.Round> rounds = history.rounds();
        if (rounds.size() == 1 && history.goalMet().isEmpty() && rounds.get(0).summary().isBlank()) {
            table(md, history, history.tasks().keySet().stream().toList());
        } else {
            for (RunHistory.Round round : rounds) {
                md.append("## Round ").append(round.number()).append("\n\n");
                if (!round.summary().isBlank()) {
                    md.append("The planner: ").append(oneLine(round.summary())).append("\n\n");
                }
                table(md, history, round.tasks());
                md.append('\n');
            }
            history.goalMet().ifPresent(met -> md.append("**The goal is met**, the planner says after ")
                    .append(met.round()).append(met.round() == 1 ? " round" : " rounds")
                    .append(met.summary().isBlank() ? "." : ": " + oneLine(met.summary())).append('\n'));
        }
        return md.toString();
    }
}
