package dev.troupe.cli;

import dev.troupe.git.GitException;
import dev.troupe.git.Pathspecs;
import dev.troupe.goal.Goal;
import dev.troupe.goal.GoalPlaces;
import dev.troupe.workspace.WorkspaceRoot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The run as it starts: its repository, base, branches and tasks (a fan-out's made from the base), and its
 * footprint: the run directory, the {@code .troupe/} exclude and the folder of its workspaces. {@link Preflight}
 * checks everything first, while nothing has been created yet.
 *
 * @param top the repository's top-level directory
 * @param baseCommit the commit the run starts from
 * @param integrationExists the integration branch already exists and the run continues from its head
 */
record RunSetup(Goal goal, Path top, Path commonDir, String base, String baseCommit, String runId,
        String integrationBranch, boolean integrationExists, String startCommit, List<String> warnings) {

    static final String TROUPE_DIR = ".troupe";

    /**
     * The run as it would start, once every check of {@link Preflight} passed; otherwise every problem, one a line.
     *
     * @param allowDirty uncommitted changes to tracked files are left alone rather than refused
     */
    static RunSetup check(Goal goal, Optional<String> into, boolean allowDirty) throws TroupeException {
        Preflight.Findings found = Preflight.check(goal, into,
                allowDirty ? Preflight.Uncommitted.ALLOW : Preflight.Uncommitted.REFUSE);
        if (!found.problems().isEmpty()) {
            throw TroupeException.badInput(String.join("\n", found.problems()));
        }
        return found.setup().orElseThrow();
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
        List<String> files = fanoutFiles(fanout, goal.places(), top, baseCommit);
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
                throw TroupeException.badInput(goal.places().problem("/fanout/files", "fan-out task '" + file
                        + "' has the id of a listed task; rename that task").getMessage());
            }
            String slug = dev.troupe.goal.TaskIds.uniqueSlug(file, slugs);
            slugs.add(slug);
            made.add(new Goal.TaskSpec(file, slug, fanout.prompt().replace("{file}", file), List.of(), Optional.empty(),
                    Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), List.of(),
                    i < canaries.size() ? List.of() : canaries, goal.agent().review(), goal.agent().retry())
                    .withVariants(goal.agent().variants()));
        }
        return goal.withTasks(made);
    }

    /** The files tracked at {@code baseCommit} that {@code fanout.files} matches; refused when there are none. */
    static List<String> fanoutFiles(Goal.Fanout fanout, GoalPlaces places, Path top, String baseCommit)
            throws TroupeException {
        List<String> files;
        try {
            files = Pathspecs.filesAt(top, baseCommit, fanout.files());
        } catch (GitException e) {
            throw new TroupeException(ExitCodes.INTERNAL, e.getMessage());
        }
        if (files.isEmpty()) {
            throw TroupeException.badInput(places.problem("/fanout/files", "fanout.files '" + fanout.files()
                    + "' matches no file tracked at the base").getMessage());
        }
        return files;
    }

    Path runDir() {
        return top.resolve(TROUPE_DIR).resolve("runs").resolve(runId);
    }

    /** Where the run's workspaces live: outside the repository (see {@link WorkspaceRoot}). */
    WorkspaceRoot workspaceRoot() {
        return WorkspaceRoot.of(top, goal.workspace().root());
    }

    /** The run's own workspaces, removed at its end. */
    Path worktrees() {
        return workspaceRoot().runWorktrees(runId);
    }

    /** Makes the run's directories and hides {@code .troupe/} from git status (via info/exclude, not .gitignore). */
    void createFootprint() throws IOException {
        Path runDir = runDir();
        Files.createDirectories(runDir.resolve("agents"));
        Files.createDirectories(runDir.resolve("results"));
        Files.createDirectories(worktrees());
        workspaceRoot().remember(top);
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
}
