package dev.troupe.cli;

import dev.troupe.git.GitCli;
import dev.troupe.git.GitException;
import dev.troupe.journal.FileTail;
import dev.troupe.journal.JournalReader;
import dev.troupe.journal.RunHistory;
import dev.troupe.journal.TeamEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * The runs of a repository ({@code .troupe/runs/<run>}) for the commands that look at or act on an existing run:
 * finding the repository, the latest run, and what a run's journal says.
 */
final class RunDirs {

    /** Shared by the commands on an existing run: which run, in which repository. */
    static final class Selection {
        @Parameters(index = "0", arity = "0..1", paramLabel = "RUN", description = "the run id (default: the newest run)")
        String runId;

        @Mixin
        RepoOption repo = new RepoOption();

        Optional<String> run() {
            return Optional.ofNullable(runId);
        }
    }

    final Path top;

    private RunDirs(Path top) {
        this.top = top;
    }

    static RunDirs of(Selection selection) throws TroupeException {
        return of(selection.repo);
    }

    static RunDirs of(RepoOption repo) throws TroupeException {
        Path dir = repo.dir.toAbsolutePath();
        try {
            return new RunDirs(Path.of(GitCli.run(dir, "rev-parse", "--show-toplevel").strip()));
        } catch (GitException e) {
            throw TroupeException.badInput(dir + " is not a git repository");
        }
    }

    Path runs() {
        return top.resolve(RunSetup.TROUPE_DIR).resolve("runs");
    }

    /** Every run, newest first (run ids start with their start time). */
    List<Path> all() throws TroupeException {
        if (!Files.isDirectory(runs())) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(runs())) {
            return dirs.filter(Files::isDirectory).sorted(Comparator.comparing(Path::getFileName).reversed()).toList();
        } catch (IOException e) {
            throw new TroupeException(ExitCodes.INTERNAL, "cannot list " + runs() + ": " + e.getMessage());
        }
    }

    /** The named run, or the newest one. */
    Path pick(Optional<String> run) throws TroupeException {
        if (run.isPresent()) {
            Path dir = runs().resolve(run.get());
            if (run.get().contains("/") || !Files.isDirectory(dir)) {
                throw TroupeException.badInput("no run '" + run.get() + "' in " + top);
            }
            return dir;
        }
        return all().stream().findFirst()
                .orElseThrow(() -> TroupeException.badInput("no troupe run in " + top));
    }

    static RunHistory history(Path runDir) throws TroupeException {
        return historyIfAny(runDir).orElseThrow(() -> TroupeException.badInput(runDir + " holds no journal of a run"
                + " (it stopped before it began; troupe cleanup removes what it left)"));
    }

    static Optional<RunHistory> historyIfAny(Path runDir) throws TroupeException {
        return journalIfAny(runDir).flatMap(RunHistory::of);
    }

    /** The run's first event, its run-started, read alone: the whole journal of a big run takes a second. */
    static Optional<TeamEvent.RunStarted> startedIfAny(Path runDir) {
        try (java.io.BufferedReader reader = JournalReader.lenientReader(runDir.resolve("events.jsonl"))) {
            String first = reader.readLine();
            return first == null ? Optional.empty() : JournalReader.parse(first)
                    .filter(TeamEvent.RunStarted.class::isInstance).map(TeamEvent.RunStarted.class::cast);
        } catch (IOException unreadable) {
            return Optional.empty();
        }
    }

    /** The run's journal, its decisions (agent output left out), when it has one. */
    static Optional<List<TeamEvent>> journalIfAny(Path runDir) throws TroupeException {
        Path events = runDir.resolve("events.jsonl");
        try {
            return Files.exists(events) ? Optional.of(JournalReader.decisions(events).events()) : Optional.empty();
        } catch (IOException e) {
            throw new TroupeException(ExitCodes.INTERNAL, "cannot read " + events + ": " + e.getMessage());
        }
    }

    /** How much of the run's journal there is now: where to follow it from after reading its history. */
    static long journalSize(Path runDir) throws TroupeException {
        try {
            return FileTail.sizeOf(runDir.resolve("events.jsonl"));
        } catch (IOException e) {
            throw new TroupeException(ExitCodes.INTERNAL, "cannot read " + runDir + ": " + e.getMessage());
        }
    }
}
