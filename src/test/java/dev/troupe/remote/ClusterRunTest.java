package dev.troupe.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.cli.Main;
import dev.troupe.testing.Await;
import dev.troupe.testing.FakeAgent;
import dev.troupe.testing.Journals;
import dev.troupe.testing.TestRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A team across machines, as separate processes on 127.0.0.1: a lead ({@code troupe run --cluster}) and worker
 * nodes ({@code troupe worker --join}), each a JVM of its own. Every task waits behind a gate that opens once the
 * nodes have joined, so the nodes surely get work.
 */
class ClusterRunTest {

    private static final Pattern JOIN_AT = Pattern.compile("--join (127\\.0\\.0\\.1:\\d+)");

    @TempDir
    Path tmp;

    private TestRepo repo;
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void repository() {
        repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hello\n", ".gitignore", ".troupe/\n.env\n"));
        try {
            // Untracked configuration, which workspace.copy brings into every workspace, a node's too.
            Files.writeString(repo.dir().resolve(".env"), "API_URL=http://127.0.0.1:9\n");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterEach
    void stopEverything() throws InterruptedException {
        ClusterRuns.stopAll(processes);
    }

    @Test
    void twelveTasksOnTheLeadsAndTwoNodesSlotsAreEachMergedOnce() throws Exception {
        Path gate = tmp.resolve("gate");
        Process lead = startLead(goal(11, "grep -q API_URL .env && sleep 0.5", gate));
        String address = joinAddress();
        Process node1 = startNode("node1", address);
        Process node2 = startNode("node2", address);
        awaitNodesJoined(2);
        Files.createFile(gate);

        assertTrue(lead.waitFor(120, TimeUnit.SECONDS), "the run ended");
        assertEquals(0, lead.exitValue(), output("lead"));
        String branch = repo.branches("troupe/*").stream().filter(b -> !b.contains("/tasks/")).findFirst().orElseThrow();
        List<String> merged = repo.mergedTasks(branch);
        assertEquals(12, merged.size(), "each task merged once: " + merged);
        assertEquals(12, Set.copyOf(merged).size(), "each task merged once: " + merged);
        Set<String> nodesThatWorked = assignments().values().stream().filter(w -> w.startsWith("node"))
                .map(w -> w.substring(0, w.indexOf('-'))).collect(Collectors.toSet());
        assertEquals(Set.of("node1", "node2"), nodesThatWorked, "both nodes' slots took tasks: " + assignments());
        String onANode = assignments().entrySet().stream().filter(e -> e.getValue().startsWith("node")).findFirst()
                .orElseThrow().getKey();
        assertTrue(events().stream().anyMatch(e -> e.path("type").asText().equals("agent-output")
                && e.path("task").asText().equals(onANode)), "a node's agent output is in the lead's journal");
        assertTrue(Files.exists(runDir().resolve("results").resolve(onANode + ".md")), "a node's result file");
        assertEquals(onANode, repo.show(branch, onANode + ".txt"), "the node's work merged");
        assertTrue(!repo.tree(branch).containsKey(".env"), "the copied file never reaches a commit");
        List<JsonNode> bundles = Journals.ofType(events(), "bundle-moved");
        assertTrue(bundles.stream().anyMatch(b -> b.path("task").asText().equals(onANode)
                && b.path("direction").asText().equals("from-node") && b.path("bytes").asLong() > 0),
                "the node's commit came back as a bundle: " + bundles);
        assertTrue(bundles.stream().anyMatch(b -> b.path("direction").asText().equals("to-node")
                && b.path("bytes").asLong() > 0), "a new node got the base as a bundle: " + bundles);
        assertEquals(List.of(), Journals.ofType(events(), "attempt-failed"), "every agent found .env, on the nodes too");
        for (Process node : List.of(node1, node2)) {
            assertTrue(node.waitFor(60, TimeUnit.SECONDS), "a node stops when the lead leaves");
            assertEquals(0, node.exitValue());
        }
    }

    @Test
    void aWorkerNodeKilledMidTaskLosesItsTasksToOtherWorkersAndEachIsMergedOnce() throws Exception {
        Path gate = tmp.resolve("gate");
        Process lead = startLead(goal(5, "sleep 3", gate));
        String address = joinAddress();
        Process doomed = startNode("doomed", address);
        awaitNodesJoined(1);
        startNode("survivor", address);
        awaitNodesJoined(2);
        Files.createFile(gate);
        awaitAnAgentOnNode1();

        doomed.destroyForcibly();

        assertTrue(lead.waitFor(120, TimeUnit.SECONDS), "the run ended");
        assertEquals(0, lead.exitValue(), output("lead"));
        String branch = repo.branches("troupe/*").stream().filter(b -> !b.contains("/tasks/")).findFirst().orElseThrow();
        List<String> merged = repo.mergedTasks(branch);
        assertEquals(6, merged.size(), "each task merged once: " + merged);
        assertEquals(6, Set.copyOf(merged).size(), "each task merged once: " + merged);
        List<JsonNode> failed = Journals.ofType(events(), "attempt-failed");
        assertTrue(failed.stream().anyMatch(e -> e.path("reason").asText().contains("node")),
                "a task of the lost node was tried again: " + failed);
        assertEquals(List.of("node1"), Journals.ofType(events(), "node-lost").stream().map(e -> e.path("node").asText())
                .toList(), "the run says which node it lost");
    }

    @Test
    void aNodeFrozenWithSigstopIsTakenOutAndWhatItSaysWhenContinuedIsNeverMerged() throws Exception {
        Path gate = tmp.resolve("gate");
        Process lead = startLead(goal(4, "sleep 3", gate));
        String address = joinAddress();
        Process frozen = startNode("frozen", address);
        awaitNodesJoined(1);
        startNode("awake", address);
        awaitNodesJoined(2);
        Files.createFile(gate);
        awaitAnAgentOnNode1();
        String onFrozen = assignments().entrySet().stream().filter(e -> e.getValue().startsWith("node1-"))
                .findFirst().orElseThrow().getKey();

        signal("STOP", frozen);
        Await.until(() -> !Journals.ofType(events(), "node-lost").isEmpty(), "the frozen node is taken out");
        signal("CONT", frozen);

        assertTrue(lead.waitFor(120, TimeUnit.SECONDS), "the run ended");
        assertEquals(0, lead.exitValue(), output("lead"));
        String branch = repo.branches("troupe/*").stream().filter(b -> !b.contains("/tasks/")).findFirst().orElseThrow();
        List<String> merged = repo.mergedTasks(branch);
        assertEquals(5, Set.copyOf(merged).size(), "each task merged once: " + merged);
        assertEquals(5, merged.size(), "each task merged once: " + merged);
        // Its agent finished while the node was frozen; the node, continued, reports to a worker that is gone.
        assertTrue(Journals.ofType(events(), "task-succeeded").stream()
                .filter(e -> e.path("task").asText().equals(onFrozen))
                .noneMatch(e -> e.path("attempt").asInt() == 1), "the frozen node's attempt never counts");
        assertTrue(frozen.waitFor(60, TimeUnit.SECONDS), "the continued node stops (--once)");
        assertEquals(1, frozen.exitValue(), output("frozen"));
        assertTrue(output("frozen").contains("lost sight of each other"), output("frozen"));
    }

    private static void signal(String signal, Process process) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start().waitFor());
    }

