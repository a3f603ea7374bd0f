package dev.troupe.report;

import dev.troupe.journal.TaskLife;
import dev.troupe.journal.Money;
import dev.troupe.journal.RunHistory;
import dev.troupe.journal.TeamEvent;
import java.util.List;
import java.util.Optional;

/**
 * The report's section on tasks tried as variants: each task's variants side by side (how each ended, the files it
 * changed, its cost and branch, why it went out) and which one won, how and why. Left out when no task had variants.
 */
final class VariantsSection {

    private VariantsSection() {}

    static void write(RunRecord record, StringBuilder html) {
        List<TaskLife> withVariants = record.history().tasks().values().stream()
                .filter(t -> !t.variants().isEmpty()).toList();
        if (withVariants.isEmpty()) {
            return;
        }
        html.append("<section id=\"variants\">\n<h2>Variants</h2>\n");
        for (TaskLife task : withVariants) {
            Optional<TeamEvent.VariantChosen> chosen = task.chosen();
            html.append("<h3><code>").append(Html.escape(task.id())).append("</code></h3>\n<table>\n<thead><tr>")
                    .append("<th>n</th><th>variant</th><th>outcome</th><th class=\"num\">files</th>")
                    .append("<th class=\"num\">cost</th><th>branch</th><th>note</th></tr></thead>\n<tbody>\n");
            for (TeamEvent.VariantDone v : task.variants()) {
                boolean won = chosen.isPresent() && chosen.get().winner() == v.attempt();
                html.append("<tr><td>").append(v.attempt()).append("</td><td>").append(v.variant()).append("</td><td>")
                        .append(won ? "<strong>chosen</strong>" : Html.escape(v.passed() ? "passed" : v.outcome()))
                        .append("</td><td class=\"num\">").append(v.filesChanged().size())
                        .append("</td><td class=\"num\">").append(Money.format(v.costUsd()))
                        .append("</td><td><code>").append(Html.escape(v.branch())).append("</code></td><td>")
                        .append(Html.escape(v.passed() ? String.join(", ", v.filesChanged()) : firstLine(v.reason())))
                        .append("</td></tr>\n");
            }
            html.append("</tbody>\n</table>\n");
            chosen.ifPresent(c -> html.append("<p>").append(c.by().equals("agent") ? "The judge chose variant "
                    + c.winner() + " (" + Money.format(c.costUsd()) + "): " : "Variant " + c.winner() + " won: ")
                    .append(Html.escape(c.reasons())).append("</p>\n"));
        }
        html.append("</section>\n");
    }

    private static String firstLine(String text) {
        String first = text == null ? "" : text.strip().lines().findFirst().orElse("");
        return first.length() > 200 ? first.substring(0, 197) + "..." : first;
    }
}
