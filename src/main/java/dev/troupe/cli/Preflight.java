package dev.troupe.cli;

import dev.troupe.agent.AgentCommand;
import dev.troupe.agent.Sandbox;
import dev.troupe.git.GitCli;
import dev.troupe.git.GitException;
import dev.troupe.git.Worktrees;
import dev.troupe.goal.AgentSettings;
import dev.troupe.goal.Goal;
import dev.troupe.goal.GoalException;
import dev.troupe.goal.GoalPlaces;
import dev.troupe.goal.GoalReading;
import dev.troupe.goal.RunTarget;
import dev.troupe.workspace.WorkspaceRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Everything checked before a run may touch the repository, for {@code troupe run} and {@code troupe validate}
 * alike: every problem is collected, the goal file's own first, each as one line pointing at the goal file's key it
 * concerns ({@code file:line:column: ...}, the file alone for a default), and nothing is created. A goal file with
 * problems is still checked as far as it could be read, so that one try names them all. A git command that
 * fails for another reason than the user's input is troupe's own failure (exit 3).
 */
final class Preflight {

    /** What uncommitted changes to tracked files are: a problem, or only worth a warning. */
    enum Uncommitted {
        /** A run without {@code --allow-dirty}: agents work from commits and would not see them. */
        REFUSE,
        /** {@code --allow-dirty}: the run leaves them alone. */
        ALLOW,
        /** {@code troupe validate}: the user may well commit before running, so it is said, not refused. */
        MENTION
    }

    /** @param setup the run as it would start, present when there is no problem */
    record Findings(Optional<RunSetup> setup, List<String> problems, List<String> warnings) {}

    /** The goal, when its file has no problem. */
    private final Optional<Goal> goal;
    private final RunTarget target;
    private final GoalPlaces places;
    private final List<String> problems = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    private Preflight(Optional<Goal> goal, RunTarget target) {
        this.goal = goal;
        this.target = target;
        this.places = target.places();
    }

    /** @param into the integration branch asked for ({@code --into}); by default a new {@code troupe/<run>} */
    static Findings check(Goal goal, Optional<String> into, Uncommitted uncommitted) throws TroupeException {
        return check(GoalReading.of(goal), into, uncommitted);
    }

    /** The goal file's problems, if any, and then those of the run's checks made on what of it could be read. */
    static Findings check(GoalReading reading, Optional<String> into, Uncommitted uncommitted) throws TroupeException {
        List<String> fileProblems = reading.problems().stream().map(GoalException::getMessage).toList();
        if (reading.target().isEmpty()) {
            return new Findings(Optional.empty(), fileProblems, List.of());
        }
        Preflight preflight = new Preflight(reading.goal(), reading.target().get());
        preflight.problems.addAll(fileProblems);
        try {
            return preflight.run(into, uncommitted);
        } catch (GitException e) {
            throw new TroupeException(ExitCodes.INTERNAL, e.getMessage());
        }
    }

    /**
     * The goal of a file without problems, for a run to start from; otherwise every problem of the file and of
     * the run's checks, one a line.
     */
    static Goal goalOrEveryProblem(GoalReading reading, Optional<String> into, Uncommitted uncommitted)
            throws TroupeException {
        if (reading.goal().isPresent()) {
            return reading.goal().get();
        }
        throw TroupeException.badInput(String.join("\n", check(reading, into, uncommitted).problems()));
    }