    @Test
    void aLeadKilledMidRunIsFinishedByResumeWithTheNodeJoiningAgainAndEachTaskMergedOnce() throws Exception {
        Path gate = tmp.resolve("gate");
        Process lead = startLead(goal(4, "sleep 2", gate));
        String address = joinAddress();
        // Without --once: a node serves one lead after another, the resumed run's lead too.
        Process node = start("node", List.of("worker", "--join", address, "--slots", "2", "--work-dir",
                tmp.resolve("node").toString()));
        awaitNodesJoined(1);
        Files.createFile(gate);
        awaitAnAgentOnNode1();
        // The lead counts a node joined, and gives it work, before the node sees itself up. Killed in between, the
        // lead leaves a node whose first join never finished, and it gives up ("could not join") rather than waiting
        // for the next lead: seen once in a full suite on two cores. This test is of a node that joined.
        Await.until(() -> output("node").contains("joined the lead at"), 60,
                () -> "the node says it joined; it printed:\n" + output("node"));

        lead.destroyForcibly();
        assertTrue(lead.waitFor(30, TimeUnit.SECONDS));
        // The node's own finding that its lead is gone (the failure detector, then the split-brain resolver's 7 s),
        // then its stint's end (its agents stopped): once 68 s in a full suite on two cores. Its output says which.
        Await.until(() -> output("node").contains("waiting for the next lead"), 120,
                () -> "the node waits for a lead again; it printed:\n" + output("node"));
        Process resumed = start("resumed", List.of("resume", "-C", repo.dir().toString(), "--cluster", address));

        assertTrue(resumed.waitFor(120, TimeUnit.SECONDS), "the resumed run ended");
        assertEquals(0, resumed.exitValue(), output("resumed"));
        String branch = repo.branches("troupe/*").stream().filter(b -> !b.contains("/tasks/")).findFirst().orElseThrow();
        List<String> merged = repo.mergedTasks(branch);
        assertEquals(5, merged.size(), "each task merged once: " + merged);
        assertEquals(5, Set.copyOf(merged).size(), "each task merged once: " + merged);
        assertEquals(2, Journals.ofType(events(), "node-joined").size(), "the node joined the resumed lead too");
        assertTrue(node.isAlive(), "the node waits for the next lead");
    }

