package dev.troupe.cli;

import dev.troupe.report.ReportPage;
import dev.troupe.report.RunRecord;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
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
        Path target = (file == null ? runDir.resolve("report.html") : file).toAbsolutePath();
        RunRecord record;
        try {
            record = ReportPage.read(runDir, RunLock.isLive(runDir)).orElseThrow(() -> TroupeException.badInput(
                    runDir + " holds no journal of a run (it stopped before it began; troupe cleanup removes what it left)"));
        } catch (IOException e) {
            throw TroupeException.badInput("cannot read the run's journal: " + reason(e));
        }
        try {
            ReportPage.write(record, runDir, target);
        } catch (IOException e) {
            throw TroupeException.badInput("cannot write the report: " + reason(e));
        }
        spec.commandLine().getOut().println("Report: " + target);
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }

    /** The file and what went wrong with it, in words. */
    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException missing) {
            return missing.getFile() + ": no such file or directory";
        }
        if (e instanceof AccessDeniedException denied) {
            return denied.getFile() + ": permission denied";
        }
        if (e instanceof FileSystemException fs) {
            return fs.getFile() + ": " + (fs.getReason() == null ? fs.getClass().getSimpleName() : fs.getReason());
        }
        return e.getMessage();
    }
}
