package dev.troupe.git;

/** A git operation that failed, with what git said. */
public final class GitException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int exitCode;
    private final String said;

    public GitException(String message) {
        this(message, -1, "");
    }

    public GitException(String message, Throwable cause) {
        super(message, cause);
        this.exitCode = -1;
        this.said = "";
    }

    /** A git process that exited with {@code exitCode}, having printed {@code said} on stderr. */
    GitException(String message, int exitCode, String said) {
        super(message);
        this.exitCode = exitCode;
        this.said = said;
    }

    /** The exit code of the git process that failed; -1 when none did (a failure of troupe's own, or of JGit). */
    public int exitCode() {
        return exitCode;
    }

    /** Everything the failed git process printed on stderr, stripped; empty when none ran. */
    public String said() {
        return said;
    }
}
