package dev.troupe;

/** troupe's version: what {@code troupe --version} prints, and what the nodes of a cluster must agree on. */
public final class Version {

    public static final String TROUPE = "0.1.0";

    private Version() {}
}
