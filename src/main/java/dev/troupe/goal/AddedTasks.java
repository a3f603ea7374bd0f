package dev.troupe.goal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Tasks that {@code troupe add} brings to a live run, checked as a goal is: the run's goal file with them added
 * under {@code tasks:} is read back by the {@link GoalLoader}, so ids, {@code after} (which may name the run's own
 * tasks), zones and the rest pass exactly the checks of a goal file. Only then does that file replace the run's, so
 * that {@code troupe resume} knows them too. Blocking.
 */
public final class AddedTasks {

    private AddedTasks() {}

    /**
     * @param goalFile the run's goal file (its copy, or its plan), rewritten to hold the tasks once they pass
     * @param addFile a list of tasks (the syntax of a goal's {@code tasks:}), or an object with {@code tasks:}
     * @param relativeTo the directory the goal's relative paths are relative to
     * @return the added tasks, as the goal now holds them
     */
    public static List<Goal.TaskSpec> add(GoalLoader loader, Path goalFile, Path addFile, Path relativeTo)
            throws GoalException, IOException {
        // A troupe add and a round's plan may reach a run at once: each reads, rewrites and replaces its goal file.
        synchronized (AddedTasks.class) {
            return addTo(loader, goalFile, addFile, relativeTo);
        }
    }

    private static List<Goal.TaskSpec> addTo(GoalLoader loader, Path goalFile, Path addFile, Path relativeTo)
            throws GoalException, IOException {
        JsonNode added = tasksOf(addFile);
        ObjectMapper mapper = GoalLoader.mapperFor(goalFile);
        if (!(mapper.readTree(goalFile.toFile()) instanceof ObjectNode goal)) {
            throw new GoalException(goalFile, "the run's goal file holds no settings");
        }
        Set<String> before = goal.path("tasks").findValuesAsText("id").stream().collect(Collectors.toSet());
        ArrayNode tasks = goal.path("tasks") instanceof ArrayNode existing ? existing : goal.putArray("tasks");
        added.forEach(tasks::add);
        Path next = goalFile.resolveSibling("adding-" + goalFile.getFileName());
        (goalFile.toString().endsWith(".json") ? mapper : PlannedGoal.YAML).writerWithDefaultPrettyPrinter()
                .writeValue(next.toFile(), goal);
        Goal checked;
        try {
            checked = loader.load(next, relativeTo);
        } catch (GoalException refused) {
            Files.deleteIfExists(next);
            throw new GoalException(addFile, "the run refuses these tasks: " + refused.problem());
        }
        Files.move(next, goalFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return checked.tasks().stream().filter(spec -> !before.contains(spec.id())).toList();
    }

    /**
     * A planner's tasks for a later round of a run planned in rounds: its answer is written to {@code target} (YAML,
     * kept for people to read), then added as {@link #add} adds a file's.
     */
    public static List<Goal.TaskSpec> addPlanned(GoalLoader loader, Path goalFile, JsonNode plan, Path target,
            Path relativeTo) throws GoalException, IOException {
        PlannedGoal.YAML.writeValue(target.toFile(), plan);
        return add(loader, goalFile, target, relativeTo);
    }

    private static JsonNode tasksOf(Path addFile) throws GoalException, IOException {
        if (!Files.isRegularFile(addFile)) {
            throw new GoalException(addFile, "no such file");
        }
        JsonNode read;
        try {
            read = GoalLoader.mapperFor(addFile).readTree(addFile.toFile());
        } catch (JsonProcessingException e) {
            throw new GoalException(addFile, e.getLocation(), "not valid " + GoalLoader.syntaxName(addFile) + ": "
                    + GoalLoader.parserProblem(e.getOriginalMessage()));
        }
        JsonNode tasks = read instanceof ObjectNode object ? object.path("tasks") : read;
        if (!(tasks instanceof ArrayNode list) || list.isEmpty()) {
            throw new GoalException(addFile, "expected a list of tasks (as under a goal's tasks:), or tasks: with one");
        }
        return list;
    }
}
