package dev.troupe.cli;

/** A failure the user should read as one line, with the exit code it maps to (see {@link ExitCodes}). */
public final class TroupeException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int exitCode;

    public TroupeException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public static TroupeException badInput(String message) {
        return new TroupeException(ExitCodes.BAD_INPUT, message);
    }

    public int exitCode() {
        return exitCode;
    }
}
