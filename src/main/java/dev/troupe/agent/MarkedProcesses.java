package dev.troupe.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The processes whose environment holds a variable ({@code NAME=value}), found through {@code /proc}: everything an
 * agent starts inherits its marker, and keeps it once orphaned. On systems without {@code /proc}, none.
 *
 * <p>A process in the middle of {@code exec} shows an empty environment for a moment (the kernel has put in its new
 * memory but not yet its environment), so one look can miss a child the agent forked just before it exited. Such a
 * process makes the look {@link Look#unsure() unsure}; {@link #settled} looks again until none is.
 */
final class MarkedProcesses {

    private static final Path PROC = Path.of("/proc");
    private static final int LOOKS = 20;
    private static final Duration BETWEEN_LOOKS = Duration.ofMillis(5);

    private MarkedProcesses() {}

    /** What one look found, and whether some process could not be read for the variable yet. */
    record Look(Set<ProcessHandle> found, boolean unsure) {}

    static Look look(String variable) {
        Set<ProcessHandle> found = new LinkedHashSet<>();
        boolean unsure = false;
        if (!Files.isDirectory(PROC)) {
            return new Look(found, false);
        }
        byte[] needle = variable.getBytes(StandardCharsets.UTF_8);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC, "[0-9]*")) {
            for (Path entry : entries) {
                try {
                    byte[] environ = Files.readAllBytes(entry.resolve("environ"));
                    if (environ.length == 0) {
                        if (midExec(entry)) {
                            unsure = true;
                            continue;
                        }
                        // Its exec may have ended since the first read: once stat shows the end, environ shows it.
                        environ = Files.readAllBytes(entry.resolve("environ"));
                    }
                    if (containsVariable(environ, needle)) {
                        ProcessHandle.of(Long.parseLong(entry.getFileName().toString())).ifPresent(found::add);
                    }
                } catch (IOException | NumberFormatException | SecurityException gone) {
                    // Ended meanwhile, a kernel thread, or not ours to read.
                }
            }
        } catch (IOException unreadable) {
            // No /proc to read: the snapshots of descendants are all there is.
        }
        return new Look(found, unsure);
    }

    /**
     * Every process with the variable, looking again (a few ms apart, for at most about 0.1 s) while a look is
     * unsure; what any look found.
     */
    static Set<ProcessHandle> settled(String variable) {
        Set<ProcessHandle> found = new LinkedHashSet<>();
        for (int i = 0; i < LOOKS; i++) {
            Look look = look(variable);
            found.addAll(look.found());
            if (!look.unsure()) {
                break;
            }
            try {
                TimeUnit.MILLISECONDS.sleep(BETWEEN_LOOKS.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return found;
    }

    /**
     * Whether a process whose environment read empty is between its new program's memory and its environment:
     * alive, and its {@code stat} gives no end to an environment (a program started with none has one of length 0).
     */
    static boolean midExec(Path entry) {
        String stat;
        try {
            stat = Files.readString(entry.resolve("stat"), StandardCharsets.ISO_8859_1);
        } catch (IOException | SecurityException gone) {
            return false;
        }
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses, the fields after its last ')' do not.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        if (fields[0].equals("Z") || fields[0].equals("X")) {
            return false;
        }
        int envEnd = 51 - 3; // field 51 of proc(5), counted from the state, field 3
        return fields.length <= envEnd || fields[envEnd].equals("0");
    }

    /** {@code environ} holds NUL-terminated NAME=value entries; the variable must be one of them, whole. */
    private static boolean containsVariable(byte[] environ, byte[] variable) {
        outer:
        for (int start = 0; start + variable.length <= environ.length; ) {
            for (int i = 0; i < variable.length; i++) {
                if (environ[start + i] != variable[i]) {
                    int end = start;
                    while (end < environ.length && environ[end] != 0) {
                        end++;
                    }
                    start = end + 1;
                    continue outer;
                }
            }
            int after = start + variable.length;
            if (after == environ.length || environ[after] == 0) {
                return true;
            }
            start = after;
        }
        return false;
    }
}
