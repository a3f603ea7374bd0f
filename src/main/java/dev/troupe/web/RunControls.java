package dev.troupe.web;

import java.nio.file.Path;

/**
 * How the page reaches a live run: the same requests, checks and answers as {@code troupe stop}, {@code cancel},
 * {@code tell} and {@code add} (the command line supplies them, so the page never bypasses what the commands do).
 */
public interface RunControls {

    /** Whether the run in {@code runDir} is live: a troupe holds its lock. */
    boolean isLive(Path runDir);

    /**
     * Asks the live run in {@code runDir}: {@code command} ({@code stop}, {@code cancel}, {@code tell},
     * {@code redirect}, {@code add}) for {@code task} (or null), with {@code message} (what to tell; for {@code add}
     * the file of tasks).
     *
     * @return the run's answer, in words
     * @throws Refused when the run refuses, is not live, or does not answer: its message says why
     */
    String ask(Path runDir, String command, String task, String message) throws Refused;

    /** The run said no, or could not be asked; the message is for the person who asked. */
    final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        public Refused(String message) {
            super(message);
        }
    }
}
