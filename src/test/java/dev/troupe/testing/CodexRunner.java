package dev.troupe.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs the pinned Codex CLI once, as troupe would: in a working directory, stdin closed (Codex reads an open stdin
 * to its end before it starts), a private HOME and {@code CODEX_HOME}, the stand-in's key, and nothing of the
 * caller's environment but PATH. A run that does not end within its deadline is killed and fails.
 */
public final class CodexRunner {

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
        String printed = HeadlessCli.version(codex);
        return printed.substring(printed.lastIndexOf(' ') + 1);
    }

    /**
     * Runs {@code codex ARGUMENTS} in {@code dir} with {@code codexHome}; {@code root} holds the run's HOME, stdout
     * and stderr.
     */
    public HeadlessCli.Run run(List<String> arguments, Path dir, Path codexHome, Path root, long deadlineSeconds)
            throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of(codex.toString()));
        argv.addAll(arguments);
        Map<String, String> env = Map.of("HOME", Files.createDirectories(root.resolve("home")).toString(),
                "CODEX_HOME", codexHome.toString(), CodexHome.KEY_VARIABLE, CodexHome.KEY);
        return new HeadlessCli(argv, dir, env, Optional.empty())
                .run(root.resolve("stdout.jsonl"), root.resolve("stderr.txt"), deadlineSeconds);
    }
}
