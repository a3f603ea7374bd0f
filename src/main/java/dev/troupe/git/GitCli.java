package dev.troupe.git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs the git command line where JGit has no API (linked worktrees) or where git is much faster. Blocking:
 * call only from the blocking dispatcher or before the actors start.
 */
public final class GitCli {

    /**
     * Settings every git troupe runs is given: none of them starts the repository's housekeeping (a {@code git
     * maintenance run --auto} after each commit, an auto gc), a process or more per task that troupe's own short-lived
     * commits do not need; the user's own next git command does it as usual.
     */
    static final List<String> NO_HOUSEKEEPING = List.of("-c", "maintenance.auto=false", "-c", "gc.auto=0");

    /**
     * The threads that read git's stderr while its stdout is read, kept for the next command (a minute idle): a
     * thread started for each of a run's hundred thousand commands left the JVM's native memory larger each time.
     */
    private static final ExecutorService STDERR_READERS = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60,
            TimeUnit.SECONDS, new SynchronousQueue<>(), runnable -> {
                Thread thread = new Thread(runnable, "git-stderr");
                thread.setDaemon(true);
                return thread;
            });

    /**
     * The same two settings for a process troupe starts that may run git itself (an agent committing in its
     * worktree), through git's {@code GIT_CONFIG_COUNT}, {@code GIT_CONFIG_KEY_n} and {@code GIT_CONFIG_VALUE_n},
     * after any that {@code inherited} (the environment it would inherit) gives already: otherwise an agent's commit
     * may start a gc in the background that removes object folders under the workers' commits (see
     * {@link Housekeeping}).
     */
    public static java.util.Map<String, String> noHousekeepingEnvironment(java.util.Map<String, String> inherited) {
        int first;
        try {
            first = Math.max(0, Integer.parseInt(inherited.getOrDefault("GIT_CONFIG_COUNT", "0").strip()));
        } catch (NumberFormatException e) {
            first = 0; // git refuses a count that is not a number: this one replaces it
        }
        java.util.Map<String, String> env = new java.util.HashMap<>();
        for (int i = 0; i < NO_HOUSEKEEPING.size() / 2; i++) {
            String[] setting = NO_HOUSEKEEPING.get(2 * i + 1).split("=", 2);
            env.put("GIT_CONFIG_KEY_" + (first + i), setting[0]);
            env.put("GIT_CONFIG_VALUE_" + (first + i), setting[1]);
        }
        env.put("GIT_CONFIG_COUNT", Integer.toString(first + NO_HOUSEKEEPING.size() / 2));
        return env;
    }

    /** How much of git's stderr a failure's message keeps below its first line. */
    private static final int KEPT = 4000;

    private GitCli() {}

    /** The object {@code revision} names in the repository at {@code dir}, or empty when it names none. */
    public static java.util.Optional<String> resolve(Path dir, String revision) {
        try {
            return java.util.Optional.of(run(dir, "rev-parse", "--verify", "--quiet", revision).strip());
        } catch (GitException missing) {
            return java.util.Optional.empty();
        }
    }

    /** Runs {@code git -C dir args...}; returns stdout, or throws with git's stderr when it exits non-zero. */
    public static String run(Path dir, String... args) throws GitException {
        return run(dir, null, args);
    }

    /** The same, with {@code input} on git's stdin (null: none). */
    public static String run(Path dir, byte[] input, String... args) throws GitException {
        return run(dir, java.util.Map.of(), input, args);
    }

    /** The same, with {@code env} added to git's environment (e.g. {@code GIT_INDEX_FILE}). */
    public static String run(Path dir, java.util.Map<String, String> env, byte[] input, String... args)
            throws GitException {
        List<String> command = new ArrayList<>(List.of("git", "-C", dir.toString()));
        command.addAll(NO_HOUSEKEEPING);
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        if (input == null) {
            builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        // Never let git stop to ask for anything.
        builder.environment().put("GIT_TERMINAL_PROMPT", "0");
        try {
            Process process = builder.start();
            // stderr of git commands is small; read it on another thread so a full pipe cannot block either side.
            var stderr = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return "";
                }
            }, STDERR_READERS);
            if (input != null) {
                // Written whole before stdout is read: the commands given input (add, commit) print little.
                try (var stdin = process.getOutputStream()) {
                    stdin.write(input);
                } catch (IOException gitStoppedReading) {
                    // It failed early: its exit code and stderr below say why.
                }
            }
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int code = process.waitFor();
            if (code != 0) {
                throw failure(args, code, stderr.join().strip());
            }
            return out;
        } catch (IOException e) {
            throw new GitException("cannot run git: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GitException("interrupted while running git " + String.join(" ", args), e);
        }
    }

    /**
     * What git said last, then the command and its exit code, on the first line (bounded: it becomes a reason);
     * the rest of stderr, if there is more, below (its last {@value #KEPT} characters).
     */
    private static GitException failure(String[] args, int code, String said) {
        String command = LastWords.bounded("git " + String.join(" ", args), 200);
        String last = LastWords.of(said, 2);
        String first = last.isEmpty() ? command + " failed (exit " + code + ")"
                : last + " (" + command + ", exit " + code + ")";
        String rest = said.length() > KEPT ? "..." + said.substring(said.length() - KEPT) : said;
        return new GitException(said.lines().count() > 2 ? first + "\n" + rest : first, code, said);
    }
}
