package dev.troupe.workspace;

import dev.troupe.agent.AgentProcess;
import dev.troupe.agent.Secrets;
import dev.troupe.agent.LiveAgents;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs {@code workspace.setup} ({@code bash -c}) in a workspace, blocking, with its output appended to the
 * workspace's log. It starts through the run's {@link LiveAgents}, like an agent, so that a stopping troupe stops
 * it too; once it exits, whatever it left running is stopped (a setup prepares files, it does not start servers).
 * It runs without the Anthropic credentials (third-party install scripts have no use for them).
 */
final class Setup {

    /** @param exitCode the command's exit code, or -1 when it ran past its time and was stopped */
    record Outcome(int exitCode, long millis) {

        boolean passed() {
            return exitCode == 0;
        }
    }

    private Setup() {}

    static Outcome run(String command, Path workspace, Map<String, String> env, Path log, Duration timeout,
            LiveAgents agents, Duration grace) throws IOException {
        Files.createDirectories(log.getParent());
        Files.writeString(log, "== " + Instant.now() + " in " + workspace + ": " + command + "\n",
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        long started = System.nanoTime();
        AgentProcess process = agents.start(List.of("bash", "-c", command), workspace,
                Secrets.withoutApiCredentials(env), log);
        Map<String, String> seen = new java.util.HashMap<>(System.getenv());
        seen.putAll(env);
        Secrets secrets = Secrets.of(seen);
        Thread copier = new Thread(() -> append(process.stdout(), log, secrets), "troupe-setup-output");
        copier.setDaemon(true);
        copier.start();
        int code;
        try {
            code = process.exit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException late) {
            code = -1;
        } catch (ExecutionException e) {
            throw new IOException("cannot wait for the setup: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the setup", e);
        } finally {
            process.stopNow(grace);
        }
        try {
            copier.join(grace.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        String end = code >= 0 ? "exit " + code : "stopped: still running after " + timeout.toSeconds() + " s";
        Files.writeString(log, "== " + end + " after " + millis + " ms\n", StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
        return new Outcome(code, millis);
    }

    /**
     * What the latest setup in {@code log} printed last (its last two lines, troupe's own lines left out), for a
     * failure's reason; empty when it printed nothing or the log cannot be read.
     */
    static String lastWords(Path log) {
        try {
            // The end is enough: a long install's first lines say nothing of why it failed.
            List<String> lines = endOf(log, 16 * 1024).lines().toList();
            int start = 0;
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).matches("== \\d{4}-\\d\\d-\\d\\dT.* in .*")) {
                    start = i + 1;
                }
            }
            String output = String.join("\n", lines.subList(Math.min(start, lines.size()), lines.size()).stream()
                    .filter(line -> !line.startsWith("== ")).toList());
            return dev.troupe.git.LastWords.of(output, 2);
        } catch (IOException unreadable) {
            return "";
        }
    }

    /**
     * Blocking: the last {@code bytes} of {@code file} (all of it when it is shorter), as text; a long output's end
     * is read without the rest.
     */
    static String endOf(Path file, int bytes) throws IOException {
        try (java.io.RandomAccessFile in = new java.io.RandomAccessFile(file.toFile(), "r")) {
            long from = Math.max(0, in.length() - bytes);
            byte[] end = new byte[(int) (in.length() - from)];
            in.seek(from);
            in.readFully(end);
            return new String(end, StandardCharsets.UTF_8);
        }
    }

    /** Line by line, every credential of the environment masked (a registry token an install script echoes). */
    private static void append(InputStream output, Path log, Secrets secrets) {
        try (java.io.BufferedReader in = new java.io.BufferedReader(
                        new java.io.InputStreamReader(output, StandardCharsets.UTF_8));
                java.io.Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                out.write(secrets.redact(line));
                out.write('\n');
                out.flush();
            }
        } catch (IOException closed) {
            // The setup was stopped: what it printed so far is in the log.
        }
    }
}