    @Test
    void aNodeWithoutTheClustersKeyIsRefused() throws Exception {
        Path key = tmp.resolve("cluster.p12");
        assertEquals(0, Main.execute(new String[] {"cluster-key", key.toString()}, System.out, System.err));
        startLead(goal(0, "sleep 0", tmp.resolve("gate")), "--key", key.toString());
        String address = joinAddress();

        Process stranger = startNode("stranger", address, "--join-timeout", "3s");

        assertTrue(stranger.waitFor(60, TimeUnit.SECONDS), "the node gave up");
        assertEquals(2, stranger.exitValue(), output("stranger"));
        assertTrue(output("stranger").contains("could not join the lead at " + address), output("stranger"));
        assertTrue(events().stream().noneMatch(e -> e.path("type").asText().equals("node-joined")));
    }

    @Test
    void aMessageToldToAnAgentAtWorkOnANodeReachesItThereAndItsWorkMergesOnce() throws Exception {
        Path goal = tmp.resolve("goal.yaml");
        Files.writeString(goal, "goal: test\nrepo: " + repo.dir() + "\nteam: {size: 1, stagger: 0ms}\n"
                + "agent: {command: [demo]}\ntasks:\n"
                + "  - id: local\n    prompt: Write \"L.\" to notes/local.txt (takes 20s)\n"
                + "  - id: remote\n    prompt: Write \"R.\" to notes/remote.txt (takes 12s)\n");
        Process lead = startLead(goal);
        startNode("node1", joinAddress());
        Await.until(() -> assignments().getOrDefault("remote", "").startsWith("node1-")
                && Journals.ofType(events(), "agent-started").stream()
                        .anyMatch(e -> e.path("task").asText().equals("remote")), "remote's agent is at work on the node");

        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int told = Main.execute(new String[] {"tell", "-C", repo.dir().toString(), "remote",
                "also write \"hello\" to notes/extra.txt"}, new java.io.PrintStream(out, true), System.err);

        assertEquals(0, told);
        assertTrue(out.toString().contains("delivered to its agent on node1-"), out.toString());
        assertTrue(lead.waitFor(120, TimeUnit.SECONDS), "the run ended");
        assertEquals(0, lead.exitValue(), output("lead"));
        String branch = repo.branches("troupe/*").stream().filter(b -> !b.contains("/tasks/")).findFirst().orElseThrow();
        assertEquals("hello", repo.show(branch, "notes/extra.txt").strip(), "written on the node, in the same attempt");
        assertEquals(1, Journals.ofType(events(), "agent-started").stream()
                .filter(e -> e.path("task").asText().equals("remote")).count(), "one attempt");
        assertEquals(List.of("node1-worker-1"), Journals.ofType(events(), "message-delivered").stream()
                .map(e -> e.path("worker").asText()).toList());
        assertEquals(2, repo.mergedTasks(branch).size(), "each merged once: " + repo.mergedTasks(branch));
    }

