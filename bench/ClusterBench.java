import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Workload 7 (bench/README.md): the cost of remote work. The same fan-out runs on one node (the lead alone, team
 * 4) and on three nodes of this machine (the lead with team 2, and two worker nodes of one slot each), alternately,
 * on fresh copies of one repository of 4,600 files. Reports wall time (three nodes against one), each task's time
 * from assignment to success on a local and on a remote worker, and the bundles: the first to a new node (the whole
 * history), the later ones, and the commits coming back. With {@code --latency MS}, a third side runs the three
 * nodes over links of that round trip ({@link SlowLink}), and a second table reports what it costs a task.
 *
 * <p>Run by bench/cluster.sh, compiled with {@link SlowLink} against troupe's jars.
 */
public class ClusterBench {

    static final Pattern JOIN_AT = Pattern.compile("--join (127\\.0\\.0\\.1:\\d+)");
    static final ObjectMapper JSON = new ObjectMapper();

    final Path home;
    final Path work;
    final int tasks;
    final int rounds;
    /** The round trip of the third side's links; zero: no third side. */
    final Duration latency;

    ClusterBench(Path home, Path work, int tasks, int rounds, Duration latency) {
        this.home = home;
        this.work = work;
        this.tasks = tasks;
        this.rounds = rounds;
        this.latency = latency;
    }

