package dev.troupe.workspace;

import dev.troupe.git.GitCli;
import dev.troupe.git.GitException;
import dev.troupe.git.Housekeeping;
import dev.troupe.git.LastWords;
import dev.troupe.git.Pathspecs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Makes one workspace ready for one task, blocking: the checkout at the task's base, the copied files, and the
 * setup when its inputs changed. What setup made stays from task to task: a reset deletes only what git neither
 * tracks nor ignores, and not the workspace's own paths (copied files, what setup made that git does not ignore).
 */
final class Preparation {

    /** One step that builds, under the run's build gate. */
    interface Step<T> {
        T run() throws IOException, GitException, SetupFailed;
    }

    private final Workspaces workspaces;
    private final Workspace workspace;
    private final Workspaces.Listener listener;
    private final Path dir;
    /** The turn at the build gate to build in, if one was taken before; else one is taken when needed. */
    private final BuildGate.Turn turn;

    Preparation(Workspaces workspaces, Workspace workspace, Workspaces.Listener listener, BuildGate.Turn turn) {
        this.workspaces = workspaces;
        this.workspace = workspace;
        this.listener = listener;
        this.dir = workspace.dir();
        this.turn = turn;
    }

    Workspaces.Prepared prepare(String baseCommit, Map<String, String> env)
            throws IOException, GitException, SetupFailed {
        if (!Files.exists(dir.resolve(".git"))) {
            // Built whole under one hold of the gate (checked out, copied into, set up), so that the first worker's
            // setup does not queue behind every other worker's checkout.
            workspaces.markPrepared(workspace);
            return workspaces.gated(turn, () -> {
                workspaces.create(dir, baseCommit);
                return ready(baseCommit, env, WorkspaceState.NEW, false);
            });
        }
        WorkspaceState state = WorkspaceState.read(adminDir());
        if (!workspaces.wasPrepared(workspace)) {
            // A kept workspace's first reset of the run (what a stopped run left saved, the files put back at the
            // base) walks the whole worktree: one at a time at the build gate, as a new workspace's checkout, so
            // that the first worker starts after its own reset, not after everyone's fighting for the disk.
            return workspaces.gated(turn, () -> {
                Leftovers.save(dir, workspace.name(), state).ifPresent(branch -> listener.leftoversSaved(workspace,
                        branch));
                workspaces.markPrepared(workspace);
                return resetAndReady(baseCommit, env, state, false);
            });
        }
        return resetAndReady(baseCommit, env, state, true);
    }

    /** An existing workspace put back at {@code baseCommit}, then made ready; {@code gate}: take the gate for setup. */
    private Workspaces.Prepared resetAndReady(String baseCommit, Map<String, String> env, WorkspaceState state,
            boolean gate) throws IOException, GitException, SetupFailed {
        reset(baseCommit, state);
        return ready(baseCommit, env, state.withoutTracked(CopiedFiles.tracked(dir, state.leaveOut())), gate);
    }

    /** The copied files in place and setup run if its inputs changed; {@code gate}: take the gate for setup. */
    private Workspaces.Prepared ready(String baseCommit, Map<String, String> env, WorkspaceState state, boolean gate)
            throws IOException, GitException, SetupFailed {
        Path admin = adminDir();
        List<String> copied = workspaces.copiedFiles();
        Set<String> tracked = CopiedFiles.tracked(dir, copied);
        CopiedFiles.copy(workspaces.copySource(), dir, copied, tracked);
        Set<String> leaveOut = new TreeSet<>(state.leaveOut());
        copied.stream().filter(path -> !tracked.contains(path)).forEach(leaveOut::add);
        state = state.withRun(workspaces.runId()).withSetup(state.setupKey(), List.copyOf(leaveOut));
        Optional<String> setup = workspaces.settings().spec().setup();
        if (setup.isPresent()) {
            String key = setupKey(setup.get(), baseCommit);
            if (!key.equals(state.setupKey())) {
                WorkspaceState before = state.withSetup(null, List.copyOf(leaveOut));
                // Written first: a setup cut short by a crash must run again.
                before.write(admin);
                Step<WorkspaceState> run = () -> runSetup(setup.get(), key, env, before, leaveOut);
                state = gate ? workspaces.gated(turn, run) : run.run();
            }
        }
        state.write(admin);
        return new Workspaces.Prepared(state.leaveOut());
    }

