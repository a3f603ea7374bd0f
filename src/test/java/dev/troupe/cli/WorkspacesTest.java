package dev.troupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.testing.Await;
import dev.troupe.testing.FakeAgent;
import dev.troupe.testing.Journals;
import dev.troupe.testing.TestRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workspaces end to end, on a small Node-like project: its test needs an untracked {@code .env} (copied from the
 * user's checkout) and an ignored {@code deps/} that {@code setup.sh} makes from {@code package-lock.json}, and
 * refuses to run where a folder of its path starts with a dot, as Express's does. Each
 * setup appends a line (its workspace number and the lock's content) to a file outside the repository, so a test
 * can count them.
 */
class WorkspacesTest {

    @TempDir
    Path tmp;

    private TestRepo repo;
    private Path setups;

    private static final String SETUP_SH = """
            #!/usr/bin/env bash
            set -eu
            mkdir -p deps
            for dep in $(cat package-lock.json); do echo "module.exports = '$dep'" > "deps/$dep.js"; done
            echo "$TROUPE_WORKER $(cat package-lock.json | tr '\\n' ' ')" >> "$SETUPS"
            """;

    private static final String TEST_SH = """
            #!/usr/bin/env bash
            set -eu
            # As Express's file-serving tests (its send dependency's dotfiles rule): no segment may start with a dot.
            case "$PWD/" in */.*) echo "refused: a dot-segment in $PWD" >&2; exit 1;; esac
            grep -q '^API_URL=' .env
            for dep in $(cat package-lock.json); do test -f "deps/$dep.js"; done
            """;

    private void project() throws IOException {
        repo = TestRepo.create(tmp.resolve("repo"), Map.of(
                "README.md", "a Node-like project\n",
                ".gitignore", "deps/\n.env\n",
                "package-lock.json", "left-pad\n",
                "setup.sh", SETUP_SH,
                "test.sh", TEST_SH));
        // The user's own untracked configuration: never committed, needed by the tests.
        Files.writeString(repo.dir().resolve(".env"), "API_URL=http://localhost:1\n");
        setups = tmp.resolve("setups.txt");
    }

    private Path goal(String name, String team, String workspace, String tasks) throws IOException {
        String yaml = "goal: test\nrepo: " + repo.dir() + "\n" + team
                + "agent:\n  command: " + FakeAgent.yamlCommand() + "\n  isolate-config: true\n"
                + "  env: {SETUPS: \"" + setups + "\"}\n"
                + "workspace:\n" + workspace
                + "tasks:\n" + tasks;
        Path file = tmp.resolve(name);
        Files.writeString(file, yaml);
        return file;
    }

    private static final String PREPARED = """
              copy: [".env"]
              setup: bash setup.sh
              setup-inputs: [package-lock.json]
            """;

    private Invocation run(Path goal, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("run", goal.toString()));
        args.addAll(List.of(more));
        Invocation invocation = Invocation.troupe(args.toArray(String[]::new));
        integrationBranch();
        return invocation;
    }

    private List<String> setupLines() throws IOException {
        return Files.exists(setups) ? Files.readAllLines(setups) : List.of();
    }

    /** Integration branches in the order their runs appeared: run ids sort by the second only, and two runs may share one. */
    private final List<String> runBranches = new java.util.ArrayList<>();

    /** The latest run's integration branch. */
    private String integrationBranch() {
        repo.branches("troupe/*").stream()
                .filter(b -> !b.startsWith("troupe/tasks/") && !b.startsWith("troupe/failed/"))
                .filter(b -> !runBranches.contains(b))
                .forEach(runBranches::add);
        return runBranches.get(runBranches.size() - 1);
    }

    private List<JsonNode> events(String runId) {
        return Journals.read(repo.dir().resolve(".troupe/runs/" + runId + "/events.jsonl"));
    }

    /** How many agents the journal of the newest run, live or not, says were started. */
    private long agentsStartedInTheNewestRun() {
        Path runs = repo.dir().resolve(".troupe/runs");
        if (!Files.isDirectory(runs)) {
            return 0;
        }
        try (var dirs = Files.list(runs)) {
            return dirs.max(java.util.Comparator.comparing(Path::getFileName))
                    .map(run -> Journals.ofType(Journals.readLive(run.resolve("events.jsonl")), "agent-started").size())
                    .orElse(0);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private String runIdOf(String branch) {
        return branch.substring("troupe/".length());
    }

    @Test
    void agentsAndTheCheckFindTheProjectReadyAndNothingOfTheWorkspaceReachesACommit() throws IOException {
        project();
        Path goal = goal("goal.yaml", "team: {size: 2, stagger: 0ms}\nsync: {check: bash test.sh}\n",
                PREPARED + "  ports: 3000\n", """
                  - id: a
                    prompt: |
                      run bash test.sh
                      run echo "$TROUPE_WORKER $TROUPE_PORT" > port-a.txt
                  - id: b
                    prompt: |
                      run bash test.sh
                      run echo "$TROUPE_WORKER $TROUPE_PORT" > port-b.txt
                  - id: c
                    prompt: |
                      run bash test.sh
                      run echo "$TROUPE_WORKER $TROUPE_PORT" > port-c.txt
                  - id: d
                    prompt: |
                      run bash test.sh
                      run echo "$TROUPE_WORKER $TROUPE_PORT" > port-d.txt
                """);

        Invocation run = run(goal);

        assertEquals(0, run.exitCode(), run.err());
        String branch = integrationBranch();
        assertEquals(List.of("a", "b", "c", "d"), repo.mergedTasks(branch).stream().sorted().toList());
        Map<String, String> tree = repo.tree(branch);
        assertFalse(tree.containsKey(".env"), "the copied file is never committed: " + tree.keySet());
        assertTrue(tree.keySet().stream().noneMatch(path -> path.startsWith("deps/")), "nor setup output: " + tree.keySet());
        // Setup ran once in each workspace: the two workers' and the check's (number 0).
        List<String> workspaces = setupLines().stream().map(line -> line.split(" ")[0]).sorted().toList();
        assertEquals(List.of("0", "1", "2"), workspaces, "one setup per workspace: " + setupLines());
        // Each task ran with its worker's number and port.
        List<JsonNode> events = events(runIdOf(branch));
        Map<String, String> workerOf = new HashMap<>();
        Journals.ofType(events, "task-assigned").forEach(e -> workerOf.put(e.path("task").asText(), e.path("worker").asText()));
        for (String task : List.of("a", "b", "c", "d")) {
            String[] seen = repo.show(branch, "port-" + task + ".txt").strip().split(" ");
            int k = Integer.parseInt(workerOf.get(task).substring("worker-".length()));
            assertEquals(List.of(Integer.toString(k), Integer.toString(3000 + 100 * k)), List.of(seen), "task " + task);
        }
        // The setups are journaled, timed, and their output is in the run directory.
        List<JsonNode> done = Journals.ofType(events, "setup-done");
        assertEquals(3, done.size(), "setup-done: " + done);
        assertTrue(done.stream().allMatch(e -> e.path("failure").isNull() || e.path("failure").isMissingNode()), done.toString());
        assertTrue(done.stream().allMatch(e -> e.path("durationMs").asLong() >= 0));
        Path runDir = repo.dir().resolve(".troupe/runs/" + runIdOf(branch));
        assertTrue(Files.readString(runDir.resolve("setup/worker-1.log")).contains("bash setup.sh"));
        assertTrue(Files.exists(runDir.resolve("setup/check.log")));
        assertEquals("", repo.status(), "the user's checkout is untouched");
    }

    @Test
    void copiedFilesTheAgentAddedAndCommittedItselfNeverReachTheIntegrationBranch() throws IOException {
        project();
        // Untracked in the user's checkout and not ignored: git add -A takes it, unlike the ignored .env.
        Files.writeString(repo.dir().resolve("local.conf"), "token=secret\n");
        Path goal = goal("goal.yaml", "team: {size: 1, stagger: 0ms}\n",
                PREPARED.replace("copy: [\".env\"]", "copy: [\".env\", \"local.conf\"]"), """
                  - id: committed
                    prompt: |
                      run bash test.sh
                      run echo done > a.txt
                      run git add -A && git add --force .env
                      run git commit -qm mine
                  - id: staged
                    prompt: |
                      run echo done > b.txt
                      run git add -A && git add --force .env
                    after: [committed]
                """);

        Invocation run = run(goal);

        assertEquals(0, run.exitCode(), run.err());
        String branch = integrationBranch();
        assertEquals(List.of("committed", "staged"), repo.mergedTasks(branch));
        Map<String, String> tree = repo.tree(branch);
        assertTrue(tree.containsKey("a.txt") && tree.containsKey("b.txt"), tree.keySet().toString());
        assertFalse(tree.containsKey(".env") || tree.containsKey("local.conf"), "no copied file: " + tree.keySet());
        assertEquals("", repo.git("log", "--all", "--format=%h %s", "--", ".env", "local.conf"),
                "no commit that any branch holds touches them, the task branches' included");
    }

    @Test
    void setupRunsAgainWhenItsInputsChangeAtTheTasksBase() throws IOException {
        project();
        Path goal = goal("goal.yaml", "team: {size: 1, stagger: 0ms}\n", PREPARED, """
                  - id: add-dependency
                    prompt: |
                      run bash test.sh
                      run printf 'left-pad\\nright-pad\\n' > package-lock.json
                  - id: use-it
                    prompt: |
                      run bash test.sh
                      run test -f deps/right-pad.js
                      write used.txt yes
                    after: [add-dependency]
                  - id: same-inputs
                    prompt: |
                      run bash test.sh
                      write same.txt yes
                    after: [use-it]
                """);

        Invocation run = run(goal);

        assertEquals(0, run.exitCode(), run.err());
        assertEquals(List.of("1 left-pad ", "1 left-pad right-pad "), setupLines(),
                "once for the first base, once more where package-lock.json changed, not again for the same inputs");
        assertFalse(repo.tree(integrationBranch()).keySet().stream().anyMatch(path -> path.startsWith("deps/")));
    }

    /** A run of one task on the kept workspace, whose agent fails unless the workspace is without {@code absent}. */
    private Invocation secondRunOnKeptWorkspace(String absent) throws IOException {
        Path second = goal("second.yaml", "team: {size: 1, stagger: 0ms}\n", PREPARED + "  keep: true\n", """
                  - id: two
                    prompt: |
                      run bash test.sh
                      run test ! -e %s
                      write two.txt 2
                """.formatted(absent));
        return run(second);
    }

    @Test
    void keptWorkspacesAreReusedByTheNextRunAndRemovedByCleanup() throws IOException {
        project();
        String workspace = PREPARED + "  keep: true\n";
        Path first = goal("first.yaml", "team: {size: 1, stagger: 0ms}\n", workspace, """
                  - id: one
                    prompt: |
                      run bash test.sh
                      write one.txt 1
                """);
        assertEquals(0, run(first).exitCode());
        Path kept = repo.workspaces().resolve("workspaces/worker-1");
        assertTrue(Files.isDirectory(kept.resolve("deps")), "the workspace and its setup output stay after the run");

        Invocation again = secondRunOnKeptWorkspace("one.txt");

        assertEquals(0, again.exitCode(), again.err());
        assertEquals(1, setupLines().size(), "the second run set nothing up again: " + setupLines());
        assertEquals(List.of("README.md", ".gitignore", "package-lock.json", "setup.sh", "test.sh", "two.txt").stream().sorted().toList(),
                repo.tree(integrationBranch()).keySet().stream().sorted().toList(), "reset to the second run's base");

        Invocation cleanup = Invocation.troupe("cleanup", "--workspaces", "-C", repo.dir().toString());
        assertEquals(0, cleanup.exitCode(), cleanup.err());
        assertFalse(Files.exists(kept), "cleanup --workspaces removes them");
        assertFalse(repo.git("worktree", "list").contains(repo.workspaces().resolve("workspaces").toString()),
                repo.git("worktree", "list"));
    }

    @Test
    void whatAStoppedRunLeftInAKeptWorkspaceIsSavedBeforeItIsReset() throws IOException {
        project();
        String workspace = PREPARED + "  keep: true\n";
        Path first = goal("first.yaml", "team: {size: 1, stagger: 0ms}\n", workspace, """
                  - id: one
                    prompt: write one.txt 1
                """);
        assertEquals(0, run(first).exitCode());
        String firstRun = runIdOf(integrationBranch());
        // As a killed run leaves it: an agent's uncommitted work in the workspace.
        Path kept = repo.workspaces().resolve("workspaces/worker-1");
        Files.writeString(kept.resolve("half-done.txt"), "work in progress\n");
        Files.writeString(kept.resolve("README.md"), "changed by the agent\n");

        Path second = goal("second.yaml", "team: {size: 1, stagger: 0ms}\n", workspace, """
                  - id: two
                    prompt: |
                      run test ! -e half-done.txt
                      write two.txt 2
                """);
        Invocation again = run(second);

        assertEquals(0, again.exitCode(), again.err());
        String saved = "troupe/failed/" + firstRun + "/interrupted-worker-1";
        assertEquals("work in progress", repo.show(saved, "half-done.txt"));
        assertEquals("changed by the agent", repo.show(saved, "README.md"));
        assertFalse(repo.tree(saved).containsKey(".env"), "never the copied file");
        List<JsonNode> leftovers = Journals.ofType(events(runIdOf(integrationBranch())), "workspace-leftovers");
        assertEquals(saved, leftovers.get(0).path("branch").asText());
        assertFalse(repo.tree(integrationBranch()).containsKey("half-done.txt"));
    }

    @Test
    void aKeptWorkspaceThatARunKilledWithSigkillLeftIsSavedAndResetByTheNextRun() throws Exception {
        project();
        String workspace = PREPARED + "  keep: true\n";
        Path first = goal("first.yaml", "team: {size: 1, stagger: 0ms}\n", workspace, """
                  - id: one
                    prompt: |
                      write wip.txt half done
                      hang
                """);
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        Process troupe = new ProcessBuilder(javaBin.toString(), "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "run", first.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("first.out").toFile()).start();
        Path wip = repo.workspaces().resolve("workspaces/worker-1/wip.txt");
        try {
            Await.until(() -> Files.exists(wip) && agentsStartedInTheNewestRun() == 1,
                    "the agent wrote its file and hangs, and the journal has its pid");
        } finally {
            troupe.destroyForcibly();
            assertTrue(troupe.waitFor(30, TimeUnit.SECONDS));
        }
        String firstRun = runIdOf(integrationBranch());
        long orphan = Journals.ofType(events(firstRun), "agent-started").get(0).path("pid").asLong();
        assertTrue(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false), "the killed run's agent lives on");

        Invocation again = secondRunOnKeptWorkspace("wip.txt");

        assertEquals(0, again.exitCode(), again.err());
        assertFalse(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false), "the orphan agent is stopped");
        assertEquals("half done", repo.show("troupe/failed/" + firstRun + "/interrupted-worker-1", "wip.txt"));
        assertFalse(repo.tree(integrationBranch()).containsKey("wip.txt"));
        assertEquals(1, setupLines().size(), "the kept setup output was reused: " + setupLines());
    }

    @Test
    void resumingAKeptRunKilledMidTaskStopsOnlyItsOrphansAndMergesEachTaskOnce() throws Exception {
        project();
        Path markers = Files.createDirectories(tmp.resolve("markers"));
        Path goal = goal("goal.yaml", "team: {size: 2, stagger: 0ms}\n", PREPARED + "  keep: true\n", """
                  - id: a
                    prompt: |
                      write a.txt 1
                      hang-once %1$s/a
                  - id: b
                    prompt: |
                      write b.txt 2
                      hang-once %1$s/b
                """.formatted(markers));
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        Process troupe = new ProcessBuilder(javaBin.toString(), "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "run", goal.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("first.out").toFile()).start();
        try {
            Await.until(() -> Files.exists(markers.resolve("a")) && Files.exists(markers.resolve("b"))
                    && agentsStartedInTheNewestRun() == 2, "both agents are at work, and the journal has their pids");
        } finally {
            troupe.destroyForcibly();
            assertTrue(troupe.waitFor(30, TimeUnit.SECONDS));
        }
        String branch = integrationBranch();
        List<Long> orphans = Journals.ofType(events(runIdOf(branch)), "agent-started").stream()
                .map(e -> e.path("pid").asLong()).toList();
        assertEquals(2, orphans.size());

        Invocation resumed = Invocation.troupe("resume", "-C", repo.dir().toString());

        assertEquals(0, resumed.exitCode(), resumed.out() + resumed.err());
        assertTrue(orphans.stream().noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)),
                "the killed run's agents are stopped");
        assertEquals(List.of("a", "b"), repo.mergedTasks(branch).stream().sorted().toList(), "each task merged once");
        assertEquals(4, Journals.ofType(events(runIdOf(branch)), "agent-started").size(),
                "one new attempt each: no agent of the resumed run was stopped as a leftover");
        assertEquals("1", repo.show(branch, "a.txt"));
        assertEquals("2", repo.show(branch, "b.txt"));
        assertEquals(2, setupLines().size(), "setup ran once per kept workspace, not again on resume: " + setupLines());
    }

    @Test
    void aCheckWhoseSetupFailsWindsTheRunDownInsteadOfRetryingEachTask() throws IOException {
        project();
        Path goal = goal("goal.yaml", "team: {size: 1, stagger: 0ms}\nsync: {check: bash test.sh}\n", """
                  setup: "if [ $TROUPE_WORKER = 0 ]; then echo no registry here >&2; exit 9; fi; bash setup.sh"
                """, """
                  - id: a
                    prompt: write a.txt 1
                  - id: b
                    prompt: write b.txt 2
                """);

        Invocation run = run(goal);

        assertEquals(1, run.exitCode(), run.err());
        String all = run.out() + run.err();
        assertTrue(all.contains("sync.check cannot run"), all);
        assertTrue(all.contains("setup/check.log"), "names the log: " + all);
        List<JsonNode> events = events(runIdOf(integrationBranch()));
        assertEquals(2, Journals.ofType(events, "agent-started").size(), "one attempt each, none retried: " + all);
        assertEquals(2, Journals.ofType(events, "task-failed").size());
        assertEquals("1", repo.show("troupe/tasks/" + runIdOf(integrationBranch()) + "/a", "a.txt"), "a's work is kept");
    }

    @Test
    void aSetupThatFailsEverywhereStopsTheRunEarlyNamingTheCommandAndItsLog() throws IOException {
        project();
        Path goal = goal("goal.yaml", "team: {size: 2, stagger: 0ms}\n", """
                  setup: "echo cannot reach the registry >&2; exit 7"
                """, """
                  - id: a
                    prompt: write a.txt 1
                  - id: b
                    prompt: write b.txt 2
                  - id: c
                    prompt: write c.txt 3
                """);

        Invocation run = run(goal);

        assertEquals(1, run.exitCode(), run.err());
        String branch = integrationBranch();
        assertTrue(repo.mergedTasks(branch).isEmpty());
        String all = run.out() + run.err();
        assertTrue(all.contains("setup failed on every worker"), all);
        assertTrue(all.contains("cannot reach the registry (setup `echo cannot reach"), "what it said leads: " + all);
        assertTrue(all.contains("exited with 7"), all);
        assertTrue(all.contains("setup/worker-"), "names the log: " + all);
        List<JsonNode> events = events(runIdOf(branch));
        assertEquals(2, Journals.ofType(events, "setup-done").size(), "each of the two workspaces tried once");
        assertTrue(Journals.ofType(events, "agent-started").isEmpty(), "no agent started");
        assertTrue(Journals.ofType(events, "attempt-failed").stream().noneMatch(e -> e.path("counted").asBoolean()),
                "no task lost an attempt to it");
        Path log = repo.dir().resolve(".troupe/runs/" + runIdOf(branch) + "/setup/worker-1.log");
        assertTrue(Files.readString(log).contains("cannot reach the registry"));
        assertTrue(Journals.ofType(events, "task-assigned").stream()
                .map(e -> e.path("task").asText()).collect(Collectors.toSet()).size() <= 2);
    }
}
