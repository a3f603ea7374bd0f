package dev.troupe.cluster;

/** A cluster setting or key that cannot be used, said in one line for the user. */
public final class ClusterException extends Exception {

    private static final long serialVersionUID = 1L;

    public ClusterException(String message) {
        super(message);
    }
}