    private Findings run(Optional<String> into, Uncommitted uncommitted) throws GitException, TroupeException {
        // In the order of the keys in a goal file (repo, base, agent, workspace, fanout), then what is not in the file.
        Optional<Path> top = repository();
        if (top.isPresent()) {
            checkUncommitted(top.get(), uncommitted);
        }
        Optional<String> base = top.flatMap(this::base);
        Optional<String> baseCommit = base.flatMap(b -> GitCli.resolve(top.get(), b + "^{commit}"));
        if (base.isPresent() && baseCommit.isEmpty()) {
            problem("/base", "base branch '" + base.get() + "' does not exist in " + top.get());
        }
        Path agentDir = top.orElse(target.file().toAbsolutePath().getParent());
        Optional<AgentSettings> agent = target.agent();
        if (agent.isPresent() && AgentCommand.findExecutable(agent.get(), agentDir).isEmpty()) {
            problem("/agent/command", "agent command '" + agent.get().command().get(0)
                    + "' not found; is it installed and on PATH?");
        }
        goal.ifPresent(g -> AgentPreflight.check(g, agentDir, System::getenv).forEach(finding ->
                (finding.problem() ? problems : warnings).add(finding.line())));
        if (target.workspace().map(Goal.Workspace::sandbox).orElse(false)) {
            Sandbox.unavailable(target.workspace().get().confined())
                    .ifPresent(why -> problem("/workspace/sandbox", why));
        }
        top.ifPresent(this::checkWorkspaceRoot);
        if (top.isEmpty()) {
            return findings(Optional.empty());
        }
        String runId = newRunId();
        String integration = into.orElse("troupe/" + runId);
        Optional<String> existing = checkIntegrationBranch(top.get(), runId, integration);
        Optional<Goal> expanded = goal;
        if (baseCommit.isPresent()) {
            try {
                if (goal.isPresent()) {
                    expanded = Optional.of(RunSetup.expandFanout(goal.get(), top.get(), baseCommit.get()));
                } else if (target.fanout().isPresent()) {
                    RunSetup.fanoutFiles(target.fanout().get(), places, top.get(), baseCommit.get());
                }
            } catch (TroupeException e) {
                if (e.exitCode() != ExitCodes.BAD_INPUT) {
                    throw e;
                }
                problems.add(e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            return findings(Optional.empty());
        }
        Path commonDir = top.get().resolve(git(top.get(), "rev-parse", "--git-common-dir")).normalize();
        return findings(Optional.of(new RunSetup(expanded.orElseThrow(), top.get(), commonDir, base.get(),
                baseCommit.get(), runId, integration, existing.isPresent(), existing.orElse(baseCommit.get()),
                List.copyOf(warnings))));
    }

    private Findings findings(Optional<RunSetup> setup) {
        return new Findings(setup, List.copyOf(problems), List.copyOf(warnings));
    }

    /** The repository's top-level directory, when {@code repo:} names a git repository with a working tree. */
    private Optional<Path> repository() {
        Path repo = target.repo();
        String named = places.has("/repo") ? repo.toString() : repo + " (the current directory: the goal sets no repo:)";
        if (!Files.isDirectory(repo)) {
            problem("/repo", "repository " + named + " does not exist");
            return Optional.empty();
        }
        try {
            if ("true".equals(git(repo, "rev-parse", "--is-bare-repository"))) {
                problem("/repo", named + " is a bare repository; troupe needs a working tree");
                return Optional.empty();
            }
            return Optional.of(Path.of(git(repo, "rev-parse", "--show-toplevel")));
        } catch (GitException e) {
            problem("/repo", named + " is not a git repository");
            return Optional.empty();
        }
    }

    /** The folder of the run's workspaces: a problem when it cannot be made, a warning where a project may mind it. */
    private void checkWorkspaceRoot(Path top) {
        Optional<Path> configured = target.workspace().flatMap(Goal.Workspace::root);
        workspaceRootProblem(top, configured).ifPresent(problem ->
                problem(configured.isPresent() ? "/workspace/root" : "/repo", problem));
        Path root = WorkspaceRoot.of(top, configured).dir();
        for (Path segment : root) {
            if (segment.toString().startsWith(".")) {
                warnings.add("the workspaces' folder " + root + " has a folder starting with a dot in its path, which "
                        + "some projects' tests refuse; workspace.root can put them elsewhere");
                break;
            }
        }
        Path oldKept = WorkspaceRoot.legacy(top).kept();
        if (Files.isDirectory(oldKept)) {
            warnings.add("kept workspaces of an older troupe are in " + oldKept + " and no longer used; "
                    + "troupe cleanup --workspaces removes them (keeping any work left in them on a branch)");
        }
    }

    /**
     * Why the folder a run's workspaces go in cannot be made, if it cannot: the nearest folder of it that exists is
     * not one troupe may write in (a repository in another user's folder has no writable sibling: {@code
     * workspace.root} then), or {@code workspace.root} puts it inside the repository.
     */
    static Optional<String> workspaceRootProblem(Path top, Optional<Path> configured) {
        Path root = WorkspaceRoot.of(top, configured).dir();
        Path existing = root;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isDirectory(existing) || !Files.isWritable(existing)) {
            return Optional.of("the workspaces' folder " + root + " cannot be made: " + (existing == null
                    ? "no folder of it exists" : existing + (Files.isDirectory(existing) ? " is not writable"
                    : " is not a folder"))
                    + (configured.isPresent() ? "" : "; set workspace.root to a folder troupe may write in"));
        }
        if (configured.isPresent() && root.startsWith(top)) {
            return Optional.of("workspace.root puts the workspaces inside the repository (" + root
                    + "); give a folder outside " + top);
        }
        return Optional.empty();
    }

    /** The branch or revision the run starts from: {@code base:}, or the branch checked out. */
    private Optional<String> base(Path top) {
        if (target.base().isPresent()) {
            return target.base();
        }
        try {
            return Optional.of(git(top, "symbolic-ref", "--quiet", "--short", "HEAD"));
        } catch (GitException detached) {
            problem("/base", top + " has a detached HEAD; name the branch to start from with base:");
            return Optional.empty();
        }
    }

    private void checkUncommitted(Path top, Uncommitted uncommitted) throws GitException {
        String dirty = GitCli.run(top, "status", "--porcelain", "--untracked-files=no");
        if (dirty.isBlank()) {
            return;
        }
        String files = String.join(", ", dirty.lines().map(l -> l.substring(3)).limit(5).toList());
        switch (uncommitted) {
            case REFUSE -> problem("/repo", top + " has uncommitted changes (" + files + "); agents work from commits"
                    + " and would not see them. Commit or stash them, or pass --allow-dirty");
            case ALLOW -> warnings.add("uncommitted changes in " + files + " are not part of the run; they stay as they are");
            case MENTION -> warnings.add(top + " has uncommitted changes (" + files + "); troupe run refuses to start"
                    + " until they are committed or stashed, unless given --allow-dirty");
        }
    }

    /**
     * Problems with the branches the run would make; these come from {@code --into} or troupe's own names, not
     * the goal file, so they are said without a place in it.
     *
     * @return the integration branch's head when it exists already (the run continues from it)
     */
    private Optional<String> checkIntegrationBranch(Path top, String runId, String integration) throws GitException {
        try {
            git(top, "check-ref-format", "--branch", integration);
        } catch (GitException e) {
            problems.add("'" + integration + "' is not a valid branch name");
            return Optional.empty();
        }
        // Git cannot hold a branch and branches below it: none of these names may be a branch already.
        for (String name : List.of(integration, "troupe/tasks/" + runId + "/x", "troupe/failed/" + runId + "/x",
                "troupe/variants/" + runId + "/x/1")) {
            for (String prefix = parent(name); prefix != null; prefix = parent(prefix)) {
                if (GitCli.resolve(top, "refs/heads/" + prefix).isPresent()) {
                    problems.add("branch '" + prefix + "' is in the way of the branches troupe makes (" + integration
                            + ", troupe/tasks/" + runId + "/...); rename it or pass --into");
                    return Optional.empty();
                }
            }
        }
        Optional<String> existing = GitCli.resolve(top, "refs/heads/" + integration);
        if (existing.isPresent()) {
            Optional<Path> checkedOut = Worktrees.checkedOutAt(top, integration);
            if (checkedOut.isPresent()) {
                problems.add("branch '" + integration + "' is checked out at " + checkedOut.get()
                        + "; troupe merges only into a branch checked out nowhere (try --into a new name)");
            }
        } else if (!git(top, "for-each-ref", "--format=%(refname)", "refs/heads/" + integration + "/").isEmpty()) {
            problems.add("branch '" + integration + "' cannot be made: branches named '" + integration + "/...' exist");
        }
        return existing;
    }

    private void problem(String pointer, String problem) {
        problems.add(places.problem(pointer, problem).getMessage());
    }

    private static String parent(String branch) {
        int slash = branch.lastIndexOf('/');
        return slash > 0 ? branch.substring(0, slash) : null;
    }


    private static String git(Path dir, String... args) throws GitException {
        return GitCli.run(dir, args).strip();
    }

    private static String newRunId() {
        byte[] random = new byte[2];
        new SecureRandom().nextBytes(random);
        return LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-"
                + HexFormat.of().formatHex(random);
    }
}