    public static void main(String[] args) throws Exception {
        int tasks = 16;
        int rounds = 2;
        Duration latency = Duration.ZERO;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> { tasks = 8; rounds = 1; }
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--tasks" -> tasks = Integer.parseInt(args[++i]);
                case "--latency" -> latency = Duration.ofMillis(Long.parseLong(args[++i]));
                default -> {
                    System.err.println("usage: bench/cluster.sh [--quick] [--rounds N] [--tasks N] [--latency MS]");
                    System.exit(2);
                }
            }
        }
        Path home = Path.of(System.getProperty("bench.home", ".")).toAbsolutePath().normalize();
        Path work = Files.createTempDirectory("troupe-cluster-bench-");
        try {
            new ClusterBench(home, work, tasks, rounds, latency).runAll();
        } finally {
            run(work.getParent(), "rm", "-rf", work.toString());
        }
    }

    record Result(long wallMs, List<Long> localTaskMs, List<Long> remoteTaskMs, List<Long> toNodeBytes,
            List<Long> toNodeMs, List<Long> fromNodeBytes, List<Long> fromNodeMs) {}

    void runAll() throws Exception {
        Path template = makeRepository(work.resolve("template"), 4600);
        say("repository: 4,600 files, " + du(template.resolve(".git")) / 1024 + " KB of git objects; " + tasks
                + " tasks of 1 s, 4 slots; " + rounds + " round(s)"
                + (latency.isZero() ? "" : "; three nodes also over links of " + latency.toMillis() + " ms round trip"));
        List<String> sides = new ArrayList<>(List.of("one node", "three nodes"));
        if (!latency.isZero()) {
            sides.add("three nodes, " + latency.toMillis() + " ms round trip");
        }
        Map<String, List<Result>> results = new HashMap<>();
        for (int round = 0; round < rounds; round++) {
            // Each round the order turns by one, so that each side goes first, second and last alike.
            for (int i = 0; i < sides.size(); i++) {
                int side = (i + round) % sides.size();
                Path repo = work.resolve("r" + round + "-" + side);
                run(work, "cp", "-a", template.toString(), repo.toString());
                Result result = switch (side) {
                    case 0 -> oneNode(repo);
                    case 1 -> threeNodes(repo, Duration.ZERO);
                    default -> threeNodes(repo, latency);
                };
                results.computeIfAbsent(sides.get(side), k -> new ArrayList<>()).add(result);
                say(sides.get(side) + ": " + secs(result.wallMs()));
            }
        }
        report(results.get(sides.get(0)), results.get(sides.get(1)));
        if (!latency.isZero()) {
            reportLatency(results.get(sides.get(1)), results.get(sides.get(2)));
        }
    }

    Result oneNode(Path repo) throws Exception {
        Path goal = goal(repo, 4);
        Process lead = troupe(repo, "lead", new Listen(List.of(), null, 0, 0), "run", goal.toString());
        Files.createFile(repo.resolveSibling(repo.getFileName() + ".gate"));
        return finish(repo, lead, List.of());
    }

    /**
     * The lead and two worker nodes; with a {@code roundTrip}, each listens behind a {@link SlowLink} (Artery binds
     * one port and gives the link's as its address, so every message between the nodes crosses one link).
     */
    Result threeNodes(Path repo, Duration roundTrip) throws Exception {
        Path goal = goal(repo, 2);
        List<SlowLink> links = new ArrayList<>();
        try {
            Listen at = listen(roundTrip);
            Process lead = troupe(repo, "lead", at, "run", goal.toString(), "--cluster");
            String address = awaitJoinAddress(repo.resolve("lead.out"));
            // Only now: the lead refuses an address some other program listens on, and checks before it says this.
            at.link(roundTrip).ifPresent(links::add);
            List<Process> nodes = new ArrayList<>();
            for (String name : List.of("node1", "node2")) {
                Listen node = listen(roundTrip);
                node.link(roundTrip).ifPresent(links::add);
                nodes.add(troupe(repo, name, node, "worker", "--once", "--join", address, "--slots", "1",
                        "--work-dir", repo.resolveSibling(repo.getFileName() + "-" + name).toString(), "--listen"));
            }
            awaitLine(repo.resolve("lead.out"), Pattern.compile("node2 .* joined"));
            Files.createFile(repo.resolveSibling(repo.getFileName() + ".gate"));
            Result result = finish(repo, lead, nodes);
            long carried = links.stream().mapToLong(SlowLink::carried).sum();
            if (!links.isEmpty() && carried < 279 * 1024) {
                throw new IllegalStateException("the links carried " + carried + " B, less than a node's first bundle");
            }
            return result;
        } finally {
            for (SlowLink link : links) {
                link.close();
            }
        }
    }

    /**
     * Where a node listens: any free port of 127.0.0.1, or with a {@code roundTrip}, a free port for a
     * {@link SlowLink} in front of the one Artery binds (given as a system property: troupe's settings do not name it).
     */
    static Listen listen(Duration roundTrip) throws IOException {
        if (roundTrip.isZero()) {
            return new Listen(List.of(), "127.0.0.1:0", 0, 0);
        }
        int[] ports = freePorts(2);
        int bound = ports[0];
        int front = ports[1];
        return new Listen(List.of("-Dakka.remote.artery.bind.port=" + bound), "127.0.0.1:" + front, front, bound);
    }

    /** A node's JVM options and the address that follows its last argument; with a link, its two ports. */
    record Listen(List<String> jvm, String address, int front, int bound) {

        /** The link from the node's address to the port it binds, when it has one. */
        java.util.Optional<SlowLink> link(Duration roundTrip) throws IOException {
            return bound == 0 ? java.util.Optional.empty() : java.util.Optional.of(new SlowLink(front, bound, roundTrip));
        }
    }

    /** {@code n} ports of 127.0.0.1 free now, each another (all are held until all are chosen). */
    static int[] freePorts(int n) throws IOException {
        List<java.net.ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                held.add(new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()));
            }
            return held.stream().mapToInt(java.net.ServerSocket::getLocalPort).toArray();
        } finally {
            for (java.net.ServerSocket socket : held) {
                socket.close();
            }
        }
    }

    Result finish(Path repo, Process lead, List<Process> nodes) throws Exception {
        long started = System.nanoTime();
        if (!lead.waitFor(20, TimeUnit.MINUTES) || lead.exitValue() != 0) {
            throw new IllegalStateException("the run failed: " + Files.readString(repo.resolve("lead.out")));
        }
        for (Process node : nodes) {
            node.waitFor(2, TimeUnit.MINUTES);
        }
        List<JsonNode> events = journal(repo);
        // From the gate's merge (the nodes are in by then), so both sides measure the same work.
        Instant first = events.stream().filter(e -> e.path("type").asText().equals("merge-done")
                && e.path("task").asText().equals("gate")).map(e -> Instant.parse(e.path("time").asText()))
                .findFirst().orElseThrow();
        Instant last = Instant.parse(events.get(events.size() - 1).path("time").asText());
        Map<String, Instant> assigned = new HashMap<>();
        Map<String, String> worker = new HashMap<>();
        List<Long> local = new ArrayList<>();
        List<Long> remote = new ArrayList<>();
        List<Long> toBytes = new ArrayList<>();
        List<Long> toMs = new ArrayList<>();
        List<Long> fromBytes = new ArrayList<>();
        List<Long> fromMs = new ArrayList<>();
        long merged = 0;
        for (JsonNode e : events) {
            Instant at = Instant.parse(e.path("time").asText());
            String task = e.path("task").asText();
            switch (e.path("type").asText()) {
                case "task-assigned" -> {
                    assigned.put(task, at);
                    worker.put(task, e.path("worker").asText());
                }
                case "task-succeeded" -> {
                    if (!task.equals("gate")) {
                        (worker.get(task).startsWith("node") ? remote : local)
                                .add(Duration.between(assigned.get(task), at).toMillis());
                    }
                }
                case "bundle-moved" -> {
                    boolean toNode = e.path("direction").asText().equals("to-node");
                    (toNode ? toBytes : fromBytes).add(e.path("bytes").asLong());
                    (toNode ? toMs : fromMs).add(e.path("millis").asLong());
                }
                case "merge-done" -> merged++;
                default -> { }
            }
        }
        if (merged != tasks + 1) {
            throw new IllegalStateException(merged + " of " + tasks + " tasks merged");
        }
        long wall = Duration.between(first, last).toMillis();
        return new Result(wall, local, remote, toBytes, toMs, fromBytes, fromMs);
    }

    void report(List<Result> one, List<Result> three) {
        double oneWall = median(one.stream().map(Result::wallMs).toList());
        double threeWall = median(three.stream().map(Result::wallMs).toList());
        List<Long> local = new ArrayList<>();
        List<Long> remote = new ArrayList<>();
        List<Long> firstBundles = new ArrayList<>();
        List<Long> laterBundles = new ArrayList<>();
        List<Long> laterMs = new ArrayList<>();
        List<Long> back = new ArrayList<>();
        List<Long> backMs = new ArrayList<>();
        one.forEach(r -> local.addAll(r.localTaskMs()));
        for (Result r : three) {
            remote.addAll(r.remoteTaskMs());
            // Each node's first bundle holds the whole history; the others only what is new since.
            List<Long> to = r.toNodeBytes();
            for (int i = 0; i < to.size(); i++) {
                (i < 2 ? firstBundles : laterBundles).add(to.get(i));
                if (i >= 2) {
                    laterMs.add(r.toNodeMs().get(i));
                }
            }
            back.addAll(r.fromNodeBytes());
            backMs.addAll(r.fromNodeMs());
        }
        StringBuilder t = new StringBuilder("\n| metric | one node | three nodes | three/one |\n|---|---|---|---|\n");
        t.append(String.format("| wall, the gate's merge to run-finished | %s | %s | %.2f |%n", secs(oneWall), secs(threeWall),
                threeWall / oneWall));
        t.append(String.format("| a task, assigned to succeeded (median) | %s local | %s remote | %.2f |%n",
                secs(median(local)), secs(median(remote)), median(remote) / median(local)));
        t.append(String.format("| bundle to a new node (median) | | %d KB | |%n", (long) median(firstBundles) / 1024));
        t.append(String.format("| later bundles to a node (median) | | %d B, %d ms to make | |%n",
                (long) median(laterBundles), (long) median(laterMs)));
        t.append(String.format("| a commit back (median) | | %d B, %d ms to take in | |%n", (long) median(back),
                (long) median(backMs)));
        System.out.println(t);
        System.out.println("(" + LocalDate.now() + ", " + Runtime.getRuntime().availableProcessors() + " cores; "
                + rounds + " round(s) a side, medians)");
    }

    /** What the links' round trip costs: the three nodes without it against with it. */
    void reportLatency(List<Result> near, List<Result> far) {
        List<Long> nearTask = new ArrayList<>();
        List<Long> farTask = new ArrayList<>();
        List<Long> nearBack = new ArrayList<>();
        List<Long> farBack = new ArrayList<>();
        near.forEach(r -> { nearTask.addAll(r.remoteTaskMs()); nearBack.addAll(r.fromNodeMs()); });
        far.forEach(r -> { farTask.addAll(r.remoteTaskMs()); farBack.addAll(r.fromNodeMs()); });
        double nearWall = median(near.stream().map(Result::wallMs).toList());
        double farWall = median(far.stream().map(Result::wallMs).toList());
        String slow = "three nodes, " + latency.toMillis() + " ms round trip";
        StringBuilder t = new StringBuilder("\n| metric | three nodes | " + slow + " | difference |\n|---|---|---|---|\n");
        t.append(String.format("| wall, the gate's merge to run-finished | %s | %s | %+.2f s |%n", secs(nearWall),
                secs(farWall), (farWall - nearWall) / 1000));
        t.append(String.format("| a remote task, assigned to succeeded (median) | %s | %s | %+.2f s |%n",
                secs(median(nearTask)), secs(median(farTask)), (median(farTask) - median(nearTask)) / 1000));
        t.append(String.format("| a commit back, taken in (median) | %d ms | %d ms | %+d ms |%n", (long) median(nearBack),
                (long) median(farBack), (long) (median(farBack) - median(nearBack))));
        System.out.println(t);
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    Path goal(Path repo, int team) throws Exception {
        StringBuilder g = new StringBuilder("team: {size: " + team + ", stagger: 0ms}\n"
                + "agent:\n  command: [\"" + home.resolve("bench/agents/edit.sh") + "\"]\n"
                + "  allowed-tools: [Read, Edit, Write]\nlimits: {attempts: 1}\ntasks:\n"
                + "  - id: gate\n    prompt: \"wait " + repo.resolveSibling(repo.getFileName() + ".gate")
                + " edit gate.txt\"\n");
        for (int i = 0; i < tasks; i++) {
            g.append(String.format("  - id: t%02d\n    after: [gate]\n    prompt: \"sleep 1 edit src/d%02d/e0/f000.txt\"\n",
                    i, i));
        }
        Path file = repo.resolve("goal.yaml");
        Files.writeString(file, g);
        run(repo, "git", "-c", "user.name=bench", "-c", "user.email=bench@troupe.dev", "add", "goal.yaml");
        run(repo, "git", "-c", "user.name=bench", "-c", "user.email=bench@troupe.dev", "commit", "-q", "-m", "goal");
        return file;
    }

    /** troupe with {@code args}, then the address of {@code listen} when it has one. */
    Process troupe(Path repo, String name, Listen listen, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("java", "-XX:+UseSerialGC", "-Xms64m", "-Xmx512m"));
        command.addAll(listen.jvm());
        command.addAll(List.of("-jar", home.resolve("target/troupe.jar").toString()));
        command.addAll(List.of(args));
        if (listen.address() != null) {
            command.add(listen.address());
        }
        return new ProcessBuilder(command).directory(repo.toFile()).redirectErrorStream(true)
                .redirectOutput(repo.resolve(name + ".out").toFile()).start();
    }

    static String awaitJoinAddress(Path out) throws Exception {
        Matcher at = awaitLine(out, JOIN_AT);
        return at.group(1);
    }

    static Matcher awaitLine(Path out, Pattern pattern) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            Matcher at = pattern.matcher(Files.exists(out) ? Files.readString(out) : "");
            if (at.find()) {
                return at;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("not in " + out + " within 120 s: " + pattern);
    }

    static List<JsonNode> journal(Path repo) throws IOException {
        Path runs = repo.resolve(".troupe/runs");
        Path run;
        try (var dirs = Files.list(runs)) {
            run = dirs.max(Comparator.naturalOrder()).orElseThrow();
        }
        List<JsonNode> events = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("events.jsonl"))) {
            events.add(JSON.readTree(line));
        }
        return events;
    }

    /** {@code n} files of about 2 KB, src/d<NN>/e<N>/f<NNN>.txt (100 to a d folder), one commit on main. */
    static Path makeRepository(Path dir, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            Path p = dir.resolve(String.format("src/d%02d/e%d/f%03d.txt", i / 100, (i / 10) % 10, i % 100));
            Files.createDirectories(p.getParent());
            Files.writeString(p, ("line " + i + " of a file that a team edits, long enough to be a real one\n").repeat(28));
        }
        run(dir, "git", "init", "-q", "-b", "main");
        Files.writeString(dir.resolve(".gitignore"), ".troupe/\n*.out\n");
        run(dir, "git", "add", "-A");
        run(dir, "git", "-c", "user.name=bench", "-c", "user.email=bench@troupe.dev", "commit", "-q", "-m", "4,600 files");
        return dir;
    }

    static long du(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }

    static void run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
    }

    static double median(List<Long> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Long> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
    }

    static String secs(double ms) {
        return String.format("%.1f s", ms / 1000);
    }

    static void say(String line) {
        System.err.println("bench: " + line);
    }
}
