package dev.troupe.testing;

import dev.troupe.agent.AgentCall;
import dev.troupe.agent.AgentKind;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One headless run of an agent CLI, as troupe starts it: {@code argv} in {@code dir} with nothing of the caller's
 * environment but PATH (and {@code LANG=C.UTF-8}) plus {@code env}, stdin from a file or closed (a CLI may wait for
 * an open one to close), stdout and stderr to files. A run that does not end within its deadline fails; its process
 * tree is killed after, whatever happened, so no command the agent ran outlives it.
 */
public record HeadlessCli(List<String> argv, Path dir, Map<String, String> env, Optional<Path> stdin) {

    /** What one run printed; {@code seconds} from start to exit. */
    public record Run(List<String> argv, List<String> stdout, List<String> stderr, int exitCode, double seconds) {}

    /**
     * How troupe starts {@code kind} for {@code call}: the kind's command line and environment, {@code env} over it,
     * and the prompt on stdin when the kind takes it there.
     */
    public static HeadlessCli of(Path executable, AgentKind kind, AgentCall call, Path dir, Map<String, String> env)
            throws IOException {
        List<String> argv = new ArrayList<>(List.of(executable.toString()));
        argv.addAll(kind.arguments(call));
        Map<String, String> environment = new HashMap<>(kind.environment());
        environment.putAll(env);
        Optional<Path> stdin = Optional.empty();
        Optional<String> prompt = kind.stdin(call);
        if (prompt.isPresent()) {
            Path file = Files.createTempFile(kind.name() + "-prompt", ".txt");
            file.toFile().deleteOnExit();
            stdin = Optional.of(Files.writeString(file, prompt.get()));
        }
        return new HeadlessCli(argv, dir, environment, stdin);
    }

    public Run run(Path stdout, Path stderr, long deadlineSeconds) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(argv).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(stdin.map(Path::toFile).orElse(new File("/dev/null"))))
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        Map<String, String> environment = builder.environment();
        String path = environment.get("PATH");
        environment.clear();
        environment.put("PATH", path);
        environment.put("LANG", "C.UTF-8");
        environment.putAll(env);
        long start = System.nanoTime();
        Process process = builder.start();
        try {
            if (!process.waitFor(deadlineSeconds, TimeUnit.SECONDS)) {
                throw new IllegalStateException(Path.of(argv.get(0)).getFileName() + " did not end within "
                        + deadlineSeconds + " s; it printed:\n" + Files.readString(stdout) + Files.readString(stderr));
            }
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        double seconds = Math.round((System.nanoTime() - start) / 1e8) / 10.0;
        return new Run(argv, Files.readAllLines(stdout), Files.readAllLines(stderr), process.exitValue(), seconds);
    }

    /** What {@code executable --version} prints, stripped. */
    public static String version(Path executable) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(executable.toString(), "--version").redirectErrorStream(true).start();
        String printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        process.waitFor();
        return printed;
    }
}
