package dev.troupe.cli;

/** The documented exit codes of every troupe command. */
public final class ExitCodes {

    /** Every task merged (or, for commands other than run, the command did what it was asked). */
    public static final int OK = 0;
    /** Some task failed or was skipped. */
    public static final int TASKS_FAILED = 1;
    /** Bad input or usage: nothing was started. */
    public static final int BAD_INPUT = 2;
    /** troupe itself failed. */
    public static final int INTERNAL = 3;
    /** Interrupted. */
    public static final int INTERRUPTED = 130;

    private ExitCodes() {}
}
