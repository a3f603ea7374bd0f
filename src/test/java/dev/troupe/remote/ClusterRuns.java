package dev.troupe.remote;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.testing.Journals;
import dev.troupe.testing.TestRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What the cluster tests share: their processes' output, the run's journal as it grows, and the cleanup. */
final class ClusterRuns {

    private ClusterRuns() {}

    /** Everything a test started, and everything those started, killed. */
    static void stopAll(List<Process> processes) throws InterruptedException {
        for (Process process : processes) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /**
     * troupe in a JVM of its own, with {@code args}, after {@code prefix} (such as {@code ip netns exec NS}); its
     * output goes to {@code <name>.out} in {@code dir}, and it is added to {@code processes}.
     */
    static Process troupe(Path dir, String name, List<String> prefix, List<String> args, List<Process> processes)
            throws IOException {
        List<String> command = new java.util.ArrayList<>(prefix);
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), dev.troupe.cli.Main.class.getName()));
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".out").toFile()).start();
        processes.add(process);
        return process;
    }

    /** What the process {@code name} printed so far (its output goes to {@code <name>.out} in {@code dir}). */
    static String output(Path dir, String name) {
        try {
            return Files.readString(dir.resolve(name + ".out"));
        } catch (IOException e) {
            return "";
        }
    }

    /** The run's journal as far as it is written; empty before the run exists. */
    static List<JsonNode> events(TestRepo repo) {
        Path runs = repo.dir().resolve(".troupe/runs");
        if (!Files.isDirectory(runs)) {
            return List.of();
        }
        try (var dirs = Files.list(runs)) {
            return dirs.findFirst().map(run -> Journals.readLive(run.resolve("events.jsonl"))).orElse(List.of());
        } catch (IOException e) {
            return List.of();
        }
    }
}
