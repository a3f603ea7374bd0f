package dev.troupe.report;

import dev.troupe.journal.Money;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The report's cost per model: agent runs, input and output tokens and cost, summed from what each agent's
 * transcript says it spent; a CLI other than Claude Code's is named with its model. A run whose agents reported
 * nothing says so.
 */
final class ModelsSection {

    private ModelsSection() {}

    static void write(StringBuilder html, RunRecord record, Path runDir) throws IOException {
        Map<String, double[]> byModel = new TreeMap<>();
        for (RunRecord.Span s : record.spans()) {
            for (Transcript.ModelSpend spend : Transcript.spend(ReportPage.transcriptOf(runDir, s), s.cli(), s.model())) {
                double[] sums = byModel.computeIfAbsent(spend.model(), k -> new double[4]);
                sums[0]++;
                sums[1] += spend.inputTokens();
                sums[2] += spend.outputTokens();
                sums[3] += spend.costUsd();
            }
        }
        html.append("<section id=\"models\">\n<h2>Cost per model</h2>\n");
        if (byModel.isEmpty()) {
            html.append("<p class=\"note\">No agent reported what it spent.</p>\n</section>\n");
            return;
        }
        html.append("<table>\n<thead><tr><th>model</th><th class=\"num\">agent runs</th><th class=\"num\">input tokens</th>")
                .append("<th class=\"num\">output tokens</th><th class=\"num\">cost</th></tr></thead>\n<tbody>\n");
        byModel.forEach((model, sums) -> html.append(String.format(Locale.ROOT,
                "<tr><td><code>%s</code></td><td class=\"num\">%d</td><td class=\"num\">%,d</td><td class=\"num\">%,d</td>"
                        + "<td class=\"num\">%s</td></tr>%n", Html.escape(model), (long) sums[0], (long) sums[1],
                (long) sums[2], Money.format(sums[3]))));
        html.append("</tbody>\n</table>\n</section>\n");
    }
}
