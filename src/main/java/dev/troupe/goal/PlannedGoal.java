package dev.troupe.goal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A planner's task list made into a goal file: the goal as the user wrote it, with {@code tasks:} filled in.
 * It is written out and then read back by the {@link GoalLoader} like any goal, so a plan passes exactly the
 * checks a hand-written goal does, and a refused plan is reported with its line and column in a file the user
 * can open.
 */
public final class PlannedGoal {

    /** How troupe writes a goal file it made: block style, no document marker. */
    static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .build();

    private PlannedGoal() {}

    /**
     * @param goalFile the goal the plan is for (YAML, or JSON for {@code .json})
     * @param plan the planner's answer: an object with {@code tasks}
     * @param target where the planned goal is written (YAML)
     * @param relativeTo the directory the goal's relative paths are relative to
     */
    public static Goal write(GoalLoader loader, Path goalFile, JsonNode plan, Path target, Path relativeTo)
            throws IOException, GoalException {
        JsonNode goal = GoalLoader.mapperFor(goalFile).readTree(goalFile.toFile());
        if (!(goal instanceof ObjectNode planned)) {
            throw new GoalException(goalFile, "the goal file holds no settings");
        }
        planned.set("tasks", plan.path("tasks"));
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        YAML.writeValue(partial.toFile(), planned);
        Files.move(partial, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return loader.load(target, relativeTo);
    }
}
