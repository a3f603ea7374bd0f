package dev.troupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.troupe.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How many git processes a run starts per task: each costs a fork, an exec and git's own start, and they were the
 * per-task overhead that grew. Counted by a {@code git} first on troupe's PATH that writes down each call and
 * hands it to the real one; 20 one-file tasks, team 4, as the benchmark's overhead workload runs them.
 */
class GitProcessesTest {

    /**
     * Per task at most, the run's own calls shared out: the 3930bc1 build started 13; now a checkout, a clean, a status,
     * an add and a write-tree (about 6.4 with the run's own).
     */
    private static final int MOST_PER_TASK = 7;
    private static final int TASKS = 20;

    @TempDir
    Path tmp;

    @Test
    void twentyTasksStartAtMostEightGitProcessesEachAndHousekeepingOnceAtTheEnd() throws Exception {
        Map<String, String> files = new LinkedHashMap<>();
        for (int i = 1; i <= TASKS; i++) {
            files.put("d" + (i % 5) + "/f" + i + ".txt", "line " + i + "\n");
        }
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), files);
        Path calls = tmp.resolve("git-calls.txt");
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        String realGit = new String(new ProcessBuilder("sh", "-c", "command -v git").start().getInputStream()
                .readAllBytes()).strip();
        Path wrapper = bin.resolve("git");
        Files.writeString(wrapper, "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '" + calls + "'\nexec '" + realGit + "' \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
        StringBuilder goal = new StringBuilder("goal: count\nrepo: " + repo.dir() + "\nteam: {size: 4, stagger: 0ms}\n"
                + "agent:\n  command: [\"" + Path.of("bench/agents/edit.sh").toAbsolutePath() + "\"]\n"
                + "limits: {attempts: 1}\ntasks:\n");
        files.keySet().forEach(file -> goal.append("  - id: t").append(file.replaceAll("\\D", ""))
                .append("\n    prompt: \"edit ").append(file).append("\"\n"));
        Files.writeString(tmp.resolve("goal.yaml"), goal);
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder run = new ProcessBuilder(javaBin.toString(), "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "run", tmp.resolve("goal.yaml").toString(), "--quiet")
                .redirectErrorStream(true).redirectOutput(tmp.resolve("run.out").toFile());
        run.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        Process troupe = run.start();

        assertTrue(troupe.waitFor(120, TimeUnit.SECONDS), "the run ends");

        assertEquals(0, troupe.exitValue(), Files.readString(tmp.resolve("run.out")));
        List<String> started = Files.readAllLines(calls);
        Map<String, Integer> bySubcommand = new TreeMap<>();
        started.forEach(call -> bySubcommand.merge(subcommand(call), 1, Integer::sum));
        assertTrue(started.size() <= MOST_PER_TASK * TASKS, started.size() + " git processes for " + TASKS + " tasks: "
                + bySubcommand);
        // JGit asks git once where its system config is (--version, config --system): those two are not troupe's.
        List<String> housekeeping = started.stream().filter(call -> call.startsWith("-C "))
                .filter(call -> !call.contains("-c maintenance.auto=false -c gc.auto=0")).toList();
        assertEquals(List.of("-C " + repo.dir() + " -c gc.autoDetach=false gc --auto --quiet"), housekeeping,
                "every git troupe starts is told"
                + " to do no housekeeping, but the one look at the end of the run whether the repository needs it");
        assertTrue(started.stream().filter(call -> !call.startsWith("-C ")).count() <= 2, started.toString());
        assertEquals(TASKS, repo.mergedTasks("troupe/" + onlyRun(repo)).size());
    }

    /** The git command of a call: its first word after the options ({@code -C dir}, {@code -c key=value}). */
    private static String subcommand(String call) {
        String[] words = call.split(" ");
        for (int i = 0; i < words.length; i++) {
            if (words[i].equals("-C") || words[i].equals("-c")) {
                i++;
            } else if (!words[i].startsWith("-")) {
                return words[i];
            }
        }
        return call;
    }

    private static String onlyRun(TestRepo repo) throws java.io.IOException {
        try (var runs = Files.list(repo.dir().resolve(".troupe/runs"))) {
            return runs.findFirst().orElseThrow().getFileName().toString();
        }
    }
}
