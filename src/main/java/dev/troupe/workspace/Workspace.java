package dev.troupe.workspace;

import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * One workspace of the run's {@link Workspaces}: a linked worktree that a worker (or the merger's check) holds
 * while the run lasts. Its {@code number} is the {@code k} of {@code TROUPE_WORKER} and {@code TROUPE_PORT}.
 */
public final class Workspace {

    /** Set for the agents and the setup of worker {@code k}: its number. */
    public static final String WORKER_VARIABLE = "TROUPE_WORKER";

    /**
     * Set for everything that runs in a workspace (agents, setup, the check): its folder. What a stopped run left
     * running there is found by it, and only that: the run's other agents, or a resumed run's, are not touched.
     */
    public static final String DIR_VARIABLE = "TROUPE_WORKSPACE";

    /** Set for the agents and the setup of worker {@code k} when the goal gives {@code workspace.ports}. */
    public static final String PORT_VARIABLE = "TROUPE_PORT";

    private final int number;
    private final String name;
    private final Path dir;
    /** Held while this run uses a kept workspace, so that no other run takes it; null for a run's own. */
    private final FileLock lock;

    Workspace(int number, String name, Path dir, FileLock lock) {
        this.number = number;
        this.name = name;
        this.dir = dir;
        this.lock = lock;
    }

    /** {@code k}: 1 and up for workers, 0 for the merger's check. */
    public int number() {
        return number;
    }

    /** {@code worker-k}, or {@code check}: the folder's name, and the name of its setup log. */
    public String name() {
        return name;
    }

    public Path dir() {
        return dir;
    }

    Optional<FileLock> lock() {
        return Optional.ofNullable(lock);
    }

    /**
     * What the workspace adds to the environment of what runs in it: its folder, its number, and its port if any:
     * {@code ports + 100 * k} for worker {@code k}, {@code ports + 50} for the check (never {@code ports} itself,
     * which is likely the project's own server, perhaps running beside the team).
     */
    public Map<String, String> environment(Optional<Integer> firstPort) {
        Map<String, String> env = new java.util.HashMap<>();
        env.put(DIR_VARIABLE, dir.toString());
        env.put(WORKER_VARIABLE, Integer.toString(number));
        int stride = dev.troupe.goal.Goal.Workspace.PORT_STRIDE;
        firstPort.ifPresent(first -> env.put(PORT_VARIABLE,
                Integer.toString(first + (number == 0 ? stride / 2 : stride * number))));
        return env;
    }

    @Override
    public String toString() {
        return name;
    }
}
