package dev.troupe.team.rules;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The team's workers by name, idle or busy with a task, and who may take a task: one that has not tried it
 * yet, rather than the worker whose worktree it just failed in. Naming and counting workers is decided here;
 * starting them is the lead's.
 */
final class Roster {

    private final int teamSize;
    private final Decisions out;
    private final Set<String> idle = new LinkedHashSet<>();
    /** Workers on other nodes of a cluster: they add to the team while their node is up, and are not replaced. */
    private final Set<String> remote = new java.util.HashSet<>();
    /** The node each remote worker runs on. */
    private final Map<String, String> nodeOf = new HashMap<>();
    /** Worker name to the id of the task it runs (the planner's reserved id while it plans). */
    private final Map<String, String> busy = new HashMap<>();
    private int spawned;
    /** Local workers taken out of the team for good: their workspace's setup failed. (A node's leave its count.) */
    private int retired;

    Roster(int teamSize, Decisions out) {
        this.teamSize = teamSize;
        this.out = out;
    }

    /** A new idle worker. */
    String spawn() {
        String name = "worker-" + (++spawned);
        out.add(new Decision.SpawnWorker(name));
        idle.add(name);
        return name;
    }

    /**
     * Spawns local workers until {@code count} of them are idle (the planner's worker, when there was one, counts
     * already), within {@code team.size}: a node's idle workers do not stand in for this machine's.
     */
    void fillIdleTo(long count) {
        while (idle.stream().filter(worker -> !remote.contains(worker)).count() < count && localCount() < teamSize - retired) {
            spawn();
        }
    }

    private long localCount() {
        return java.util.stream.Stream.concat(idle.stream(), busy.keySet().stream())
                .filter(worker -> !remote.contains(worker)).count();
    }

    /** The {@code slots} workers a node of the cluster offers join the team, idle, named after the node. */
    void joined(String node, int slots) {
        for (int slot = 0; slot < slots; slot++) {
            String name = node + "-worker-" + (slot + 1);
            out.add(new Decision.JoinWorker(name, node, slot));
            remote.add(name);
            nodeOf.put(name, node);
            idle.add(name);
        }
    }

    /** An idle worker of this machine's, not a node's. */
    java.util.Optional<String> idleLocal() {
        return idle.stream().filter(worker -> !remote.contains(worker)).findFirst();
    }

    boolean isRemote(String worker) {
        return remote.contains(worker);
    }

    /** How many workers the team may have now: {@code team.size} here, and the slots of the nodes that are up. */
    private int capacity() {
        return teamSize + remote.size();
    }

    /** The team may grow by a worker: fewer are in it than it may have now (less those retired). */
    boolean hasRoom() {
        return idle.size() + busy.size() < capacity() - retired;
    }

    boolean hasIdle() {
        return !idle.isEmpty();
    }

    boolean isIdle(String worker) {
        return idle.contains(worker);
    }

    boolean isBusy(String worker) {
        return busy.containsKey(worker);
    }

    String firstIdle() {
        return idle.iterator().next();
    }

    /**
     * Where a worker runs: its node, or {@link #HERE} for this machine's. A rate limit is a place's: each node
     * uses its own environment's key.
     */
    String placeOf(String worker) {
        return nodeOf.getOrDefault(worker, HERE);
    }

    /** This machine, as a place. */
    static final String HERE = "";

    /**
     * Where a task could start now: the places of the idle workers, and this machine's when one more may start here
     * (or none is idle: a task waits for this machine then).
     */
    Set<String> idlePlaces() {
        Set<String> places = new LinkedHashSet<>();
        idle.forEach(worker -> places.add(placeOf(worker)));
        if (places.isEmpty() || hasRoom()) {
            places.add(HERE);
        }
        return places;
    }

    /** The first idle worker at a place {@code open} accepts; null if none. */
    String firstIdle(java.util.function.Predicate<String> open) {
        return idle.stream().filter(worker -> open.test(placeOf(worker))).findFirst().orElse(null);
    }

    void take(String worker, String taskId) {
        idle.remove(worker);
        busy.put(worker, taskId);
    }

    void release(String worker) {
        busy.remove(worker);
        idle.add(worker);
    }

    /** The worker running {@code taskId} (as writer or reviewer), if one is. */
    java.util.Optional<String> runnerOf(String taskId) {
        return busy.entrySet().stream().filter(entry -> entry.getValue().equals(taskId)).map(Map.Entry::getKey)
                .findFirst();
    }

    /** Every worker running {@code taskId}: its variants' writers run at once. */
    java.util.List<String> runnersOf(String taskId) {
        return busy.entrySet().stream().filter(entry -> entry.getValue().equals(taskId)).map(Map.Entry::getKey).toList();
    }

    /** The worker is gone; returns the task it was running, or null. */
    String lost(String worker) {
        remote.remove(worker);
        nodeOf.remove(worker);
        idle.remove(worker);
        return busy.remove(worker);
    }

    /**
     * The worker's workspace could not be set up: it leaves the team and is not replaced, so that a setup that
     * fails everywhere ends the run instead of failing each task in turn. Returns the task it was given, or null.
     */
    String retire(String worker) {
        if (!remote.contains(worker)) {
            retired++;
        }
        out.add(new Decision.RetireWorker(worker));
        return lost(worker);
    }

    /** No worker is left and none may be started: every workspace's setup failed. */
    boolean isEmptyForGood() {
        return idle.isEmpty() && busy.isEmpty() && retired >= teamSize;
    }

    /**
     * An idle worker that has not tried this task yet (a new one while the team is smaller than
     * {@code team.size}); otherwise any idle worker, rather than keeping the task waiting for a busy one.
     */
    String workerFor(TaskState task) {
        return workerFor(task, place -> true);
    }

    /** The same, among the workers at the places {@code open} accepts (a new one runs on this machine). */
    String workerFor(TaskState task, java.util.function.Predicate<String> open) {
        for (String worker : idle) {
            if (!task.triedBy(worker) && open.test(placeOf(worker))) {
                return worker;
            }
        }
        if (task.triedByAnyone() && idle.size() + busy.size() < capacity() - retired && open.test(HERE)) {
            return spawn();
        }
        return firstIdle(open);
    }

}
