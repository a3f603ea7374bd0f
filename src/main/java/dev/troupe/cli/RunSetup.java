package dev.troupe.cli;

import dev.troupe.agent.AgentCommand;
import dev.troupe.git.GitCli;
import dev.troupe.git.GitException;
import dev.troupe.git.Worktrees;
import dev.troupe.goal.Goal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Everything checked before a run may touch the repository, and then the run's footprint: the run directory,
 * the {@code .troupe/} exclude and the integration branch. Every check fails with a {@link TroupeException}
 * (exit 2) while nothing has been created yet.
 *
 * @param top the repository's top-level directory
 * @param baseCommit the commit the run starts from
 * @param integrationExists the integration branch already exists and the run continues from its head
 */
record RunSetup(Goal goal, Path top, Path commonDir, String base, String baseCommit, String runId,
        String integrationBranch, boolean integrationExists, String startCommit, List<String> warnings) {

    static final String TROUPE_DIR = ".troupe";

    static RunSetup check(Goal goal, Optional<String> into, boolean allowDirty) throws TroupeException {
        Path repo = goal.repo();
        if (!Files.isDirectory(repo)) {
            throw TroupeException.badInput("repository " + repo + " does not exist (repo: in " + goal.file() + ")");
        }
        Path top;
        Path commonDir;
        try {
            if ("true".equals(git(repo, "rev-parse", "--is-bare-repository"))) {
                throw TroupeException.badInput(repo + " is a bare repository; troupe needs a working tree");
            }
            top = Path.of(git(repo, "rev-parse", "--show-toplevel"));
            commonDir = top.resolve(git(top, "rev-parse", "--git-common-dir")).normalize();
        } catch (GitException e) {
            throw TroupeException.badInput(repo + " is not a git repository");
        }
        try {
            String base = goal.base().isPresent() ? goal.base().get() : currentBranch(top);
            String baseCommit = resolve(top, base + "^{commit}")
                    .orElseThrow(() -> TroupeException.badInput("base branch '" + base + "' does not exist in " + top));
            if (AgentCommand.findExecutable(goal.agent(), top).isEmpty()) {
                throw TroupeException.badInput("agent command '" + goal.agent().command().get(0)
                        + "' not found (agent.command in " + goal.file() + "); is it installed and on PATH?");
            }
            List<String> warnings = new ArrayList<>();
            String dirty = GitCli.run(top, "status", "--porcelain", "--untracked-files=no");
            if (!dirty.isBlank()) {
                String files = String.join(", ", dirty.lines().map(l -> l.substring(3)).limit(5).toList());
                if (!allowDirty) {
                    throw TroupeException.badInput(top + " has uncommitted changes (" + files + "); agents work"
                            + " from commits and would not see them. Commit or stash them, or pass --allow-dirty");
                }
                warnings.add("uncommitted changes in " + files + " are not part of the run; they stay as they are");
            }
            String runId = newRunId();
            String integration = into.orElse("troupe/" + runId);
            checkBranchName(top, integration);
            // Git cannot hold a branch and branches below it: none of these names may be a branch already.
            for (String name : List.of(integration, "troupe/tasks/" + runId + "/x", "troupe/failed/" + runId + "/x")) {
                for (String prefix = parent(name); prefix != null; prefix = parent(prefix)) {
                    if (resolve(top, "refs/heads/" + prefix).isPresent()) {
                        throw TroupeException.badInput("branch '" + prefix + "' is in the way of the branches troupe"
                                + " makes (" + integration + ", troupe/tasks/" + runId + "/...); rename it or pass --into");
                    }
                }
            }
            Optional<String> existing = resolve(top, "refs/heads/" + integration);
            if (existing.isPresent()) {
                Optional<Path> checkedOut = Worktrees.checkedOutAt(top, integration);
                if (checkedOut.isPresent()) {
                    throw TroupeException.badInput("branch '" + integration + "' is checked out at " + checkedOut.get()
                            + "; troupe merges only into a branch checked out nowhere (try --into a new name)");
                }
            } else if (!git(top, "for-each-ref", "--format=%(refname)", "refs/heads/" + integration + "/").isEmpty()) {
                throw TroupeException.badInput("branch '" + integration + "' cannot be made: branches named '"
                        + integration + "/...' exist");
            }
            return new RunSetup(expandFanout(goal, top, baseCommit), top, commonDir, base, baseCommit, runId, integration,
                    existing.isPresent(), existing.orElse(baseCommit), List.copyOf(warnings));
        } catch (GitException e) {
            throw new TroupeException(ExitCodes.INTERNAL, e.getMessage());
        }
    }

    /**
     * The goal with its fan-out made into tasks: one per file tracked at {@code baseCommit} that matches
     * {@code fanout.files}, in path order; all but the first {@code canary} wait for those to merge. The same
     * goal and commit always give the same tasks, so a resumed run finds its own.
     */
    static Goal expandFanout(Goal goal, Path top, String baseCommit) throws TroupeException {
        if (goal.fanout().isEmpty()) {
            return goal;
        }
        Goal.Fanout fanout = goal.fanout().get();
        java.nio.file.PathMatcher matcher = dev.troupe.goal.Zones.matcher(fanout.files());
        List<String> files;
        try {
            files = java.util.Arrays.stream(GitCli.run(top, "ls-tree", "-r", "-z", "--name-only", baseCommit).split("\0"))
                    .filter(f -> !f.isEmpty() && matcher.matches(Path.of(f))).sorted().toList();
        } catch (GitException e) {
            throw new TroupeException(ExitCodes.INTERNAL, e.getMessage());
        }
        if (files.isEmpty()) {
            throw TroupeException.badInput("fanout.files '" + fanout.files() + "' matches no file tracked at the base ("
                    + goal.file() + ")");
        }
        java.util.Set<String> ids = new java.util.HashSet<>();
        java.util.Set<String> slugs = new java.util.HashSet<>();
        goal.tasks().forEach(t -> {
            ids.add(t.id());
            slugs.add(t.slug());
        });
        List<String> canaries = files.subList(0, Math.min(fanout.canary(), files.size()));
        List<Goal.TaskSpec> made = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            String file = files.get(i);
            if (!ids.add(file)) {
                throw TroupeException.badInput("fan-out task '" + file + "' has the id of a listed task; rename that task");
            }
            String slug = dev.troupe.goal.TaskIds.uniqueSlug(file, slugs);
            slugs.add(slug);
            made.add(new Goal.TaskSpec(file, slug, fanout.prompt().replace("{file}", file), List.of(), Optional.empty(),
                    Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), List.of(),
                    i < canaries.size() ? List.of() : canaries, goal.agent().review()));
        }
        return goal.withTasks(made);
    }

    Path runDir() {
        return top.resolve(TROUPE_DIR).resolve("runs").resolve(runId);
    }

    Path worktrees() {
        return top.resolve(TROUPE_DIR).resolve("worktrees").resolve(runId);
    }

    /** Makes the run's directories and hides {@code .troupe/} from git status (via info/exclude, not .gitignore). */
    void createFootprint() throws IOException {
        Path runDir = runDir();
        Files.createDirectories(runDir.resolve("agents"));
        Files.createDirectories(runDir.resolve("results"));
        Files.createDirectories(worktrees());
        String name = goal.file().getFileName().toString().toLowerCase().endsWith(".json") ? "goal.json" : "goal.yaml";
        Files.copy(goal.file(), runDir.resolve(name));
        Path exclude = commonDir.resolve("info").resolve("exclude");
        Files.createDirectories(exclude.getParent());
        String line = "/" + TROUPE_DIR + "/";
        List<String> present = Files.exists(exclude) ? Files.readAllLines(exclude, StandardCharsets.UTF_8) : List.of();
        if (!present.contains(line)) {
            String prefix = Files.exists(exclude) && Files.size(exclude) > 0 && !endsWithNewline(exclude) ? "\n" : "";
            Files.writeString(exclude, prefix + "# troupe's runs and worktrees\n" + line + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }

    private static boolean endsWithNewline(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        return bytes.length == 0 || bytes[bytes.length - 1] == '\n';
    }

    private static String parent(String branch) {
        int slash = branch.lastIndexOf('/');
        return slash > 0 ? branch.substring(0, slash) : null;
    }

    private static String currentBranch(Path top) throws TroupeException {
        try {
            return git(top, "symbolic-ref", "--quiet", "--short", "HEAD");
        } catch (GitException detached) {
            throw TroupeException.badInput(top + " has a detached HEAD; name the branch to start from with base:");
        }
    }

    private static void checkBranchName(Path top, String branch) throws TroupeException {
        try {
            git(top, "check-ref-format", "--branch", branch);
        } catch (GitException e) {
            throw TroupeException.badInput("'" + branch + "' is not a valid branch name");
        }
    }

    private static Optional<String> resolve(Path top, String revision) throws GitException {
        try {
            return Optional.of(git(top, "rev-parse", "--verify", "--quiet", revision));
        } catch (GitException missing) {
            return Optional.empty();
        }
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
