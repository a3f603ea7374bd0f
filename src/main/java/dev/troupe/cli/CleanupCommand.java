package dev.troupe.cli;

import dev.troupe.agent.AgentProcess;
import dev.troupe.git.GitCli;
import dev.troupe.team.rules.RunContext;
import dev.troupe.git.GitException;
import dev.troupe.journal.RunHistory;
import dev.troupe.workspace.KeptWorkspaces;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code troupe cleanup [RUN | --all] [--force] [--workspaces]}: removes the worktrees and the task branches
 * ({@code troupe/tasks/<run>/...}, {@code troupe/failed/<run>/...}) that troupe made for a run. Never the
 * integration branch, never anything troupe did not make; the run's journal stays. A live run is left alone
 * unless {@code --force}. {@code --workspaces} removes the kept workspaces ({@code workspace.keep}) that no live
 * run holds; alone, only them.
 */
@Command(name = "cleanup", description = "Remove a run's worktrees and task branches (never its integration branch),"
        + " or with --workspaces the kept workspaces.")
final class CleanupCommand implements Callable<Integer> {

    @Mixin
    RunDirs.Selection selection = new RunDirs.Selection();

    @Option(names = "--all", description = "every run of the repository")
    boolean all;

    @Option(names = "--force", description = "also a run that is live")
    boolean force;

    @Option(names = "--workspaces", description = "remove the kept workspaces (../<repo>.troupe/workspaces/, an older"
            + " troupe's in .troupe/workspaces/) no live run holds; alone, only them")
    boolean workspaces;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws TroupeException {
        if (all && selection.run().isPresent()) {
            throw TroupeException.badInput("name a run or pass --all, not both");
        }
        RunDirs dirs = RunDirs.of(selection);
        PrintWriter out = spec.commandLine().getOut();
        if (workspaces) {
            removeKeptWorkspaces(dirs.top, out);
            if (!all && selection.run().isEmpty()) {
                out.flush();
                return ExitCodes.OK;
            }
        }
        List<Path> runs = all ? dirs.all() : List.of(dirs.pick(selection.run()));
        PrintStream warnings = WriterStream.printStream(spec.commandLine().getErr());
        for (Path runDir : runs) {
            // A run killed before its first event has no journal: its directory still names it.
            Optional<RunHistory> history = RunDirs.historyIfAny(runDir);
            String run = history.map(h -> h.started().run()).orElse(runDir.getFileName().toString());
            StatusCommand.Liveness liveness = history.map(h -> StatusCommand.liveness(runDir, h))
                    .orElse(RunLock.isLive(runDir) ? StatusCommand.Liveness.LIVE : StatusCommand.Liveness.STOPPED);
            if (!force && liveness == StatusCommand.Liveness.LIVE) {
                if (all) {
                    out.printf("run %s: live, left alone (--force to clean it anyway)%n", run);
                    continue;
                }
                throw TroupeException.badInput("run " + run + " is live; stop it first, or pass --force");
            }
            // Held while cleaning, so that a resume cannot start underneath (a live run's lock cannot be had).
            RunLock lock = null;
            try {
                lock = RunLock.acquire(runDir);
            } catch (TroupeException live) {
                if (!force) {
                    throw live;
                }
            }
            try (RunLock held = lock) {
                // Agents of a run whose troupe died may still be running in those worktrees.
                int killed = force || liveness == StatusCommand.Liveness.STOPPED
                        ? AgentProcess.killAllWith(RunContext.RUN_MARKER + "=" + run) : 0;
                int worktrees = Launcher.runWorktrees(dirs.top, run).stream()
                        .mapToInt(dir -> Launcher.removeWorktrees(dirs.top, dir, warnings)).sum();
                int branches = deleteBranches(dirs.top, "refs/heads/troupe/tasks/" + run + "/")
                        + deleteBranches(dirs.top, "refs/heads/troupe/failed/" + run + "/")
                        + deleteBranches(dirs.top, "refs/heads/troupe/variants/" + run + "/");
                out.printf("run %s: removed %d worktree%s and %d task branch%s%s; kept %s and the journal%n", run, worktrees,
                        worktrees == 1 ? "" : "s", branches, branches == 1 ? "" : "es",
                        killed > 0 ? ", stopped " + killed + " leftover agent processes" : "",
                        history.map(h -> h.started().integrationBranch()).orElse("the integration branch"));
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    private static void removeKeptWorkspaces(Path top, PrintWriter out) throws TroupeException {
        KeptWorkspaces.Removal removal;
        try {
            removal = KeptWorkspaces.removeAll(top);
        } catch (java.io.IOException e) {
            throw new TroupeException(ExitCodes.INTERNAL, "cannot remove the kept workspaces: " + e.getMessage());
        }
        out.printf("workspaces: removed %d%s%n", removal.removed().size(),
                removal.removed().isEmpty() ? "" : " (" + String.join(", ", removal.removed()) + ")");
        removal.saved().forEach(branch -> out.printf("workspaces: work left in one is kept on %s%n", branch));
        removal.inUse().forEach(name -> out.printf("workspaces: %s is held by a live run, left alone%n", name));
        removal.problems().forEach(problem -> out.printf("workspaces: could not remove %s%n", problem));
    }

    private static int deleteBranches(Path top, String prefix) throws TroupeException {
        try {
            List<String> branches = GitCli.run(top, "for-each-ref", "--format=%(refname:short)", prefix).lines()
                    .filter(line -> !line.isBlank()).toList();
            for (String branch : branches) {
                GitCli.run(top, "branch", "--quiet", "-D", branch);
            }
            return branches.size();
        } catch (GitException e) {
            throw new TroupeException(ExitCodes.INTERNAL, e.getMessage());
        }
    }
}
