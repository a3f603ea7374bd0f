package dev.troupe.goal;

import com.fasterxml.jackson.databind.JsonNode;
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
                    sandboxByDefault, false, List.of(), false, Optional.empty());
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
        JsonNode sandbox = raw.sandbox();
        boolean sandboxed = sandbox == null || sandbox.isNull() ? sandboxByDefault : sandbox.isObject() || sandbox.asBoolean();
        if (sandbox != null && !sandbox.isNull() && !sandbox.isBoolean() && !sandbox.isObject()) {
            throw at.apply("/workspace/sandbox", "workspace.sandbox is true, false or {network: [hosts]} (or"
                    + " {network: any}), not " + sandbox);
        }
        JsonNode network = sandbox != null && sandbox.isObject() ? network(sandbox) : null;
        boolean any = network != null && network.isTextual();
        return new Goal.Workspace(copy, Optional.ofNullable(raw.setup()).map(String::strip), inputs,
                raw.keep() != null ? raw.keep() : keepByDefault, Optional.ofNullable(raw.ports()), sandboxed, any,
                network == null || any ? List.of() : endpoints(network),
                Boolean.TRUE.equals(raw.allowUnconfinedBypass()),
                Optional.ofNullable(raw.root()).map(root -> relativeTo.resolve(root.strip()).normalize()));
    }

    /** {@code sandbox: {network: ...}}: its only key, a list of hosts or {@code any}; null when not given. */
    private JsonNode network(JsonNode sandbox) throws GoalException {
        var names = sandbox.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!name.equals("network")) {
                throw at.apply("/workspace/sandbox/" + name, "unknown key 'sandbox." + name + "'; workspace.sandbox"
                        + " takes 'network' (a list of hosts the agents may reach, or 'any')");
            }
        }
        JsonNode network = sandbox.get("network");
        if (network == null || network.isNull()) {
            return null;
        }
        if (network.isTextual() && !network.asText().strip().equals("any")
                || !network.isTextual() && !network.isArray()) {
            throw at.apply("/workspace/sandbox/network", "workspace.sandbox.network is a list of hosts the agents may"
                    + " reach besides their API (host, host:port or https://host), or 'any', not " + network);
        }
        return network;
    }

    private List<Endpoint> endpoints(JsonNode network) throws GoalException {
        List<Endpoint> endpoints = new java.util.ArrayList<>();
        for (int i = 0; i < network.size(); i++) {
            JsonNode entry = network.get(i);
            try {
                if (!entry.isTextual()) {
                    throw new IllegalArgumentException(entry + " is not a host");
                }
                endpoints.add(Endpoint.parse(entry.asText()));
            } catch (IllegalArgumentException e) {
                throw at.apply("/workspace/sandbox/network/" + i, "workspace.sandbox.network: " + e.getMessage());
            }
        }
        return List.copyOf(endpoints);
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
