package dev.troupe.git;

/** A git operation that failed, with what git said. */
public final class GitException extends Exception {

    private static final long serialVersionUID = 1L;

    public GitException(String message) {
        super(message);
    }

    public GitException(String message, Throwable cause) {
        super(message, cause);
    }
}
