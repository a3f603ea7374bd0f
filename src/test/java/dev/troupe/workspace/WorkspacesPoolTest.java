package dev.troupe.workspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.troupe.agent.LiveAgents;
import dev.troupe.git.Commits;
import dev.troupe.goal.Goal;
import dev.troupe.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pool of kept workspaces across runs, in a real repository: what is stopped, saved and reset, and when. */
class WorkspacesPoolTest {

    @TempDir
    Path tmp;

    private final List<Process> started = new ArrayList<>();
    private final List<String> saved = new ArrayList<>();

    @AfterEach
    void stopProcesses() {
        started.forEach(Process::destroyForcibly);
    }

    private final Workspaces.Listener listener = new Workspaces.Listener() {
        @Override
        public void setupStarted(Workspace workspace, String command, Path log) {}

        @Override
        public void setupDone(Workspace workspace, long millis, int exitCode, String failure, Path log) {}

        @Override
        public void leftoversSaved(Workspace workspace, String branch) {
            saved.add(workspace.name() + " " + branch);
        }
    };

    private TestRepo repo() {
        return TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hello\n", "a.txt", "a\n"));
    }

    private Workspaces pool(TestRepo repo, String runId, Optional<String> setup) {
        Goal.Workspace spec = new Goal.Workspace(List.of(), setup, List.of(), true, Optional.empty(), false, false, List.of(), false,
                Optional.empty());
        return new Workspaces(repo.dir(), tmp.resolve("own"), WorkspaceRoot.of(repo.dir(), Optional.empty()).kept(),
                tmp.resolve("runs/" + runId), runId, "TROUPE_RUN_ID",
                new Workspaces.Settings(spec, Duration.ofMinutes(1), Duration.ofSeconds(1), 1, 1), new LiveAgents());
    }

