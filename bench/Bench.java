import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.testing.MessagesApiStandIn;
import java.io.BufferedReader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * troupe's benchmark harness: each workload runs troupe and the plain shell recipe (bench/peer.sh) on the same
 * generated repository, with the same agent and team size, alternately, for several rounds, and reports
 * medians and the ratio troupe/peer. Every run is checked (exit code, one merge per task) before it counts;
 * a failed run stops the harness rather than report a number for work that was not done.
 *
 * <p>Run it through bench/run.sh, which builds troupe and puts this file's classpath together (Jackson and the
 * Messages API stand-in from the test classes).
 */
public final class Bench {

    /** Every workload bench/run.sh runs unless told (workload 7 is bench/cluster.sh's). */
    static final Set<String> ALL = Set.of("1", "2", "3", "4", "5", "6", "8");

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    final Path home;          // the checkout: bin/troupe, bench/
    final Path work;          // scratch: repositories, goals, logs; deleted at the end unless --keep
    final boolean quick;
    final int rounds;
    final int heavyRounds;    // workloads 3, 4 and 6 (minutes each at full size): once a side unless --rounds says
    final Set<String> only;
    long lines = -1;          // workload 3's size; -1: the 2,000,000 (quick: 20,000)
    String javaOpts = "";     // TROUPE_JAVA_OPTS for troupe's JVM, to measure a proposed setting; empty: bin/troupe's own
    List<String> variants = List.of(); // workload 6: extra troupe runs, each with some troupe.workspace settings
    /**
     * Workload 1's third side: troupe as built at this revision (issue 26 measures against 3930bc1, the build before
     * the per-task overhead grew); "none" leaves it out. Built in the scratch directory from this checkout's history.
     */
    String baseline = "3930bc1";
    Path baselineHome;        // its checkout, built; null when there is none
    final List<Row> rows = new ArrayList<>();
    final ObjectNode results = JSON.createObjectNode();
    Path template;
    /** Whether {@link #settle} drops the page cache before each run (it may only as root). */
    boolean dropCaches = Files.isWritable(DROP_CACHES);

    Bench(Path home, Path work, boolean quick, int rounds, int heavyRounds, Set<String> only) {
        this.home = home;
        this.work = work;
        this.quick = quick;
        this.rounds = rounds;
        this.heavyRounds = heavyRounds;
        this.only = only;
    }

