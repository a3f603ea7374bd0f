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

/**
 * One troupe process per run: an OS lock on {@code .troupe/runs/<run>/lock}, which holds the owner's pid. The
 * OS drops the lock when its process dies, even by {@code kill -9}, so a dead run is never mistaken for a live one.
 */
final class RunLock implements AutoCloseable {

    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the run's lock, or refuses (exit 2) naming the process that holds it. */
    static RunLock acquire(Path runDir) throws TroupeException {
        Path file = runDir.resolve("lock");
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
                throw TroupeException.badInput("run " + runDir.getFileName() + " is live"
                        + owner(runDir).map(pid -> " (troupe pid " + pid + ")").orElse("")
                        + "; only one troupe process may work on a run");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(false);
            return new RunLock(channel, lock);
        } catch (IOException e) {
            throw new TroupeException(ExitCodes.INTERNAL, "cannot lock " + file + ": " + e.getMessage());
        }
    }

    /** Whether a live process holds the run (checked by taking the lock for a moment). */
    static boolean isLive(Path runDir) {
        try (RunLock lock = acquire(runDir)) {
            return false;
        } catch (TroupeException held) {
            return held.exitCode() == ExitCodes.BAD_INPUT;
        }
    }

    /** The pid written by the last owner, if any. */
    static Optional<String> owner(Path runDir) {
        try {
            String pid = Files.readString(runDir.resolve("lock"), StandardCharsets.UTF_8).strip();
            return pid.isEmpty() ? Optional.empty() : Optional.of(pid);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // Closing the channel releases the lock in any case.
        }
    }
}
