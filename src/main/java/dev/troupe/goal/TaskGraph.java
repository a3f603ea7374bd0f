package dev.troupe.goal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Dependency checks over a goal's tasks ({@code after} edges). */
public final class TaskGraph {

    private TaskGraph() {}

    /**
     * A dependency cycle, as the ids along it with the first repeated at the end ({@code a -> b -> a}),
     * or empty when the tasks form a DAG. Unknown ids in {@code after} are ignored here.
     */
    public static Optional<List<String>> findCycle(List<Goal.TaskSpec> tasks) {
        Map<String, List<String>> after = new HashMap<>();
        tasks.forEach(t -> after.put(t.id(), t.after()));
        Map<String, Integer> state = new HashMap<>(); // absent: unvisited, 1: on the path, 2: done
        for (Goal.TaskSpec task : tasks) {
            List<String> path = new ArrayList<>();
            Optional<List<String>> cycle = visit(task.id(), after, state, path);
            if (cycle.isPresent()) {
                return cycle;
            }
        }
        return Optional.empty();
    }

    private static Optional<List<String>> visit(
            String id, Map<String, List<String>> after, Map<String, Integer> state, List<String> path) {
        Integer seen = state.get(id);
        if (seen != null && seen == 2) {
            return Optional.empty();
        }
        if (seen != null) {
            List<String> cycle = new ArrayList<>(path.subList(path.indexOf(id), path.size()));
            cycle.add(id);
            return Optional.of(cycle);
        }
        state.put(id, 1);
        path.add(id);
        for (String dependency : after.getOrDefault(id, List.of())) {
            if (after.containsKey(dependency)) {
                Optional<List<String>> cycle = visit(dependency, after, state, path);
                if (cycle.isPresent()) {
                    return cycle;
                }
            }
        }
        path.remove(path.size() - 1);
        state.put(id, 2);
        return Optional.empty();
    }
}