    public static void main(String[] args) throws Exception {
        boolean quick = false;
        boolean keep = false;
        int rounds = -1;
        Set<String> only = ALL;
        long lines = -1;
        String javaOpts = "";
        List<String> variants = List.of();
        String baseline = "3930bc1";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--keep" -> keep = true;
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--only" -> only = Set.of(args[++i].split(","));
                case "--lines" -> lines = Long.parseLong(args[++i]);
                case "--java-opts" -> javaOpts = args[++i];
                case "--variants" -> variants = List.of(args[++i].split(";"));
                case "--baseline" -> baseline = args[++i];
                default -> {
                    System.err.println("usage: bench/run.sh [--quick] [--rounds N] [--only 1,2,3,4,5,6,8] [--lines N]"
                            + " [--java-opts OPTS] [--variants 'checkout-workers=2;parallel-builds=4,...']"
                            + " [--baseline REV|none] [--keep]");
                    System.exit(2);
                }
            }
        }
        Path home = Path.of(System.getProperty("bench.home", ".")).toAbsolutePath().normalize();
        Path work = Files.createTempDirectory("troupe-bench-");
        Bench bench = new Bench(home, work, quick, rounds > 0 ? rounds : quick ? 1 : 3, rounds > 0 ? rounds : 1, only);
        bench.lines = lines;
        bench.javaOpts = javaOpts;
        bench.variants = variants;
        bench.baseline = baseline;
        try {
            bench.runAll();
        } finally {
            if (!keep) {
                run(work.getParent(), Map.of(), "rm", "-rf", work.toString());
            } else {
                System.err.println("bench: scratch kept in " + work);
            }
        }
    }

    void runAll() throws Exception {
        say("scratch in " + work + (quick ? " (quick mode: small sizes, " : " (") + rounds + " round(s), "
                + heavyRounds + " for workloads 3, 4 and 6)");
        template = makeRepository(work.resolve("template"), 2000);
        if (only.contains("1")) {
            baselineHome = buildBaseline();
            overhead();
        }
        if (only.contains("2")) {
            makespan();
        }
        if (only.contains("3")) {
            throughput();
        }
        if (only.contains("4")) {
            scale();
        }
        if (only.contains("5")) {
            realCli();
        }
        if (only.contains("6")) {
            bigRepository();
        }
        if (only.contains("8")) {
            manyTasks();
        }
        report();
    }

    // ---- the workloads --------------------------------------------------------------------------------------

    /** 1: many tasks whose agent changes one file and returns at once: everything measured is overhead. */
    void overhead() throws Exception {
        int tasks = quick ? 40 : 200;
        int team = 4;
        say("workload 1, overhead: " + tasks + " instant tasks, team of " + team);
        List<String> files = files(tasks);
        String goal = goalWithTasks(team, files, f -> "edit " + f, agent("edit.sh"), "");
        Pair p = alternate("overhead", rounds,
                () -> troupe(goal, tasks),
                () -> peer(files, f -> "edit " + f, team, agent("edit.sh"), Map.of()),
                baselineHome == null ? null : () -> troupe(baselineHome, goal, tasks));
        double troupeMs = median(p.troupe, Run::wallMs);
        double peerMs = median(p.peer, Run::wallMs);
        ObjectNode r = record("overhead", tasks, team, p);
        r.put("troupeMsPerTask", troupeMs / tasks).put("peerMsPerTask", peerMs / tasks)
                .put("troupeCpuMsPerTask", median(p.troupe, Run::cpuMs) / tasks).put("ratio", troupeMs / peerMs);
        rows.add(new Row("1 overhead", tasks + " instant tasks, team 4", "wall time",
                secs(troupeMs), secs(peerMs), ratio(troupeMs / peerMs), "≤ 0.25x", troupeMs / peerMs <= 0.25));
        rows.add(new Row("", "", "ms per task (wall / tasks)", ms(troupeMs / tasks), ms(peerMs / tasks), "", "", null));
        rows.add(new Row("", "", "CPU ms per task (troupe + agents)", ms(median(p.troupe, Run::cpuMs) / tasks),
                ms(median(p.peer, Run::cpuMs) / tasks), "", "", null));
        if (!p.baseline.isEmpty()) {
            double baseMs = median(p.baseline, Run::wallMs);
            double baseCpu = median(p.baseline, Run::cpuMs);
            r.put("baselineRevision", baseline).put("baselineWallMsMedian", baseMs)
                    .put("baselineCpuMsPerTask", baseCpu / tasks).put("ratioToBaseline", troupeMs / baseMs);
            r.set("baselineRuns", runs(p.baseline));
            rows.add(new Row("", "", "wall time; peer column: troupe built at " + baseline, secs(troupeMs), secs(baseMs),
                    ratio(troupeMs / baseMs), "≤ 0.75x", troupeMs / baseMs <= 0.75));
            rows.add(new Row("", "", "CPU ms per task; peer column: troupe built at " + baseline,
                    ms(median(p.troupe, Run::cpuMs) / tasks), ms(baseCpu / tasks),
                    ratio(median(p.troupe, Run::cpuMs) / baseCpu), "", null));
        }
    }

    /**
     * troupe as built at {@link #baseline}, for workload 1's third side: a clone of this checkout at that revision,
     * packaged. Null (and said) when there is none to build: "none", or a clone without that history.
     */
    Path buildBaseline() throws Exception {
        if (baseline.equals("none")) {
            return null;
        }
        if (run(home, Map.of(), "git", "rev-parse", "--verify", "--quiet", baseline + "^{commit}").code != 0) {
            say("workload 1 without its third side: " + baseline + " is not in this checkout's history (a shallow clone?)");
            return null;
        }
        Path dir = work.resolve("baseline");
        say("building troupe at " + baseline + " for workload 1's third side");
        check(run(work, Map.of(), "git", "clone", "--quiet", "--no-checkout", home.toString(), dir.toString()).code == 0,
                "cannot clone " + home);
        check(run(dir, Map.of(), "git", "checkout", "--quiet", baseline).code == 0, "cannot check out " + baseline);
        if (run(dir, Map.of(), "mvn", "-q", "-o", "-Dmaven.test.skip=true", "package").code != 0) {
            Result online = run(dir, Map.of(), "mvn", "-q", "-Dmaven.test.skip=true", "package");
            check(online.code == 0, "cannot build troupe at " + baseline + ":\n" + online.output);
        }
        return dir;
    }

    /** 2: tasks of exactly 1 s agent time; the ideal makespan is tasks / team seconds. */
    void makespan() throws Exception {
        int tasks = quick ? 8 : 24;
        int team = 4;
        double idealMs = 1000.0 * tasks / team;
        say("workload 2, makespan: " + tasks + " tasks of 1 s, team of " + team + " (ideal " + secs(idealMs) + ")");
        List<String> files = files(tasks);
        Pair p = alternate("makespan", rounds,
                () -> troupe(goalWithTasks(team, files, f -> "sleep 1 edit " + f, agent("edit.sh"), ""), tasks),
                () -> peer(files, f -> "sleep 1 edit " + f, team, agent("edit.sh"), Map.of()));
        double troupeMs = median(p.troupe, Run::wallMs);
        double peerMs = median(p.peer, Run::wallMs);
        double inRun = median(p.troupe, Run::inRunMs);
        ObjectNode r = record("makespan", tasks, team, p);
        r.put("idealMs", idealMs).put("troupeEfficiency", idealMs / troupeMs).put("peerEfficiency", idealMs / peerMs)
                .put("troupeEfficiencyInRun", idealMs / inRun);
        rows.add(new Row("2 makespan", tasks + " tasks of 1 s, team 4, ideal " + secs(idealMs), "efficiency ideal/wall",
                fmt(idealMs / troupeMs), fmt(idealMs / peerMs), ratio(troupeMs / peerMs), "≥ 0.95",
                idealMs / troupeMs >= 0.95));
        rows.add(new Row("", "", "efficiency, run-started to run-finished (no JVM start/stop)", fmt(idealMs / inRun),
                "", "", "", null));
    }

    /** 3: one agent floods stdout; lines per second through decoding and journaling, and troupe's peak RSS. */
    void throughput() throws Exception {
        long lines = this.lines > 0 ? this.lines : quick ? 20_000 : 2_000_000;
        long small = lines / 10;
        say("workload 3, event throughput: one agent printing " + lines + " lines (and " + small + " for RSS growth)");
        List<String> none = List.of("FLOOD.txt");
        Pair p = alternate("throughput", heavyRounds,
                () -> troupe(goalWithTasks(1, none, f -> "flood " + lines, agent("flood.sh"), ""), 1),
                () -> peer(none, f -> "flood " + lines, 1, agent("flood.sh"), Map.of()));
        Pair smallRun = alternate("throughput-small", 1,
                () -> troupe(goalWithTasks(1, none, f -> "flood " + small, agent("flood.sh"), ""), 1), null);
        double troupeMs = median(p.troupe, Run::wallMs);
        double peerMs = median(p.peer, Run::wallMs);
        double agentMs = median(p.troupe, Run::agentMs);
        double rss = median(p.troupe, Run::rssMb);
        double rssSmall = median(smallRun.troupe, Run::rssMb);
        ObjectNode r = record("throughput", 1, 1, p);
        r.put("lines", lines).put("linesPerSecondWall", lines / (troupeMs / 1000))
                .put("linesPerSecondAgent", lines / (agentMs / 1000)).put("peerLinesPerSecond", lines / (peerMs / 1000))
                .put("peakRssMb", rss).put("smallLines", small).put("peakRssMbSmall", rssSmall);
        r.set("smallRuns", runs(smallRun.troupe));
        rows.add(new Row("3 throughput", lines + " lines (~" + (lines * 508 / 1_000_000) + " MB), team 1",
                "lines/s, agent-started to task-succeeded", String.format(Locale.ROOT, "%,.0f", lines / (agentMs / 1000)),
                "", "", "≥ 200,000", lines / (agentMs / 1000) >= 200_000));
        rows.add(new Row("", "", "lines/s, whole command (peer: stdout to a file)",
                String.format(Locale.ROOT, "%,.0f", lines / (troupeMs / 1000)),
                String.format(Locale.ROOT, "%,.0f", lines / (peerMs / 1000)), ratio(troupeMs / peerMs), "", null));
        rows.add(new Row("", "", "troupe peak RSS at " + lines + " / " + small + " lines",
                fmt0(rss) + " / " + fmt0(rssSmall) + " MB", "", "", "< 400 MB, flat",
                rss < 400 && rss <= rssSmall * 1.25 + 16));
    }

    /** 4: a fan-out over the whole repository, team of 8. */
    void scale() throws Exception {
        int tasks = quick ? 200 : 2000;
        int team = 8;
        String glob = quick ? "src/m1/**" : "src/**";
        say("workload 4, scale: fan-out of " + tasks + " instant tasks (" + glob + "), team of " + team);
        List<String> files = quick ? files(tasks).stream().map(f -> f.replaceFirst("^src/m0/", "src/m1/")).toList()
                : files(tasks);
        Pair p = alternate("scale", heavyRounds,
                () -> troupe(goalWithFanout(team, glob, "edit {file}", agent("edit.sh")), tasks),
                () -> peer(files, f -> "edit " + f, team, agent("edit.sh"), Map.of()));
        double troupeMs = median(p.troupe, Run::wallMs);
        double peerMs = median(p.peer, Run::wallMs);
        double rss = median(p.troupe, Run::rssMb);
        ObjectNode r = record("scale", tasks, team, p);
        r.put("troupeMsPerTask", troupeMs / tasks).put("peerMsPerTask", peerMs / tasks)
                .put("troupeCpuMsPerTask", median(p.troupe, Run::cpuMs) / tasks).put("peakRssMb", rss)
                .put("ratio", troupeMs / peerMs);
        JsonNode w1 = results.path("overhead");
        Boolean perTaskOk = w1.isMissingNode() ? null : troupeMs / tasks <= w1.path("troupeMsPerTask").asDouble() * 1.05;
        rows.add(new Row("4 scale", "fan-out of " + tasks + ", team 8", "wall time", secs(troupeMs), secs(peerMs),
                ratio(troupeMs / peerMs), "", null));
        rows.add(new Row("", "", "ms per task (wall / tasks)", ms(troupeMs / tasks), ms(peerMs / tasks), "",
                "≤ workload 1's", perTaskOk));
        rows.add(new Row("", "", "CPU ms per task (troupe + agents)", ms(median(p.troupe, Run::cpuMs) / tasks),
                ms(median(p.peer, Run::cpuMs) / tasks), "", "", null));
        rows.add(new Row("", "", "troupe peak RSS", fmt0(rss) + " MB", "", "", "< 512 MB", rss < 512));
    }

    /** 5: the real Claude Code CLI against the Messages API stand-in; each agent writes the file it is told to. */
    void realCli() throws Exception {
        int tasks = quick ? 4 : 20;
        int team = 4;
        Path claude = home.resolve("target/claude-code/node_modules/.bin/claude");
        if (!Files.isExecutable(claude)) {
            say("workload 5 skipped: no Claude Code CLI at " + claude + " (mvn verify installs it)");
            return;
        }
        say("workload 5, real CLI: " + tasks + " tasks, team of " + team);
        List<String> files = files(tasks);
        Pattern named = Pattern.compile("(src/\\S+\\.txt)");
        try (MessagesApiStandIn api = MessagesApiStandIn.start()) {
            String url = api.baseUrl("bench", request -> {
                if (request.turn() > 0) {
                    return MessagesApiStandIn.text("Done.");
                }
                Matcher m = named.matcher(request.prompt());
                return m.find() ? MessagesApiStandIn.write(request.workingDirectory() + "/" + m.group(1), "rewritten\n")
                        : MessagesApiStandIn.text("No file named.");
            });
            Map<String, String> env = new LinkedHashMap<>();
            env.put("ANTHROPIC_BASE_URL", url);
            env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
            env.put("DISABLE_AUTOUPDATER", "1");
            StringBuilder agentEnv = new StringBuilder("  isolate-config: true\n  env:\n");
            env.forEach((k, v) -> agentEnv.append("    ").append(k).append(": \"").append(v).append("\"\n"));
            Map<String, String> peerEnv = new HashMap<>(env);
            peerEnv.put("PEER_ISOLATE_CONFIG", "1");
            Pair p = alternate("real-cli", rounds,
                    () -> troupe(goalWithTasks(team, files, f -> "Rewrite " + f, claude.toString(), agentEnv.toString()),
                            tasks),
                    () -> peer(files, f -> "Rewrite " + f, team, claude.toString(), peerEnv));
            double troupeMs = median(p.troupe, Run::wallMs);
            double peerMs = median(p.peer, Run::wallMs);
            ObjectNode r = record("realCli", tasks, team, p);
            r.put("ratio", troupeMs / peerMs).put("claudeCode", claude.toString());
            rows.add(new Row("5 real CLI", tasks + " tasks, team 4, Claude Code 2.1.328 + stand-in", "wall time",
                    secs(troupeMs), secs(peerMs), ratio(troupeMs / peerMs), "", null));
        }
    }

    /**
     * 6: a big repository (issue 14): 16 one-file tasks, team 4, on 100,000 files (quick: 10,000). Both sides work
     * in one repository, put back between runs ({@link #resetBigRepository}); copying 100,000 files takes longer
     * than a run. Then two troupe runs with kept workspaces (the second starts on the first's), and each
     * {@code --variants} entry once (troupe.workspace settings, given through JAVA_TOOL_OPTIONS).
     */
    void bigRepository() throws Exception {
        int size = quick ? 10_000 : 100_000;
        int tasks = 16;
        int team = 4;
        say("workload 6, big repository: " + tasks + " one-file tasks, team of " + team + ", " + size + " files");
        Path repo = makeBigRepository(work.resolve("big"), size);
        List<String> files = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            files.add(bigFile(i * (size / tasks)));
        }
        String goal = goalWithTasks(team, files, f -> "edit " + f, agent("edit.sh"), "");
        Pair p = alternate("big-repo", heavyRounds, () -> {
            resetBigRepository(repo);
            return troupeIn(repo, goal, tasks, "bench-integration", Map.of());
        }, () -> {
            resetBigRepository(repo);
            return peerIn(repo, files, f -> "edit " + f, team, agent("edit.sh"), Map.of());
        });
        resetBigRepository(repo);
        String keep = goal + "workspace: {keep: true}\n";
        Pair kept = alternate("big-repo-kept", 1, () -> troupeIn(repo, keep, tasks, "bench-kept-1", Map.of()), null);
        Pair again = alternate("big-repo-kept-2", 1, () -> troupeIn(repo, keep, tasks, "bench-kept-2", Map.of()), null);
        double workspaceKb = duKb(repo.resolveSibling(repo.getFileName() + ".troupe").resolve("workspaces/worker-1"));
        double indexKb = duKb(repo.resolve(".git/worktrees/worker-1"));
        ObjectNode r = record("bigRepo", tasks, team, p);
        double troupeMs = median(p.troupe, Run::wallMs);
        double peerMs = median(p.peer, Run::wallMs);
        double first = median(p.troupe, Run::firstAgentMs);
        double peerFirst = median(p.peer, Run::firstAgentMs);
        double rss = median(p.troupe, Run::rssMb);
        double keptFirst = again.troupe.get(0).firstAgentMs;
        r.put("files", size).put("ratio", troupeMs / peerMs).put("troupeFirstAgentMs", first)
                .put("peerFirstAgentMs", peerFirst).put("peakRssMb", rss).put("workspaceMb", workspaceKb / 1024)
                .put("workspaceAdminMb", indexKb / 1024).put("keptSecondRunFirstAgentMs", keptFirst);
        r.set("keptRuns", runs(List.of(kept.troupe.get(0), again.troupe.get(0))));
        String what = String.format(Locale.ROOT, "%,d files, %d one-file tasks, team 4", size, tasks);
        rows.add(new Row("6 big repo", what, "wall time", secs(troupeMs), secs(peerMs), ratio(troupeMs / peerMs), "",
                null));
        rows.add(new Row("", "", "run-started to first agent-started (peer: start to first agent)", secs(first),
                secs(peerFirst), ratio(first / peerFirst), "", null));
        rows.add(new Row("", "", "the same, second run on kept workspaces", secs(keptFirst), "", "", "≤ 3 s",
                keptFirst <= 3000));
        rows.add(new Row("", "", "troupe peak RSS", fmt0(rss) + " MB", "", "", "< 512 MB", rss < 512));
        rows.add(new Row("", "", "disk per workspace (du -s; its admin folder with the index)",
                fmt0(workspaceKb / 1024) + " MB (+ " + fmt0(indexKb / 1024) + " MB)", "", "", "", null));
        ArrayNode measured = r.putArray("variants");
        for (String variant : variants) {
            StringBuilder props = new StringBuilder();
            for (String setting : variant.split(",")) {
                props.append(props.length() == 0 ? "" : " ").append("-Dtroupe.workspace.").append(setting.strip());
            }
            Pair v = alternate("big-repo " + variant, 1, () -> {
                resetBigRepository(repo);
                return troupeIn(repo, goal, tasks, "bench-integration", Map.of("JAVA_TOOL_OPTIONS", props.toString()));
            }, null);
            Run run = v.troupe.get(0);
            measured.add(((ObjectNode) runs(v.troupe).get(0)).put("settings", variant));
            rows.add(new Row("", "", "troupe with " + variant + ": first agent; wall", secs(run.firstAgentMs) + "; "
                    + secs(run.wallMs), "", "", "", null));
        }
        remove(repo);
    }

    /**
     * 8: many tasks: a fan-out over every file of a repository of 1,000 and of 10,000 files, team 8, troupe alone
     * (the peer's cost per task is workload 4's). Peak RSS must stay under 512 MB and flat from one size to the other;
     * {@code status}, {@code results} and {@code report} of the finished run must each answer in under 5 s.
     */
    void manyTasks() throws Exception {
        int team = 8;
        int[] sizes = quick ? new int[] {200, 1000} : new int[] {1000, 10_000};
        ObjectNode r = results.putObject("manyTasks");
        double smallRss = Double.NaN;
        for (int n : sizes) {
            say("workload 8, many tasks: fan-out of " + n + " files, team of " + team);
            Path repo = makeRepository(work.resolve("many-" + n), n);
            settle();
            Run run = troupeIn(repo, goalWithFanout(team, "src/**", "edit {file}", agent("edit.sh")), n,
                    "bench-integration", Map.of());
            say(String.format(Locale.ROOT, "  many-tasks %d  %8.2f s  cpu %7.2f s  rss %6.0f MB", n, run.wallMs / 1000,
                    run.cpuMs / 1000, run.rssMb));
            ObjectNode size = r.putObject(Integer.toString(n));
            size.put("wallMs", run.wallMs).put("msPerTask", run.wallMs / n).put("peakRssMb", run.rssMb);
            StringBuilder answers = new StringBuilder();
            boolean quickEnough = true;
            for (String command : List.of("status", "results", "report")) {
                long start = System.nanoTime();
                Result res = run(repo, Map.of(), home.resolve("bin/troupe").toString(), command);
                double ms = (System.nanoTime() - start) / 1e6;
                check(res.code == 0, "troupe " + command + " exited " + res.code + ":\n" + res.output);
                size.put(command + "Ms", ms);
                quickEnough &= ms < 5000;
                answers.append(answers.length() == 0 ? "" : ", ").append(command).append(' ').append(secs(ms));
            }
            rows.add(new Row(n == sizes[0] ? "8 many tasks" : "", "fan-out of " + String.format(Locale.ROOT, "%,d", n)
                    + ", team 8", "wall time; ms per task", secs(run.wallMs) + "; " + ms(run.wallMs / n), "", "", "", null));
            boolean flat = Double.isNaN(smallRss) || run.rssMb <= smallRss * 1.25;
            rows.add(new Row("", "", "troupe peak RSS", fmt0(run.rssMb) + " MB", "", "",
                    "< 512 MB" + (Double.isNaN(smallRss) ? "" : ", flat"), run.rssMb < 512 && flat));
            rows.add(new Row("", "", "status, results, report of the run", answers.toString(), "", "", "< 5 s each",
                    quickEnough));
            smallRss = run.rssMb;
            remove(repo);
        }
    }

    // ---- running troupe and the peer ------------------------------------------------------------------------

    /** One measured run of troupe or the peer. */
    record Run(String who, double wallMs, double cpuMs, double rssMb, double inRunMs, double agentMs,
            double firstAgentMs) {}

    /** {@code baseline}: troupe as built at {@link #baseline}, when it was measured too. */
    record Pair(List<Run> troupe, List<Run> peer, List<Run> baseline) {}

    @FunctionalInterface
    interface Measured {
        Run run() throws Exception;
    }

    /** Runs troupe and the peer alternately (who goes first swaps each round, so drift hits both alike). */
    Pair alternate(String name, int n, Measured troupe, Measured peer) throws Exception {
        return alternate(name, n, troupe, peer, null);
    }

    /**
     * The same with a third side, troupe as built at {@link #baseline} (null: none): each round the order turns by
     * one, so that each side goes first, second and last alike.
     */
    Pair alternate(String name, int n, Measured troupe, Measured peer, Measured baseline) throws Exception {
        List<Measured> sides = new ArrayList<>(java.util.Arrays.asList(troupe, peer, baseline));
        List<List<Run>> measured = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        int count = baseline == null ? 2 : 3;
        for (int round = 0; round < n; round++) {
            for (int k = 0; k < count; k++) {
                int side = (k + round) % count;
                if (sides.get(side) == null) {
                    continue;
                }
                Run r = sides.get(side).run();
                measured.get(side).add(r);
                say(String.format(Locale.ROOT, "  %-16s round %d %-8s %8.2f s  cpu %7.2f s  rss %6.0f MB", name,
                        round + 1, r.who, r.wallMs / 1000, r.cpuMs / 1000, r.rssMb));
            }
        }
        return new Pair(measured.get(0), measured.get(1), measured.get(2));
    }

    /** Runs {@code bin/troupe run} on a fresh copy of the repository and checks every task merged. */
    Run troupe(String goalBody, int tasks) throws Exception {
        return troupe(home, goalBody, tasks);
    }

    /** The same with the troupe of checkout {@code troupeHome} (this one, or the baseline's). */
    Run troupe(Path troupeHome, String goalBody, int tasks) throws Exception {
        Path repo = freshRepository();
        Run run = troupeIn(troupeHome, repo, goalBody, tasks, "bench-integration", Map.of());
        remove(repo);
        return run;
    }

    /**
     * Runs {@code bin/troupe run} in {@code repo}, into {@code into} (a new branch), with more environment, and
     * checks every task merged. The journal read is the run's, the newest in the repository.
     */
    Run troupeIn(Path repo, String goalBody, int tasks, String into, Map<String, String> moreEnv) throws Exception {
        return troupeIn(home, repo, goalBody, tasks, into, moreEnv);
    }

    /** The same with the troupe of checkout {@code troupeHome}. */
    Run troupeIn(Path troupeHome, Path repo, String goalBody, int tasks, String into, Map<String, String> moreEnv)
            throws Exception {
        Path goal = repo.resolveSibling(repo.getFileName() + ".goal.yaml");
        Files.writeString(goal, "repo: " + repo + "\nbase: main\n" + goalBody);
        Path timing = repo.resolveSibling(repo.getFileName() + ".time");
        long start = System.nanoTime();
        // Without --java-opts, troupe runs with bin/troupe's own options (an empty TROUPE_JAVA_OPTS would mean none).
        Map<String, String> env = new java.util.HashMap<>(Map.of("ANTHROPIC_API_KEY", "sk-ant-troupe-standin-bench"));
        if (!javaOpts.isEmpty()) {
            env.put("TROUPE_JAVA_OPTS", javaOpts);
        }
        env.putAll(moreEnv);
        Result res = run(repo, env,
                "/usr/bin/time", "-f",
                "%M %U %S", "-o", timing.toString(), troupeHome.resolve("bin/troupe").toString(), "run", goal.toString(),
                "--quiet", "--into", into);
        double wall = (System.nanoTime() - start) / 1e6;
        check(res.code == 0, "troupe exited " + res.code + " in " + repo + ":\n" + res.output);
        int merges = merges(repo, into);
        check(merges == tasks, "troupe merged " + merges + " of " + tasks + " tasks in " + repo);
        String[] t = Files.readString(timing).trim().split("\\s+");
        Path journal;
        try (Stream<Path> runs = Files.list(repo.resolve(".troupe/runs"))) {
            // Run ids begin with their start time.
            journal = runs.max(Comparator.naturalOrder()).orElseThrow().resolve("events.jsonl");
        }
        double[] spans = journalSpans(journal);
        return new Run(troupeHome.equals(home) ? "troupe" : "baseline", wall, (Double.parseDouble(t[1]) + Double.parseDouble(t[2])) * 1000,
                Long.parseLong(t[0]) / 1024.0, spans[0], spans[1], spans[2]);
    }

    /** Runs bench/peer.sh on a fresh copy of the repository and checks every task merged. */
    Run peer(List<String> files, Function<String, String> prompt, int team, String agent, Map<String, String> env)
            throws Exception {
        Path repo = freshRepository();
        Run run = peerIn(repo, files, prompt, team, agent, env);
        remove(repo);
        return run;
    }

    /**
     * Runs bench/peer.sh in {@code repo} and checks every task merged. Its first agent started when the first
     * agent log was made (the file's birth time, where the file system keeps one).
     */
    Run peerIn(Path repo, List<String> files, Function<String, String> prompt, int team, String agent,
            Map<String, String> env) throws Exception {
        Path tasks = repo.resolveSibling(repo.getFileName() + ".tasks");
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < files.size(); i++) {
            lines.append(String.format("t%04d", i)).append('\t').append(prompt.apply(files.get(i))).append('\n');
        }
        Files.writeString(tasks, lines);
        Path timing = repo.resolveSibling(repo.getFileName() + ".time");
        Map<String, String> allEnv = new HashMap<>(env);
        allEnv.put("ANTHROPIC_API_KEY", "sk-ant-troupe-standin-bench");
        double startEpochMs = System.currentTimeMillis();
        long start = System.nanoTime();
        Result res = run(repo, allEnv, "/usr/bin/time", "-f", "%M %U %S", "-o", timing.toString(),
                home.resolve("bench/peer.sh").toString(), repo.toString(), tasks.toString(), Integer.toString(team), agent);
        double wall = (System.nanoTime() - start) / 1e6;
        check(res.code == 0, "the peer exited " + res.code + " in " + repo + ":\n" + res.output);
        int merges = merges(repo, "peer-integration");
        check(merges == files.size(), "the peer merged " + merges + " of " + files.size() + " tasks in " + repo);
        String[] t = Files.readString(timing).trim().split("\\s+");
        double firstLog = run(repo.resolve(".peer/logs"), Map.of(), "bash", "-c", "stat -c %.3W *.jsonl").output.lines()
                .mapToDouble(Double::parseDouble).filter(born -> born > 0).min().orElse(Double.NaN);
        return new Run("peer", wall, (Double.parseDouble(t[1]) + Double.parseDouble(t[2])) * 1000,
                Long.parseLong(t[0]) / 1024.0, Double.NaN, Double.NaN, firstLog * 1000 - startEpochMs);
    }

    String goalWithTasks(int team, List<String> files, Function<String, String> prompt, String agent, String agentExtra) {
        StringBuilder g = new StringBuilder(goalHead(team, agent, agentExtra)).append("tasks:\n");
        for (int i = 0; i < files.size(); i++) {
            g.append(String.format("  - id: t%04d\n    prompt: \"%s\"\n", i, prompt.apply(files.get(i))));
        }
        return g.toString();
    }

    String goalWithFanout(int team, String glob, String prompt, String agent) {
        return goalHead(team, agent, "") + "fanout:\n  files: \"" + glob + "\"\n  prompt: \"" + prompt + "\"\n";
    }

    static String goalHead(int team, String agent, String agentExtra) {
        return "team: {size: " + team + ", stagger: 0ms}\n"
                + "agent:\n  command: [\"" + agent + "\"]\n  allowed-tools: [Read, Edit, Write]\n" + agentExtra
                + "limits: {attempts: 1}\n";
    }

    String agent(String name) {
        return home.resolve("bench/agents").resolve(name).toString();
    }

    // ---- the repository -------------------------------------------------------------------------------------

    /** A repository of {@code n} small text files, src/m<0-9>/g<0-9>/f<00-19>.txt, one commit on main. */
    Path makeRepository(Path dir, int n) throws Exception {
        for (String f : allFiles(n)) {
            Path p = dir.resolve(f);
            Files.createDirectories(p.getParent());
            Files.writeString(p, ("line of " + f + "\n").repeat(20));
        }
        Map<String, String> git = gitIdentity();
        run(dir, git, "git", "init", "-q", "-b", "main");
        run(dir, git, "git", "add", "-A");
        run(dir, git, "git", "commit", "-q", "-m", "2,000 files to work on");
        return dir;
    }

    static List<String> allFiles(int n) {
        List<String> files = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            files.add(String.format("src/m%d/g%d/f%02d.txt", i / 200, (i / 20) % 10, i % 20));
        }
        return files;
    }

    /** The first {@code n} files, in path order (the order troupe's fan-out takes them in). */
    static List<String> files(int n) {
        return allFiles(2000).stream().sorted().limit(n).toList();
    }

    /**
     * A repository of {@code n} small files, src/d<NN>/e<N>/f<NNN>.txt (100 to a folder), one commit on main,
     * written by git fast-import (one pack) and checked out once.
     */
    Path makeBigRepository(Path dir, int n) throws Exception {
        Map<String, String> git = gitIdentity();
        run(work, git, "git", "init", "-q", "-b", "main", dir.toString());
        Path stream = work.resolve("big.fast-import");
        try (var out = new java.io.BufferedOutputStream(Files.newOutputStream(stream), 1 << 20)) {
            byte[] message = (n + " files to work on\n").getBytes(StandardCharsets.UTF_8);
            out.write(("commit refs/heads/main\ncommitter bench <bench@troupe> 1700000000 +0000\ndata " + message.length
                    + "\n").getBytes(StandardCharsets.UTF_8));
            out.write(message);
            for (int i = 0; i < n; i++) {
                String f = bigFile(i);
                byte[] content = ("line of " + f + "\n").repeat(20).getBytes(StandardCharsets.UTF_8);
                out.write(("M 100644 inline " + f + "\ndata " + content.length + "\n").getBytes(StandardCharsets.UTF_8));
                out.write(content);
                out.write('\n');
            }
        }
        Process importer = new ProcessBuilder("git", "fast-import", "--quiet").directory(dir.toFile())
                .redirectInput(stream.toFile()).redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        check(importer.waitFor() == 0, "git fast-import failed in " + dir);
        Files.delete(stream);
        run(dir, git, "git", "checkout", "-q", "-f", "main");
        return dir;
    }

    static String bigFile(int i) {
        return String.format("src/d%02d/e%d/f%03d.txt", i / 1000, (i / 100) % 10, i % 100);
    }

    /**
     * Puts the big repository back as it was made: main checked out and clean, no other branch, no worktree
     * (kept workspaces too), no .troupe or .peer.
     */
    void resetBigRepository(Path repo) throws Exception {
        run(repo, Map.of(), "rm", "-rf", ".troupe", ".peer", "../" + repo.getFileName() + ".troupe");
        run(repo, Map.of(), "git", "worktree", "prune");
        run(repo, Map.of(), "git", "checkout", "-q", "-f", "main");
        run(repo, Map.of(), "bash", "-c", "git for-each-ref --format='delete %(refname)' refs/heads refs/troupe"
                + " | grep -v ' refs/heads/main$' | git update-ref --stdin");
        run(repo, Map.of(), "git", "clean", "-q", "-ffdx");
        // Written out, not dropped: the second run on kept workspaces is measured with its files cached, as a user's
        // next run would find them.
        run(work, Map.of(), "sync");
    }

    static double duKb(Path dir) throws Exception {
        Result r = run(dir.getParent(), Map.of(), "du", "-sk", dir.toString());
        return r.code == 0 ? Double.parseDouble(r.output.trim().split("\\s+")[0]) : Double.NaN;
    }

    int copies;

    Path freshRepository() throws Exception {
        Path copy = work.resolve("repo-" + (++copies));
        run(work, Map.of(), "cp", "-a", template.toString(), copy.toString());
        settle();
        return copy;
    }

    /** Where the kernel is told to drop its clean caches (root only). */
    static final Path DROP_CACHES = Path.of("/proc/sys/vm/drop_caches");

    /**
     * Puts the machine's file system in the same state before each run starts its clock: what the page cache holds
     * dirty (the copy just made, the last run's removal, the other side's writes) is written out, and then, where the
     * benchmark may (as root), the clean page cache is dropped and the programs both sides start (troupe's jars and
     * archive, the JDK, git, bash) read back in, so that neither pays for reading its own tools. Left alone, the next
     * run was charged for what the one before it did: the kernel flushed its writes during the run, and ext4 without
     * a journal (this VM's), whose inode allocator passes over an inode freed less than 60 s ago (5 minutes more
     * while its block is dirty) when that block is cached ({@code recently_deleted}), scanned past every file the last
     * run and its removal deleted (the peer deletes 400,000 in workload 1) for each file the next run made. That
     * doubled troupe's system time on this VM; after a drop it is back. Each side pays for its own deletions.
     */
    void settle() throws Exception {
        run(work, Map.of(), "sync");
        if (!dropCaches) {
            return;
        }
        try {
            Files.writeString(DROP_CACHES, "1\n");
        } catch (IOException refused) {
            dropCaches = false;
            say("bench: cannot drop the page cache (" + refused.getMessage() + "): runs from here on only sync");
            return;
        }
        List<Path> tools = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "lib", "modules"),
                Path.of("/usr/bin/git"), Path.of("/bin/bash")));
        for (Path troupeHome : baselineHome == null ? List.of(home) : List.of(home, baselineHome)) {
            try (Stream<Path> target = Files.list(troupeHome.resolve("target"))) {
                target.filter(f -> f.toString().endsWith(".jar") || f.toString().endsWith(".jsa")).forEach(tools::add);
            }
            try (Stream<Path> lib = Files.list(troupeHome.resolve("target/lib"))) {
                lib.forEach(tools::add);
            }
        }
        byte[] buffer = new byte[1 << 20];
        for (Path tool : tools) {
            if (Files.isRegularFile(tool)) {
                try (var in = Files.newInputStream(tool)) {
                    while (in.read(buffer) > 0) {
                        // read into the page cache, nothing more
                    }
                }
            }
        }
    }

    void remove(Path repo) throws Exception {
        run(work, Map.of(), "rm", "-rf", repo.toString());
    }

    static int merges(Path repo, String branch) throws Exception {
        Result r = run(repo, Map.of(), "git", "rev-list", "--count", "--merges", branch, "^main");
        return r.code == 0 ? Integer.parseInt(r.output.trim()) : -1;
    }

    static Map<String, String> gitIdentity() {
        return Map.of("GIT_AUTHOR_NAME", "bench", "GIT_AUTHOR_EMAIL", "bench@troupe", "GIT_COMMITTER_NAME", "bench",
                "GIT_COMMITTER_EMAIL", "bench@troupe");
    }

    /**
     * From the journal: run-started to run-finished (the run without JVM start and stop), and the first
     * agent-started to the last task-succeeded (the agents' span), run-started to the first agent-started (time to
     * first agent). Streamed, not parsed whole: it can be 2 GB.
     */
    static double[] journalSpans(Path journal) throws IOException {
        Instant runStart = null, runEnd = null, agentStart = null, agentEnd = null;
        Pattern typeAndTime = Pattern.compile("^\\{\"type\":\"([a-z-]+)\",\"time\":\"([^\"]+)\"");
        try (BufferedReader in = Files.newBufferedReader(journal, StandardCharsets.UTF_8)) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("{\"type\":\"agent-output\"")) {
                    continue;
                }
                Matcher m = typeAndTime.matcher(line);
                if (!m.find()) {
                    continue;
                }
                Instant at = Instant.parse(m.group(2));
                switch (m.group(1)) {
                    case "run-started" -> runStart = at;
                    case "run-finished" -> runEnd = at;
                    case "agent-started" -> agentStart = agentStart == null ? at : agentStart;
                    case "task-succeeded" -> agentEnd = at;
                    default -> { }
                }
            }
        }
        return new double[] {millisBetween(runStart, runEnd), millisBetween(agentStart, agentEnd),
                millisBetween(runStart, agentStart)};
    }

    static double millisBetween(Instant a, Instant b) {
        return a == null || b == null ? Double.NaN : (b.toEpochMilli() - a.toEpochMilli()) + (b.getNano() % 1_000_000 - a.getNano() % 1_000_000) / 1e6;
    }

    // ---- results --------------------------------------------------------------------------------------------

    /** One line of the table; {@code met} is null where there is no target. */
    record Row(String workload, String size, String metric, String troupe, String peer, String ratio, String target,
            Boolean met) {}

    ObjectNode record(String name, int tasks, int team, Pair p) {
        ObjectNode r = results.putObject(name);
        r.put("tasks", tasks).put("team", team).put("troupeWallMsMedian", median(p.troupe, Run::wallMs));
        if (!p.peer.isEmpty()) {
            r.put("peerWallMsMedian", median(p.peer, Run::wallMs));
        }
        r.put("troupePeakRssMbMedian", median(p.troupe, Run::rssMb));
        r.set("troupeRuns", runs(p.troupe));
        r.set("peerRuns", runs(p.peer));
        return r;
    }

    static ArrayNode runs(List<Run> runs) {
        ArrayNode a = JSON.createArrayNode();
        for (Run r : runs) {
            ObjectNode o = a.addObject().put("wallMs", r.wallMs).put("cpuMs", r.cpuMs).put("peakRssMb", r.rssMb);
            if (!Double.isNaN(r.inRunMs)) {
                o.put("runStartedToFinishedMs", r.inRunMs).put("agentsSpanMs", r.agentMs);
            }
            if (!Double.isNaN(r.firstAgentMs)) {
                o.put("firstAgentMs", r.firstAgentMs);
            }
        }
        return a;
    }

    void report() throws Exception {
        String date = LocalDate.now().toString();
        String host = InetAddress.getLocalHost().getHostName();
        long ramGib = Math.round(((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize() / (1024.0 * 1024 * 1024));
        String java = run(home, Map.of(), "java", "-version").output.lines().findFirst().orElse("?");
        String machine = Runtime.getRuntime().availableProcessors() + " cores, " + ramGib + " GiB RAM, " + java
                + ", " + run(home, Map.of(), "git", "--version").output.trim() + ", host " + host;
        String mode = quick ? "quick (small sizes)" : "full";
        String commit = run(home, Map.of(), "git", "rev-parse", "--short", "HEAD").output.trim();
        results.put("date", date).put("machine", machine).put("mode", mode).put("rounds", rounds)
                .put("heavyRounds", heavyRounds)
                .put("troupeCommit", commit).put("troupeJavaOpts", javaOpts).put("cachesDropped", dropCaches);

        StringBuilder t = new StringBuilder();
        t.append("Run: ").append(date).append(", ").append(mode).append(", ").append(rounds)
                .append(" round(s) (workloads 3, 4 and 6: ").append(heavyRounds).append("), medians; troupe at ").append(commit)
                .append(javaOpts.isEmpty() ? "" : ", TROUPE_JAVA_OPTS=\"" + javaOpts + "\"")
                .append(dropCaches ? "; page cache synced and dropped before each run" : "; page cache synced before each run"
                        + " (not dropped: not root)").append(".\n")
                .append("Machine: ").append(machine).append(".\n\n")
                .append("| workload | size | metric | troupe | peer | troupe/peer | target | met |\n")
                .append("|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            t.append("| ").append(String.join(" | ", r.workload, r.size, r.metric, r.troupe, r.peer, r.ratio, r.target,
                    r.met == null ? "" : r.met ? "yes" : "**no**")).append(" |\n");
        }
        String table = t.toString();
        System.out.println();
        System.out.print(table);

        // A run of some workloads does not replace the day's run of all of them.
        String label = (quick ? "quick-" : "") + (only.equals(ALL) ? "" : "only" + String.join("", new TreeSet<>(only)) + "-")
                + (javaOpts.isEmpty() ? "" : "javaopts-") + (variants.isEmpty() ? "" : "variants-") + host;
        Path out = home.resolve("bench/results").resolve(date + "-" + label + ".json");
        Files.createDirectories(out.getParent());
        JSON.writeValue(out.toFile(), results);
        say("results in " + home.relativize(out));
        if (!quick && only.equals(ALL) && javaOpts.isEmpty() && variants.isEmpty()) {
            writeTableInto(home.resolve("docs/performance.md"), table);
            say("table written into docs/performance.md");
        } else {
            say("docs/performance.md left as it is (it holds full runs of every workload, troupe as shipped)");
        }
    }

    /** Replaces what lies between the bench markers in the page, keeping everything written around them. */
    static void writeTableInto(Path page, String table) throws IOException {
        String begin = "<!-- bench:begin -->\n";
        String end = "<!-- bench:end -->";
        String text = Files.readString(page);
        int b = text.indexOf(begin);
        int e = text.indexOf(end);
        check(b >= 0 && e > b, page + " has no " + begin.trim() + " ... " + end + " markers");
        Files.writeString(page, text.substring(0, b + begin.length()) + table + text.substring(e));
    }

    // ---- small helpers --------------------------------------------------------------------------------------

    record Result(int code, String output) {}

    /** Runs a command in {@code dir} with more environment, stdout and stderr together, and waits for it. */
    static Result run(Path dir, Map<String, String> env, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().remove("TROUPE_JAVA_OPTS");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), out);
    }

    static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalStateException(message);
        }
    }

    static double median(List<Run> runs, java.util.function.ToDoubleFunction<Run> metric) {
        double[] v = runs.stream().mapToDouble(metric).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    static String secs(double ms) {
        return String.format(Locale.ROOT, "%.2f s", ms / 1000);
    }

    static String ms(double ms) {
        return String.format(Locale.ROOT, "%.1f ms", ms);
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    static String fmt0(double v) {
        return String.format(Locale.ROOT, "%.0f", v);
    }

    static String ratio(double v) {
        return String.format(Locale.ROOT, "%.2fx", v);
    }

    static void say(String line) {
        System.err.println("bench: " + line);
    }
}
