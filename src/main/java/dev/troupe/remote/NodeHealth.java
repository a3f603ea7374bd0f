package dev.troupe.remote;

/**
 * How a worker node has fared of late, shared by its slots on the lead: an attempt that ends for the node's own
 * reason (a bundle it could not take in or hand back, a goal it could not read, a node that never answered) spends
 * none of the task's attempts, so a node that fails every time would take the team's tasks round and round.
 * After {@link #LIMIT} such failures in a row, across its slots, the node is taken out of the run's team.
 */
public final class NodeHealth {

    /** How many of the node's own failures in a row take it out of the team. */
    static final int LIMIT = 3;

    private final String node;
    private int inARow;
    private boolean dropped;

    /** @param node the name the run gives the node ({@code node1}) */
    public NodeHealth(String node) {
        this.node = node;
    }

    public String node() {
        return node;
    }

    /** One more attempt ended for the node's own reason: true for the one that takes it out of the team. */
    synchronized boolean failed() {
        inARow++;
        if (inARow >= LIMIT && !dropped) {
            dropped = true;
            return true;
        }
        return false;
    }

    /** An attempt ended for any other reason: the node works. */
    synchronized void worked() {
        inARow = 0;
    }

    /** The node is out of the team: each of its slots stops at its next report. */
    synchronized boolean dropped() {
        return dropped;
    }
}
