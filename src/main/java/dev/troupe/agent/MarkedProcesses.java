package dev.troupe.agent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * The processes whose environment holds a variable ({@code NAME=value}), found through {@code /proc}: everything an
 * agent starts inherits its marker, and keeps it once orphaned. On systems without {@code /proc}, none.
 *
 * <p>A process in the middle of {@code exec} shows an empty environment for a moment (the kernel has put in its new
 * memory but not yet its environment), so one look can miss a child the agent forked just before it exited. Such a
 * process makes the look {@link Look#unsure() unsure}; {@link #settledLook} looks again until none is.
 */
final class MarkedProcesses {

    private static final Path PROC = Path.of("/proc");
    /** How long {@link #settledLook} looks again while a look is unsure: an exec on a loaded machine takes a while. */
    private static final Duration SETTLE = Duration.ofSeconds(1);
    private static final Duration BETWEEN_LOOKS = Duration.ofMillis(5);
    /** Most environments fit, so that one read takes it whole (an exec between two reads would cut it short). */
    private static final int ENVIRON_BUFFER = 128 * 1024;
    private static final long PF_EXITING = 0x4;
    private static final long PF_KTHREAD = 0x00200000;

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
        byte[] buffer = new byte[ENVIRON_BUFFER];
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC, "[0-9]*")) {
            for (Path entry : entries) {
                try {
                    byte[] environ = environ(entry, buffer);
                    if (environ.length == 0) {
                        // It may be inside an exec. Once stat shows its environment's end, environ shows it too,
                        // unless it went into another exec meanwhile (setsid, env and nohup exec what they start).
                        boolean inExec = midExec(entry);
                        if (!inExec) {
                            environ = environ(entry, buffer);
                            inExec = environ.length == 0 && midExec(entry);
                        }
                        if (inExec) {
                            unsure = true;
                            continue;
                        }
                    }
                    if (containsVariable(environ, needle)) {
                        // Taken only for a match (it reads the process's stat): its start time keeps a kill off
                        // whatever takes the pid later.
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
     * Every process with the variable, looking again (a few ms apart, for at most about a second) while a look is
     * unsure: what any look found, and whether the last was still unsure.
     */
    static Look settledLook(String variable) {
        Set<ProcessHandle> found = new LinkedHashSet<>();
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (true) {
            Look look = look(variable);
            found.addAll(look.found());
            if (!look.unsure() || System.nanoTime() > deadline) {
                return new Look(found, look.unsure());
            }
            LockSupport.parkNanos(BETWEEN_LOOKS.toNanos());
        }
    }

    /** A process's environment, read by one call as far as the buffer goes: an exec cannot cut it in between. */
    private static byte[] environ(Path entry, byte[] buffer) throws IOException {
        try (InputStream in = Files.newInputStream(entry.resolve("environ"))) {
            int n = Math.max(0, in.read(buffer));
            byte[] environ = Arrays.copyOf(buffer, n);
            if (n < buffer.length) {
                return environ;
            }
            byte[] rest = in.readAllBytes();
            byte[] whole = Arrays.copyOf(environ, n + rest.length);
            System.arraycopy(rest, 0, whole, n, rest.length);
            return whole;
        }
    }

    /**
     * Whether a process whose environment read empty is between its new program's memory and its environment:
     * alive, not a kernel thread nor exiting, and its {@code stat} gives no end to an environment (a program started
     * with none has one of length 0). {@code entry} is its folder of {@code /proc}.
     */
    static boolean midExec(Path entry) {
        String stat;
        try {
            stat = Files.readString(entry.resolve("stat"), StandardCharsets.ISO_8859_1);
        } catch (IOException | SecurityException gone) {
            return false;
        }
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses, the fields after its last ')' do not.
        int comm = stat.lastIndexOf(')');
        if (comm < 0) {
            return false;
        }
        String[] fields = stat.substring(comm + 1).trim().split(" ");
        // Counted from the state, field 3 of proc(5): flags is field 9, env_end field 51.
        int flags = 9 - 3;
        int envEnd = 51 - 3;
        if (fields[0].equals("Z") || fields[0].equals("X") || fields.length <= flags) {
            return false;
        }
        try {
            if ((Long.parseUnsignedLong(fields[flags]) & (PF_KTHREAD | PF_EXITING)) != 0) {
                return false;
            }
        } catch (NumberFormatException unreadable) {
            return false;
        }
        return fields.length <= envEnd || fields[envEnd].equals("0");
    }

    /** {@code environ} holds NUL-terminated NAME=value entries; the variable must be one of them, whole. */
    private static boolean containsVariable(byte[] environ, byte[] variable) {
        for (int start = 0; start < environ.length; ) {
            int end = start;
            while (end < environ.length && environ[end] != 0) {
                end++;
            }
            if (end - start == variable.length && Arrays.equals(environ, start, end, variable, 0, variable.length)) {
                return true;
            }
            start = end + 1;
        }
        return false;
    }
}
