package dev.troupe.workspace;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * What troupe remembers of a workspace between tasks and runs, in {@code troupe-workspace.json} in the worktree's own
 * admin folder ({@code .git/worktrees/<name>/}), which git leaves alone and removes with the worktree.
 *
 * @param run the run that used the workspace last
 * @param setupKey what the last setup that passed ran for (its command and its inputs at the base); null when
 *     setup has not passed here, or the goal has none
 * @param leaveOut paths in the workspace that are the workspace's own, not the project's: copied files and what
 *     setup made that git does not ignore; never committed, kept when the workspace is reset
 * @param setupMade what the last setup that passed made that git ignores ({@code node_modules/}), kept when the
 *     workspace is reset while every other ignored file goes; null when unknown (no setup passed here yet)
 */
record WorkspaceState(String run, String setupKey, List<String> leaveOut, List<String> setupMade) {

    static final String FILE = "troupe-workspace.json";

    static final WorkspaceState NEW = new WorkspaceState(null, null, List.of(), null);

    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    WorkspaceState {
        leaveOut = leaveOut == null ? List.of() : List.copyOf(leaveOut);
        setupMade = setupMade == null ? null : List.copyOf(setupMade);
    }

    /** The state kept in {@code adminDir}, or {@link #NEW} when there is none or it cannot be read. */
    static WorkspaceState read(Path adminDir) {
        Path file = adminDir.resolve(FILE);
        try {
            return Files.exists(file) ? JSON.readValue(file.toFile(), WorkspaceState.class) : NEW;
        } catch (IOException unreadable) {
            // A state half written by a killed troupe: setup runs again, which is always safe.
            return NEW;
        }
    }

    void write(Path adminDir) throws IOException {
        Path file = adminDir.resolve(FILE);
        Path partial = adminDir.resolve(FILE + ".partial");
        JSON.writeValue(partial.toFile(), this);
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    WorkspaceState withRun(String other) {
        return new WorkspaceState(other, setupKey, leaveOut, setupMade);
    }

    /** Without the paths the new base tracks: a file the project now holds is the project's, no longer left out. */
    WorkspaceState withoutTracked(java.util.Set<String> tracked) {
        return new WorkspaceState(run, setupKey, leaveOut.stream().filter(path -> !tracked.contains(path)).toList(),
                setupMade);
    }

    WorkspaceState withSetup(String key, List<String> paths) {
        return new WorkspaceState(run, key, paths, setupMade);
    }

    /** After a setup passed: what it made that git ignores. */
    WorkspaceState withSetupMade(List<String> ignored) {
        return new WorkspaceState(run, setupKey, leaveOut, ignored);
    }
}