    private WorkspaceState runSetup(String command, String key, Map<String, String> env, WorkspaceState before,
            Set<String> leaveOut) throws IOException, GitException, SetupFailed {
        Path log = workspaces.setupLog(workspace);
        Workspaces.Settings settings = workspaces.settings();
        listener.setupStarted(workspace, command, log);
        Setup.Outcome outcome = Setup.run(command, dir, env, log, settings.setupTimeout(), workspaces.agents(),
                settings.killGrace());
        if (!outcome.passed()) {
            String how = outcome.exitCode() >= 0 ? "exited with " + outcome.exitCode()
                    : "ran past " + settings.setupTimeout().toSeconds() + " s and was stopped";
            String said = Setup.lastWords(log);
            String what = "setup `" + LastWords.bounded(command, 200) + "` " + how + " in workspace "
                    + workspace.name();
            String failure = said.isEmpty() ? what + ", saying nothing; its output is in " + log
                    : said + " (" + what + "; the whole output is in " + log + ")";
            listener.setupDone(workspace, outcome.millis(), outcome.exitCode(), failure, log);
            throw new SetupFailed(failure);
        }
        listener.setupDone(workspace, outcome.millis(), 0, null, log);
        leaveOut.addAll(restoreTrackedAndListMade(log));
        List<String> ignored = CopiedFiles.split(GitCli.run(dir, "ls-files", "-z", "--others", "--ignored",
                "--exclude-standard", "--directory"));
        return before.withSetup(key, List.copyOf(leaveOut)).withSetupMade(ignored);
    }

    /**
     * After setup: tracked files it changed are restored to the base (a task's commit holds only the agent's work),
     * and what it made that git does not ignore is listed, to be left out of commits and resets.
     */
    private List<String> restoreTrackedAndListMade(Path log) throws IOException, GitException {
        List<String> made = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        for (String entry : CopiedFiles.split(GitCli.run(dir, "status", "--porcelain=v1", "-z", "--untracked-files=normal"))) {
            if (entry.length() < 4) {
                continue;
            }
            (entry.startsWith("??") ? made : changed).add(entry.substring(3));
        }
        if (!changed.isEmpty()) {
            GitCli.run(dir, "reset", "--quiet", "--hard");
            Files.writeString(log, "== setup changed tracked files, restored to the base: " + String.join(", ", changed)
                    + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        }
        return made;
    }

    /**
     * A fresh checkout of {@code baseCommit}, detached; then everything git does not track goes, ignored files
     * included (what an agent built or installed), except the workspace's own paths and what the last setup made.
     * While that is unknown (a workspace set up before troupe recorded it), ignored files all stay.
     */
    private void reset(String baseCommit, WorkspaceState state) throws GitException {
        // HEAD moves: not while gc expires its log under its lock (Housekeeping).
        Housekeeping.sharing(dir, () -> {
            resetNow(baseCommit, state);
            return null;
        });
    }

    private void resetNow(String baseCommit, WorkspaceState state) throws GitException {
        quitUnfinished();
        GitCli.run(dir, "checkout", "--quiet", "--force", "--detach", baseCommit);
        boolean keepIgnored = workspaces.settings().spec().setup().isPresent() && state.setupMade() == null;
        List<String> clean = new ArrayList<>(List.of("clean", "--quiet", keepIgnored ? "-ffd" : "-ffdx"));
        List<String> kept = new ArrayList<>(state.leaveOut());
        if (workspaces.settings().spec().setup().isPresent() && state.setupMade() != null) {
            kept.addAll(state.setupMade());
        }
        for (String path : kept) {
            clean.add("--exclude=/" + path.replaceAll("([\\\\*?\\[])", "\\\\$1"));
        }
        GitCli.run(dir, clean.toArray(String[]::new));
    }

    /**
     * A merge, cherry-pick, revert or rebase an agent left half done (its work is saved by now) is given up, so
     * that the next task's commit is not refused as unfinished.
     */
    private void quitUnfinished() throws GitException {
        Path admin = adminDir();
        if (Files.isDirectory(admin.resolve("rebase-merge")) || Files.isDirectory(admin.resolve("rebase-apply"))) {
            GitCli.run(dir, "rebase", "--quit");
        }
        if (Files.isDirectory(admin.resolve("sequencer"))) {
            GitCli.run(dir, "cherry-pick", "--quit");
        }
        if (Stream.of("MERGE_HEAD", "CHERRY_PICK_HEAD", "REVERT_HEAD").anyMatch(f -> Files.exists(admin.resolve(f)))) {
            GitCli.run(dir, "reset", "--quiet", "--hard");
        }
    }

    /** What decides whether setup runs again: its command and its inputs' content at the base. */
    private String setupKey(String command, String baseCommit) throws GitException {
        List<String> inputs = workspaces.settings().spec().setupInputs();
        StringBuilder key = new StringBuilder(command).append('\0');
        if (!inputs.isEmpty()) {
            key.append(Pathspecs.contentAt(dir, baseCommit, inputs));
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(key.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private Path adminDir() throws GitException {
        return Leftovers.adminDir(dir);
    }
}
