package dev.troupe.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs the pinned Codex CLI once, as troupe would: in a working directory, stdin closed (Codex reads an open stdin
 * to its end before it starts), a private HOME and {@code CODEX_HOME}, the stand-in's key, and nothing of the
 * caller's environment but PATH. A run that does not end within its deadline is killed and fails.
 */
public final class CodexRunner {

    /** What one run printed; {@code seconds} from start to exit. */
    public record Run(List<String> argv, List<String> stdout, List<String> stderr, int exitCode, double seconds) {}

    private final Path codex;

    public CodexRunner(Path codex) {
        this.codex = codex.toAbsolutePath();
    }

    /** The pinned CLI the build installed ({@code troupe.codex}, set by surefire), if it is there. */
    public static Optional<CodexRunner> pinned() {
        String path = System.getProperty("troupe.codex");
        return path != null && Files.isExecutable(Path.of(path)) ? Optional.of(new CodexRunner(Path.of(path)))
                : Optional.empty();
    }

    public Path executable() {
        return codex;
    }

    /** The CLI's version, as {@code --version} prints it: {@code 0.169.0}. */
    public String version() throws IOException, InterruptedException {
        Process process = new ProcessBuilder(codex.toString(), "--version").redirectErrorStream(true).start();
        String printed = new String(process.getInputStream().readAllBytes()).strip();
        process.waitFor();
        return printed.substring(printed.lastIndexOf(' ') + 1);
    }

    /**
     * Runs {@code codex ARGUMENTS} in {@code dir} with {@code codexHome}; {@code root} holds the run's HOME and
     * stderr.
     */
    public Run run(List<String> arguments, Path dir, Path codexHome, Path root, long deadlineSeconds)
            throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of(codex.toString()));
        argv.addAll(arguments);
        Path stdout = root.resolve("stdout.jsonl");
        Path stderr = root.resolve("stderr.txt");
        ProcessBuilder builder = new ProcessBuilder(argv).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        Map<String, String> env = builder.environment();
        String path = env.get("PATH");
        env.clear();
        env.put("PATH", path);
        env.put("LANG", "C.UTF-8");
        env.put("HOME", Files.createDirectories(root.resolve("home")).toString());
        env.put("CODEX_HOME", codexHome.toString());
        env.put(CodexHome.KEY_VARIABLE, CodexHome.KEY);
        long start = System.nanoTime();
        Process process = builder.start();
        try {
            if (!process.waitFor(deadlineSeconds, TimeUnit.SECONDS)) {
                throw new IllegalStateException("codex did not end within " + deadlineSeconds + " s: "
                        + String.join("\n", Files.readAllLines(stdout)));
            }
        } finally {
            // The shell commands it ran are its children: none may outlive a failed run.
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        double seconds = Math.round((System.nanoTime() - start) / 1e8) / 10.0;
        return new Run(argv, Files.readAllLines(stdout), Files.readAllLines(stderr), process.exitValue(), seconds);
    }
}
