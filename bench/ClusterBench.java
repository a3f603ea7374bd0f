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
 * history), the later ones, and the commits coming back.
 *
 * <p>Run by bench/cluster.sh; a single-file program like Bench.java, with troupe's jars on the classpath.
 */
public class ClusterBench {

    static final Pattern JOIN_AT = Pattern.compile("--join (127\\.0\\.0\\.1:\\d+)");
    static final ObjectMapper JSON = new ObjectMapper();

    final Path home;
    final Path work;
    final int tasks;
    final int rounds;

    ClusterBench(Path home, Path work, int tasks, int rounds) {
        this.home = home;
        this.work = work;
        this.tasks = tasks;
        this.rounds = rounds;
    }

    public static void main(String[] args) throws Exception {
        int tasks = 16;
        int rounds = 2;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> { tasks = 8; rounds = 1; }
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--tasks" -> tasks = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: bench/cluster.sh [--quick] [--rounds N] [--tasks N]");
                    System.exit(2);
                }
            }
        }
        Path home = Path.of(System.getProperty("bench.home", ".")).toAbsolutePath().normalize();
        Path work = Files.createTempDirectory("troupe-cluster-bench-");
        try {
            new ClusterBench(home, work, tasks, rounds).runAll();
        } finally {
            run(work.getParent(), "rm", "-rf", work.toString());
        }
    }

    record Result(long wallMs, List<Long> localTaskMs, List<Long> remoteTaskMs, List<Long> toNodeBytes,
            List<Long> toNodeMs, List<Long> fromNodeBytes, List<Long> fromNodeMs) {}

    void runAll() throws Exception {
        Path template = makeRepository(work.resolve("template"), 4600);
        say("repository: 4,600 files, " + du(template.resolve(".git")) / 1024 + " KB of git objects; " + tasks
                + " tasks of 1 s, 4 slots; " + rounds + " round(s)");
        List<Result> one = new ArrayList<>();
        List<Result> three = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            boolean oneFirst = round % 2 == 0;
            for (int side = 0; side < 2; side++) {
                boolean single = (side == 0) == oneFirst;
                Path repo = work.resolve("r" + round + (single ? "-one" : "-three"));
                run(work, "cp", "-a", template.toString(), repo.toString());
                Result result = single ? oneNode(repo) : threeNodes(repo);
                (single ? one : three).add(result);
                say((single ? "one node" : "three nodes") + ": " + secs(result.wallMs()));
            }
        }
        report(one, three);
    }

    Result oneNode(Path repo) throws Exception {
        Path goal = goal(repo, 4);
        Process lead = troupe(repo, "lead", "run", goal.toString());
        Files.createFile(repo.resolveSibling(repo.getFileName() + ".gate"));
        return finish(repo, lead, List.of());
    }

    Result threeNodes(Path repo) throws Exception {
        Path goal = goal(repo, 2);
        Process lead = troupe(repo, "lead", "run", goal.toString(), "--cluster", "127.0.0.1:0");
        String address = awaitJoinAddress(repo.resolve("lead.out"));
        List<Process> nodes = new ArrayList<>();
        for (String name : List.of("node1", "node2")) {
            nodes.add(troupe(repo, name, "worker", "--once", "--join", address, "--slots", "1", "--work-dir",
                    repo.resolveSibling(repo.getFileName() + "-" + name).toString()));
        }
        awaitLine(repo.resolve("lead.out"), Pattern.compile("node2 .* joined"));
        Files.createFile(repo.resolveSibling(repo.getFileName() + ".gate"));
        return finish(repo, lead, nodes);
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

    Process troupe(Path repo, String name, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("java", "-XX:+UseSerialGC", "-Xmx512m", "-jar",
                home.resolve("target/troupe.jar").toString()));
        command.addAll(List.of(args));
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
