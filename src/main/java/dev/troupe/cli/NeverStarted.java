package dev.troupe.cli;

import dev.troupe.git.GitCli;
import dev.troupe.git.GitException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A run whose troupe stopped before its journal's first event: no agent can have run (every assignment is on
 * disk after that event), so there is nothing to resume. What it made, its run directory and its integration
 * branch {@code troupe/<run>} (still at the base), is removed, but only when nothing else is there: no worktree,
 * no task branch, no agent output, no merge of the run on the branch. A branch given with {@code --into} is not
 * named anywhere but in the journal, so it is left as it is.
 */
final class NeverStarted {

    private NeverStarted() {}

    /** Cleans up if it can; returns what {@code resume} should say (exit 2: nothing was resumed). */
    static TroupeException cleanUp(Path top, Path runDir) throws TroupeException {
        String run = runDir.getFileName().toString();
        String branch = "troupe/" + run;
        List<Path> worktrees = Launcher.runWorktrees(top, run);
        List<String> traces = traces(top, runDir, worktrees, run, branch);
        if (!traces.isEmpty()) {
            return TroupeException.badInput(runDir + " holds no journal of a run, yet the run left " + String.join(", ", traces)
                    + "; nothing was removed (troupe cleanup " + run + " removes its worktrees and task branches)");
        }
        boolean hadBranch = GitCli.resolve(top, "refs/heads/" + branch).isPresent();
        try {
            if (hadBranch) {
                GitCli.run(top, "branch", "--quiet", "-D", branch);
            }
            deleteTree(runDir);
            for (Path dir : worktrees) {
                deleteTree(dir);
            }
        } catch (GitException | IOException e) {
            throw new TroupeException(ExitCodes.INTERNAL, "cannot remove what run " + run + " left: " + e.getMessage());
        }
        return TroupeException.badInput("run " + run + " stopped before it began (its journal holds no event): nothing"
                + " ran, so there is nothing to resume. Removed " + runDir + (hadBranch ? " and branch " + branch : "")
                + " (a branch given with --into is left as it is); start the goal again with: troupe run GOAL");
    }

    private static List<String> traces(Path top, Path runDir, List<Path> worktrees, String run, String branch)
            throws TroupeException {
        List<String> traces = new ArrayList<>();
        for (Path dir : worktrees) {
            if (!isEmpty(dir)) {
                traces.add("worktrees in " + dir);
            }
        }
        if (!isEmpty(runDir.resolve("agents")) || !isEmpty(runDir.resolve("results"))) {
            traces.add("agent output in " + runDir);
        }
        try {
            for (String area : List.of("troupe/tasks/", "troupe/failed/", "troupe/variants/")) {
                if (!GitCli.run(top, "for-each-ref", "--format=%(refname:short)", "refs/heads/" + area + run + "/").isBlank()) {
                    traces.add("branches " + area + run + "/...");
                }
            }
            if (GitCli.resolve(top, "refs/heads/" + branch).isPresent() && !GitCli.run(top, "log", "-1", "--first-parent",
                    "--format=%H", "--grep=^Troupe-Run: " + run + "$", "refs/heads/" + branch).isBlank()) {
                traces.add("merges on " + branch);
            }
        } catch (GitException e) {
            throw new TroupeException(ExitCodes.INTERNAL, e.getMessage());
        }
        return traces;
    }

    private static boolean isEmpty(Path dir) throws TroupeException {
        if (!Files.isDirectory(dir)) {
            return true;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            throw new TroupeException(ExitCodes.INTERNAL, "cannot read " + dir + ": " + e.getMessage());
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
