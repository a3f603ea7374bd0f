package dev.troupe.cli;

import dev.troupe.journal.JournalReader;
import dev.troupe.report.ReportPage;
import dev.troupe.report.RunRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code troupe report [RUN] [-o FILE]}: writes the run's {@code report.html} (timeline, tasks, cost, plan,
 * transcripts; one file that needs nothing else to be viewed), of a finished run or of a live one as it stands.
 */
@Command(name = "report", description = "Write a run's report.html: timeline, tasks, cost, plan and transcripts.")
final class ReportCommand implements Callable<Integer> {

    @Mixin
    RunDirs.Selection selection = new RunDirs.Selection();

    @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "where to write it (default: report.html in the run's directory)")
    Path file;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws TroupeException {
        Path runDir = RunDirs.of(selection).pick(selection.run());
        Path events = runDir.resolve("events.jsonl");
        Path target = (file == null ? runDir.resolve("report.html") : file).toAbsolutePath();
        try {
            RunRecord record = RunRecord.of(JournalReader.decisions(events).events())
                    .orElseThrow(() -> TroupeException.badInput(runDir + " holds no journal of a run"));
            ReportPage.write(record, runDir, target);
        } catch (java.nio.file.NoSuchFileException e) {
            throw TroupeException.badInput("cannot read or write " + e.getFile() + ": no such file or directory");
        } catch (IOException e) {
            throw new TroupeException(ExitCodes.INTERNAL, "cannot write the report " + target + ": " + e.getMessage());
        }
        spec.commandLine().getOut().println("Report: " + target);
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
