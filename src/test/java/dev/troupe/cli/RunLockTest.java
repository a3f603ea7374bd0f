package dev.troupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run's lock, as the commands and the live page look at it: looking never makes or writes the file, and never
 * lets go of a lock this process holds (the OS drops a process's locks on a file when any channel of it closes).
 */
class RunLockTest {

    @TempDir
    Path run;

    @Test
    void lookingAtARunNobodyHoldsNeitherMakesNorWritesItsLock() throws Exception {
        assertFalse(RunLock.isLive(run));
        assertFalse(Files.exists(run.resolve("lock")), "no lock file made by looking");

        Files.writeString(run.resolve("lock"), "4242\n");

        assertFalse(RunLock.isLive(run));
        assertEquals("4242\n", Files.readString(run.resolve("lock")), "the last owner's pid is left as it was");
    }

    @Test
    void lookingAtARunThisProcessHoldsKeepsItHeld() throws Exception {
        try (RunLock held = RunLock.acquire(run)) {
            for (int i = 0; i < 3; i++) {
                assertTrue(RunLock.isLive(run));
            }
            TroupeException second = assertThrows(TroupeException.class, () -> RunLock.acquire(run));
            assertTrue(second.getMessage().contains("is live (troupe pid " + ProcessHandle.current().pid() + ")"),
                    second.getMessage());
            assertTrue(heldByAnotherLook(), "still held after being looked at");
        }
        assertFalse(RunLock.isLive(run), "released when closed");
        try (RunLock again = RunLock.acquire(run)) {
            assertTrue(RunLock.isLive(run));
        }
    }

    /** Whether the OS still holds the lock for this process, asked by another process. */
    private boolean heldByAnotherLook() throws Exception {
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        Process look = new ProcessBuilder(javaBin.toString(), "-cp", System.getProperty("java.class.path"),
                Look.class.getName(), run.resolve("lock").toString()).redirectErrorStream(true).start();
        String said = new String(look.getInputStream().readAllBytes()).strip();
        look.waitFor();
        assertTrue(said.equals("held") || said.equals("free"), said);
        return said.equals("held");
    }

    /** Another process's look at a lock file: "held" or "free". */
    static final class Look {
        public static void main(String[] args) throws Exception {
            try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(Path.of(args[0]),
                    java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
                java.nio.channels.FileLock lock = channel.tryLock();
                System.out.println(lock == null ? "held" : "free");
            }
        }
    }
}
