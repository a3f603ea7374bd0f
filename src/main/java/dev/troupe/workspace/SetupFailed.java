package dev.troupe.workspace;

/** A workspace's setup command failed (or ran past its time): the workspace cannot take agents. */
public final class SetupFailed extends Exception {

    private static final long serialVersionUID = 1L;

    public SetupFailed(String message) {
        super(message);
    }
}
