package dev.troupe.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One troupe process per run: an OS lock on {@code .troupe/runs/<run>/lock}, which holds the owner's pid. The
 * OS drops the lock when its process dies, even by {@code kill -9}, so a dead run is never mistaken for a live one.
 *
 * <p>The OS's locks belong to the process, and closing any channel of the file drops them all: so this process never
 * opens a second channel on a lock it holds ({@link #HELD} answers for those), and {@link #isLive} looks at another
 * process's lock without writing the file.
 */
final class RunLock implements AutoCloseable {

    /** The runs this process holds, by their lock files. */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the run's lock, or refuses (exit 2) naming the process that holds it. */
    static RunLock acquire(Path runDir) throws TroupeException {
        Path file = lockFile(runDir);
        if (HELD.contains(file)) {
            throw heldBy(runDir);
        }
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException sameJvm) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                throw heldBy(runDir);
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(false);
            HELD.add(file);
            return new RunLock(file, channel, lock);
        } catch (IOException e) {
            throw new TroupeException(ExitCodes.INTERNAL, "cannot lock " + file + ": " + e.getMessage());
        }
    }

    private static TroupeException heldBy(Path runDir) {
        return TroupeException.badInput("run " + runDir.getFileName() + " is live"
                + owner(runDir).map(pid -> " (troupe pid " + pid + ")").orElse("")
                + "; only one troupe process may work on a run");
    }

    private static Path lockFile(Path runDir) {
        return runDir.resolve("lock").toAbsolutePath().normalize();
    }

    /**
     * Whether a live process holds the run: this one, or another, found by taking a shared lock for a moment (the
     * file is neither made nor written).
     */
    static boolean isLive(Path runDir) {
        Path file = lockFile(runDir);
        if (HELD.contains(file)) {
            return true;
        }
        if (!Files.exists(file)) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            FileLock probe = channel.tryLock(0, Long.MAX_VALUE, true);
            if (probe == null) {
                return true;
            }
            probe.release();
            return false;
        } catch (OverlappingFileLockException sameJvm) {
            return true;
        } catch (IOException unreadable) {
            return false;
        }
    }

    /** The pid written by the last owner, if any: this process's own when it holds the run, without a look. */
    static Optional<String> owner(Path runDir) {
        if (HELD.contains(lockFile(runDir))) {
            return Optional.of(Long.toString(ProcessHandle.current().pid()));
        }
        try {
            String pid = Files.readString(runDir.resolve("lock"), StandardCharsets.UTF_8).strip();
            return pid.isEmpty() ? Optional.empty() : Optional.of(pid);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        HELD.remove(file);
        try {
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // Closing the channel releases the lock in any case.
        }
    }
}