    /** A gate task on the lead's one local worker, then {@code tasks} more after it, each running {@code step}. */
    private Path goal(int tasks, String step, Path gate) throws IOException {
        StringBuilder goal = new StringBuilder("goal: test\nrepo: " + repo.dir() + "\nteam: {size: 1, stagger: 0ms}\n"
                + "agent:\n  command: " + FakeAgent.yamlCommand() + "\n  isolate-config: true\n"
                + "workspace:\n  copy: [\".env\"]\ntasks:\n"
                + "  - id: gate\n    prompt: |\n      run while [ ! -e " + gate + " ]; do sleep 0.1; done\n"
                + "      write gate.txt gate\n");
        for (int i = 1; i <= tasks; i++) {
            goal.append("  - id: t").append(i).append("\n    after: [gate]\n    prompt: |\n      run ").append(step)
                    .append("\n      write t").append(i).append(".txt t").append(i).append('\n');
        }
        Path file = tmp.resolve("goal.yaml");
        Files.writeString(file, goal);
        return file;
    }

    private Process startLead(Path goal, String... more) throws IOException {
        List<String> args = new ArrayList<>(List.of("run", goal.toString(), "--cluster", "127.0.0.1:0"));
        args.addAll(List.of(more));
        return start("lead", args);
    }

    private Process startNode(String name, String address, String... more) throws IOException {
        List<String> args = new ArrayList<>(List.of("worker", "--once", "--join", address, "--slots", "2", "--work-dir",
                tmp.resolve(name).toString()));
        args.addAll(List.of(more));
        return start(name, args);
    }

    private Process start(String name, List<String> args) throws IOException {
        return ClusterRuns.troupe(tmp, name, List.of(), args, processes);
    }

    private void awaitNodesJoined(int nodes) throws InterruptedException {
        Await.until(() -> Journals.ofType(events(), "node-joined").size() >= nodes, nodes + " node(s) joined");
    }

    private void awaitAnAgentOnNode1() throws InterruptedException {
        Await.until(() -> Journals.ofType(events(), "agent-started").stream()
                .anyMatch(e -> assignments().getOrDefault(e.path("task").asText(), "").startsWith("node1-")),
                "an agent runs on the first node");
    }

    /** Where the lead said nodes join it (it listens on a free port). */
    private String joinAddress() throws InterruptedException {
        Await.until(() -> JOIN_AT.matcher(output("lead")).find(), "the lead listens");
        Matcher at = JOIN_AT.matcher(output("lead"));
        assertTrue(at.find());
        return at.group(1);
    }

    private String output(String name) {
        return ClusterRuns.output(tmp, name);
    }

    private Path runDir() {
        Path runs = repo.dir().resolve(".troupe/runs");
        try (var dirs = Files.list(runs)) {
            return dirs.findFirst().orElseThrow();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private List<JsonNode> events() {
        return ClusterRuns.events(repo);
    }

    /** Each task's latest worker. */
    private Map<String, String> assignments() {
        Map<String, String> workers = new java.util.HashMap<>();
        Journals.ofType(events(), "task-assigned").forEach(e -> workers.put(e.path("task").asText(),
                e.path("worker").asText()));
        return workers;
    }
}
