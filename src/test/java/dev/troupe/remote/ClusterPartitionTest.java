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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real network partition: the lead and a worker node each in a network namespace of the test's own, joined by a
 * veth pair, with the cluster's key (they are off 127.0.0.1). The link is cut for 30 s while the node's agent
 * works, then mended: the node's agent is stopped while the link is down, its task is run again elsewhere, the
 * node joins the lead again, and every task is merged exactly once. Needs root (ip netns), as CI has.
 */
class ClusterPartitionTest {

    private static final String LEAD_IP = "10.231.0.1";
    private static final String NODE_IP = "10.231.0.2";
    private static final Pattern JOIN_AT = Pattern.compile("--join (" + Pattern.quote(LEAD_IP) + ":\\d+)");
    private static final long CUT_SECONDS = 30;

    @TempDir
    Path tmp;

    private TestRepo repo;
    private final List<Process> processes = new ArrayList<>();
    private final String suffix = Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20), 36);
    private final String leadNs = "troupe-lead-" + suffix;
    private final String nodeNs = "troupe-node-" + suffix;
    private final String leadLink = "tl" + suffix;
    private final String nodeLink = "tn" + suffix;

    @BeforeEach
    void twoHostsOnOneLink() throws Exception {
        repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hello\n", ".gitignore", ".troupe/\n"));
        ip("netns", "add", leadNs);
        ip("netns", "add", nodeNs);
        ip("link", "add", leadLink, "type", "veth", "peer", "name", nodeLink);
        ip("link", "set", leadLink, "netns", leadNs);
        ip("link", "set", nodeLink, "netns", nodeNs);
        ip("-n", leadNs, "addr", "add", LEAD_IP + "/24", "dev", leadLink);
        ip("-n", nodeNs, "addr", "add", NODE_IP + "/24", "dev", nodeLink);
        for (String[] host : List.of(new String[] {leadNs, leadLink}, new String[] {nodeNs, nodeLink})) {
            ip("-n", host[0], "link", "set", "lo", "up");
            ip("-n", host[0], "link", "set", host[1], "up");
        }
    }

    @AfterEach
    void stopEverything() throws Exception {
        ClusterRuns.stopAll(processes);
        new ProcessBuilder("ip", "netns", "del", leadNs).start().waitFor();
        new ProcessBuilder("ip", "netns", "del", nodeNs).start().waitFor();
    }

    @Test
    void aNodeCutOffFor30SecondsStopsItsAgentJoinsAgainAfterwardsAndEveryTaskIsMergedOnce() throws Exception {
        Path key = tmp.resolve("cluster.p12");
        assertEquals(0, Main.execute(new String[] {"cluster-key", key.toString()}, System.out, System.err));
        Path gate = tmp.resolve("gate");
        Path rejoined = tmp.resolve("rejoined");
        Process lead = start("lead", leadNs, List.of("run", goal(gate, rejoined).toString(), "--cluster", LEAD_IP + ":0",
                "--key", key.toString()));
        Await.until(() -> JOIN_AT.matcher(output("lead")).find(), 60, () -> "the lead listens: " + output("lead"));
        Matcher at = JOIN_AT.matcher(output("lead"));
        assertTrue(at.find());
        Process node = start("node", nodeNs, List.of("worker", "--join", at.group(1), "--listen", NODE_IP + ":0",
                "--slots", "1", "--work-dir", tmp.resolve("node").toString(), "--key", key.toString()));
        Await.until(() -> output("node").contains("joined the lead at"), 60, () -> "the node joined: " + output("node"));
        Files.createFile(gate);
        Await.until(() -> agentOnNode().isPresent(), 60, () -> "an agent runs on the node: " + output("lead"));
        long agentPid = agentOnNode().get().path("pid").asLong();
        assertTrue(ProcessHandle.of(agentPid).map(ProcessHandle::isAlive).orElse(false), "the node's agent runs");

        long cut = System.nanoTime();
        ip("-n", leadNs, "link", "set", leadLink, "down");
        Await.until(() -> !Journals.ofType(events(), "node-lost").isEmpty(), (int) CUT_SECONDS,
                () -> "the lead takes the node out while the link is down: " + output("lead"));
        Await.until(() -> !ProcessHandle.of(agentPid).map(ProcessHandle::isAlive).orElse(false), (int) CUT_SECONDS,
                () -> "the cut-off node stops its agent: " + output("node"));
        long stoppedAfter = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - cut);
        assertTrue(stoppedAfter < CUT_SECONDS, "the agent was stopped while the link was down (" + stoppedAfter + " s)");
        long left = TimeUnit.SECONDS.toMillis(CUT_SECONDS) - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cut);
        if (left > 0) {
            Thread.sleep(left); // the partition itself: it lasts 30 s, whatever happened sooner
        }
        ip("-n", leadNs, "link", "set", leadLink, "up");

        Await.until(() -> Journals.ofType(events(), "node-joined").size() >= 2, 120,
                () -> "the node joins again once the link is back: " + output("node"));
        Files.createFile(rejoined);
        assertTrue(lead.waitFor(180, TimeUnit.SECONDS), "the run ended: " + output("lead"));
        assertEquals(0, lead.exitValue(), output("lead"));
        String branch = repo.branches("troupe/*").stream().filter(b -> !b.contains("/tasks/")).findFirst().orElseThrow();
        List<String> merged = repo.mergedTasks(branch);
        assertEquals(Set.of("gate", "t1", "t2", "last"), Set.copyOf(merged), "every task merged: " + merged);
        assertEquals(4, merged.size(), "each task merged once: " + merged);
        assertTrue(output("node").contains("lost sight of each other"), output("node"));
        assertTrue(node.isAlive(), "without --once the node stays for the next lead");
    }

    /**
     * The gate on the lead's one worker, then three tasks whose agents work until the node has joined again: the
     * node's own cannot end by itself while the link is down, so only the node can stop it.
     */
    private Path goal(Path gate, Path rejoined) throws IOException {
        StringBuilder goal = new StringBuilder("goal: test\nrepo: " + repo.dir() + "\nteam: {size: 1, stagger: 0ms}\n"
                + "agent:\n  command: " + FakeAgent.yamlCommand() + "\n  isolate-config: true\n"
                + "tasks:\n"
                + "  - id: gate\n    prompt: |\n      run while [ ! -e " + gate + " ]; do sleep 0.1; done\n"
                + "      write gate.txt gate\n");
        for (String task : List.of("t1", "t2", "last")) {
            goal.append("  - id: ").append(task).append("\n    after: [gate]\n    prompt: |\n      run while [ ! -e ")
                    .append(rejoined).append(" ]; do sleep 0.1; done\n      write ").append(task).append(".txt ")
                    .append(task).append('\n');
        }
        Path file = tmp.resolve("goal.yaml");
        Files.writeString(file, goal);
        return file;
    }

    /** The first agent the journal says started on the node's worker. */
    private java.util.Optional<JsonNode> agentOnNode() {
        Map<String, String> workers = new java.util.HashMap<>();
        Journals.ofType(events(), "task-assigned").forEach(e -> workers.put(e.path("task").asText() + "/"
                + e.path("attempt").asInt(), e.path("worker").asText()));
        return Journals.ofType(events(), "agent-started").stream()
                .filter(e -> workers.getOrDefault(e.path("task").asText() + "/" + e.path("attempt").asInt(), "")
                        .startsWith("node1-"))
                .findFirst();
    }

    private Process start(String name, String namespace, List<String> args) throws IOException {
        return ClusterRuns.troupe(tmp, name, List.of("ip", "netns", "exec", namespace), args, processes);
    }

    private static void ip(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        Process ip = new ProcessBuilder(command).redirectErrorStream(true).start();
        String said = new String(ip.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(ip.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, ip.exitValue(), String.join(" ", command) + " (network namespaces need root, as CI has): "
                + said);
    }

    private String output(String name) {
        return ClusterRuns.output(tmp, name);
    }

    private List<JsonNode> events() {
        return ClusterRuns.events(repo);
    }
}
