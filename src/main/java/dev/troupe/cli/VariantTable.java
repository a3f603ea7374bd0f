package dev.troupe.cli;

import dev.troupe.journal.TaskLife;
import dev.troupe.git.GitCli;
import dev.troupe.git.GitException;
import dev.troupe.journal.Money;
import dev.troupe.journal.RunHistory;
import dev.troupe.journal.TeamEvent;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A task's variants side by side, for {@code troupe results}: each with its outcome (passed, or how it went out),
 * its diff stats against the base it started from (from git, so a branch deleted since shows none), its cost and
 * branch; then which one won, how, and why.
 */
final class VariantTable {

    private VariantTable() {}

    static void print(Path repo, TaskLife task, PrintWriter out) {
        List<TeamEvent.VariantDone> variants = task.variants();
        if (variants.isEmpty()) {
            return;
        }
        Optional<TeamEvent.VariantChosen> chosen = task.chosen();
        out.println("## Variants");
        out.println();
        out.printf("  %-3s %-7s %-13s %-5s %-11s %-8s %s%n", "n", "variant", "outcome", "files", "lines", "cost", "branch");
        for (TeamEvent.VariantDone v : variants) {
            boolean won = chosen.isPresent() && chosen.get().winner() == v.attempt();
            out.printf("  %-3d %-7d %-13s %-5d %-11s %-8s %s%n", v.attempt(), v.variant(),
                    (v.passed() ? "passed" : v.outcome()) + (won ? " *" : ""), v.filesChanged().size(),
                    lines(repo, v), Money.format(v.costUsd()), v.branch());
        }
        chosen.ifPresent(c -> out.println("\n* the winner" + (c.by().equals("agent") ? ", chosen by the judge ("
                + Money.format(c.costUsd()) + ")" : "") + ": " + c.reasons()));
        for (TeamEvent.VariantDone v : variants) {
            if (!v.passed() && !v.reason().isBlank()) {
                String reason = v.reason().strip().replace('\n', ' ');
                out.println("  " + v.attempt() + " out: " + (reason.length() > 300 ? reason.substring(0, 297) + "..." : reason));
            }
        }
        out.println();
    }

    /** {@code +added -removed} from git's numstat of the variant's commit against its base, or "-" without one. */
    private static String lines(Path repo, TeamEvent.VariantDone v) {
        if (v.commit().isEmpty() || v.base().isEmpty()) {
            return "-";
        }
        try {
            long added = 0;
            long removed = 0;
            for (String line : GitCli.run(repo, "diff", "--numstat", v.base(), v.commit()).lines().toList()) {
                String[] fields = line.split("\t");
                if (fields.length >= 2 && fields[0].matches("\\d+") && fields[1].matches("\\d+")) {
                    added += Long.parseLong(fields[0]);
                    removed += Long.parseLong(fields[1]);
                }
            }
            return "+" + added + " -" + removed;
        } catch (GitException e) {
            return "?";
        }
    }
}
