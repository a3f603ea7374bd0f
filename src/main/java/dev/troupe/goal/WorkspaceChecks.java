package dev.troupe.goal;

import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * The checks of a goal file's {@code workspace:} section, and its defaults (a bare checkout, as before; whether
 * workspaces are kept and sandboxed by default is {@code application.conf}'s {@code troupe.defaults.workspace}).
 */
final class WorkspaceChecks {

    private static final int HIGHEST_PORT = 65535;

    private final BiFunction<String, String, GoalException> at;
    private final RawGoal.Workspace raw;
    /** The team as read, or null when it could not be (then the port range is not checked against it). */
    private final Goal.Team team;
    private final java.nio.file.Path relativeTo;
    private final boolean keepByDefault;
    private final boolean sandboxByDefault;

    /**
     * @param relativeTo what a relative {@code workspace.root} is relative to: the goal file's folder
     * @param defaults the goal-level defaults ({@code troupe.defaults})
     */
    WorkspaceChecks(BiFunction<String, String, GoalException> at, RawGoal.Workspace raw, Goal.Team team,
            java.nio.file.Path relativeTo, com.typesafe.config.Config defaults) {
        this.relativeTo = relativeTo;
        this.keepByDefault = defaults.getBoolean("workspace.keep");
        this.sandboxByDefault = defaults.getBoolean("workspace.sandbox");
        this.at = at;
        this.raw = raw;
        this.team = team;
    }

    Goal.Workspace workspace() throws GoalException {
        if (raw == null) {
            return new Goal.Workspace(List.of(), Optional.empty(), List.of(), keepByDefault, Optional.empty(),
                    sandboxByDefault, Optional.empty());
        }
        List<String> copy = globs(raw.copy(), "/workspace/copy", "workspace.copy");
        List<String> inputs = globs(raw.setupInputs(), "/workspace/setup-inputs", "workspace.setup-inputs");
        if (raw.setup() != null && raw.setup().isBlank()) {
            throw at.apply("/workspace/setup", "workspace.setup is empty; give a command, or leave the key out");
        }
        if (raw.setup() == null && !inputs.isEmpty()) {
            throw at.apply("/workspace/setup-inputs", "workspace.setup-inputs without a workspace.setup to run");
        }
        if (raw.ports() != null) {
            int last = team == null ? raw.ports() : raw.ports() + Goal.Workspace.PORT_STRIDE * team.size();
            if (raw.ports() < 1 || last > HIGHEST_PORT) {
                throw at.apply("/workspace/ports", "workspace.ports must leave room for every worker's port (first + "
                        + Goal.Workspace.PORT_STRIDE + " x worker) between 1 and " + HIGHEST_PORT + ", not " + raw.ports());
            }
        }
        if (raw.root() != null && raw.root().isBlank()) {
            throw at.apply("/workspace/root", "workspace.root is empty; give a folder, or leave the key out");
        }
        return new Goal.Workspace(copy, Optional.ofNullable(raw.setup()).map(String::strip), inputs,
                raw.keep() != null ? raw.keep() : keepByDefault, Optional.ofNullable(raw.ports()),
                raw.sandbox() != null ? raw.sandbox() : sandboxByDefault,
                Optional.ofNullable(raw.root()).map(root -> relativeTo.resolve(root.strip()).normalize()));
    }

    /** Globs as for zones: git's {@code :(glob)} pathspecs, inside the repository. */
    private List<String> globs(List<String> globs, String pointer, String name) throws GoalException {
        if (globs == null) {
            return List.of();
        }
        for (int i = 0; i < globs.size(); i++) {
            String glob = globs.get(i);
            if (glob == null || glob.isBlank()) {
                throw at.apply(pointer + "/" + i, name + " has an empty entry");
            }
            Optional<String> notGlob = Zones.problem(glob.strip());
            if (notGlob.isPresent()) {
                throw at.apply(pointer + "/" + i, name + ": '" + glob + "' is not a glob: " + notGlob.get());
            }
        }
        return globs.stream().map(String::strip).toList();
    }
}