    /** A process running in {@code workspace} as an agent of {@code run} would: with the workspace's environment. */
    private Process agentIn(Workspace workspace, String run) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("sleep", "600").directory(workspace.dir().toFile());
        builder.environment().putAll(workspace.environment(Optional.empty()));
        builder.environment().put("TROUPE_RUN_ID", run);
        Process process = builder.start();
        started.add(process);
        return process;
    }

    @Test
    void reclaimingAWorkspaceInTheSameRunStopsNothingAndSavesNothing() throws Exception {
        TestRepo repo = repo();
        String base = repo.head();
        Workspaces run = pool(repo, "r1", Optional.empty());
        Workspace one = run.claim();
        Workspace two = run.claim();
        run.prepare(one, base, Map.of(), listener);
        run.prepare(two, base, Map.of(), listener);
        Process working = agentIn(two, "r1");
        run.release(one);

        Workspace again = run.claim();
        run.prepare(again, base, Map.of(), listener);

        assertEquals("worker-1", again.name());
        assertTrue(working.isAlive(), "the agent working in worker-2 lives on");
        assertEquals(List.of(), saved);
    }

    @Test
    void aStoppedRunsAgentIsStoppedOnlyInItsOwnWorkspaceAndItsWorkSavedEvenMidMerge() throws Exception {
        TestRepo repo = repo();
        String base = repo.head();
        Workspaces first = pool(repo, "r1", Optional.empty());
        Workspace one = first.claim();
        Workspace two = first.claim();
        first.prepare(one, base, Map.of(), listener);
        first.prepare(two, base, Map.of(), listener);
        // The agent in worker-1 was merging when its run was killed: conflicts, half done.
        Path dir = one.dir();
        repo.git("branch", "side", base);
        Path sideTree = tmp.resolve("side");
        repo.git("worktree", "add", "--quiet", sideTree.toString(), "side");
        Files.writeString(sideTree.resolve("a.txt"), "side\n");
        Commits.commitAll(sideTree, "side\n");
        Files.writeString(dir.resolve("a.txt"), "mine\n");
        Commits.commitAll(dir, "mine\n");
        new ProcessBuilder("git", "-C", dir.toString(), "merge", "--quiet", "side").start().waitFor();
        assertTrue(Files.readString(dir.resolve("a.txt")).contains("<<<<<<<"), "a conflict is left");
        Process orphan = agentIn(one, "r1");
        first.releaseAll();

        Workspaces second = pool(repo, "r2", Optional.empty());
        Workspace alsoRunning = second.claim();
        Workspace next = second.claim();
        assertEquals("worker-1", alsoRunning.name());
        second.prepare(next, base, Map.of(), listener);
        Process newAgent = agentIn(next, "r2");
        Process secondsOwn = agentIn(alsoRunning, "r2");
        secondsOwn.destroyForcibly().waitFor();
        second.prepare(alsoRunning, base, Map.of(), listener);

        assertTrue(orphan.waitFor(30, TimeUnit.SECONDS), "the stopped run's agent in worker-1 is stopped");
        assertTrue(newAgent.isAlive(), "the new run's agent in worker-2 is not");
        assertEquals(List.of("worker-1 troupe/failed/r1/interrupted-worker-1"), saved);
        assertTrue(repo.show("troupe/failed/r1/interrupted-worker-1", "a.txt").contains("<<<<<<<"),
                "the half-done merge is kept as the agent left it");
        assertEquals("a\n", Files.readString(dir.resolve("a.txt")), "reset to the base");
        Files.writeString(dir.resolve("b.txt"), "next task\n");
        Commits.commitAll(dir, "next\n");
        assertEquals("next task", repo.show(repo.git("-C", dir.toString(), "rev-parse", "HEAD"), "b.txt"),
                "the merge was given up: the next task commits");
    }

    @Test
    void aNewWorkspaceIsSetUpBeforeTheNextOneIsCheckedOut() throws Exception {
        TestRepo repo = repo();
        String base = repo.head();
        Workspaces run = pool(repo, "r1", Optional.of("ls -d ../worker-*/ | wc -l > workspaces-seen.txt"));
        Workspace one = run.claim();
        Workspace two = run.claim();

        CompletableFuture<Void> first = CompletableFuture.runAsync(() -> prepare(run, one, base));
        CompletableFuture<Void> second = CompletableFuture.runAsync(() -> prepare(run, two, base));
        first.get(60, TimeUnit.SECONDS);
        second.get(60, TimeUnit.SECONDS);

        List<Integer> seen = new ArrayList<>();
        for (Workspace workspace : List.of(one, two)) {
            seen.add(Integer.parseInt(Files.readString(workspace.dir().resolve("workspaces-seen.txt")).strip()));
        }
        seen.sort(null);
        assertEquals(List.of(1, 2), seen, "the first setup ran while the other workspace was not checked out yet");
    }

    private void prepare(Workspaces run, Workspace workspace, String base) {
        try {
            run.prepare(workspace, base, Map.of(), listener);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aFileTheNewBaseTracksIsNoLongerLeftOut() throws Exception {
        TestRepo repo = repo();
        Workspaces run = pool(repo, "r1", Optional.of("echo generated > gen.txt"));
        Workspace one = run.claim();
        assertEquals(List.of("gen.txt"), run.prepare(one, repo.head(), Map.of(), listener).leaveOut());
        repo.write("gen.txt", "now the project's\n");
        repo.git("add", "gen.txt");
        repo.git("commit", "--quiet", "-m", "track gen.txt");

        List<String> leaveOut = run.prepare(one, repo.head(), Map.of(), listener).leaveOut();

        assertFalse(leaveOut.contains("gen.txt"), leaveOut.toString());
    }

    @Test
    void setupRunsWithoutTheApiCredentialsTheAgentsGet() throws Exception {
        TestRepo repo = repo();
        Workspaces run = pool(repo, "r1", Optional.of("printf '%s|%s' \"$ANTHROPIC_API_KEY\" \"$NPM_TOKEN\" > seen.txt"));
        Workspace one = run.claim();

        run.prepare(one, repo.head(), Map.of("ANTHROPIC_API_KEY", "sk-ant-test-0123456789", "NPM_TOKEN", "npm-0123456789"),
                listener);

        assertEquals("|npm-0123456789", Files.readString(one.dir().resolve("seen.txt")),
                "the registry's token is the setup's to use; the Anthropic key is not");
    }

    @Test
    void aCredentialTheSetupPrintsIsMaskedInItsLog() throws Exception {
        TestRepo repo = repo();
        Workspaces run = pool(repo, "r1", Optional.of("echo \"token is $NPM_TOKEN\"; echo done"));
        Workspace one = run.claim();

        run.prepare(one, repo.head(), Map.of("NPM_TOKEN", "npm-0123456789"), listener);

        String log = Files.readString(run.setupLog(one));
        assertTrue(log.contains("token is [redacted]") && log.contains("done"), log);
        assertFalse(log.contains("npm-0123456789"), log);
    }

    @Test
    void aResetKeepsWhatSetupMadeAndDropsWhatAnAgentBuiltThatGitIgnores() throws Exception {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hello\n", ".gitignore", "deps/\ncoverage/\n"));
        Workspaces run = pool(repo, "r1", Optional.of("mkdir -p deps && echo 1 > deps/left-pad.js"));
        Workspace one = run.claim();
        run.prepare(one, repo.head(), Map.of(), listener);
        // What an agent left: a build's ignored output, and a file it put into setup's folder.
        Files.createDirectories(one.dir().resolve("coverage"));
        Files.writeString(one.dir().resolve("coverage/report.txt"), "ran\n");
        Files.writeString(one.dir().resolve("deps/installed-by-agent.js"), "2\n");

        run.prepare(one, repo.head(), Map.of(), listener);

        assertTrue(Files.exists(one.dir().resolve("deps/left-pad.js")), "setup's output stays");
        assertFalse(Files.exists(one.dir().resolve("coverage")), "the agent's ignored build output goes");
        assertTrue(Files.exists(one.dir().resolve("deps/installed-by-agent.js")),
                "inside setup's folder a reset does not look: it is setup's to keep");
    }
}
