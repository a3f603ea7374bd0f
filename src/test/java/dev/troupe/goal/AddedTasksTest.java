package dev.troupe.goal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tasks for {@code troupe add}, checked with the run's goal as a goal file is, and written into it only if they pass. */
class AddedTasksTest {

    @TempDir
    Path tmp;

    private final GoalLoader loader = new GoalLoader(ConfigFactory.load());

    private Path runGoal() throws Exception {
        Path goal = tmp.resolve("goal.yaml");
        Files.writeString(goal, """
                goal: test
                repo: .
                agent: {command: [claude]}
                tasks:
                  - id: a
                    prompt: do a
                """);
        return goal;
    }

    private Path file(String name, String text) throws Exception {
        Path file = tmp.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    @Test
    void tasksThatPassJoinTheGoalFileAndMayComeAfterItsTasks() throws Exception {
        Path goal = runGoal();

        List<Goal.TaskSpec> added = AddedTasks.add(loader, goal, file("more.yaml", """
                tasks:
                  - id: b
                    prompt: do b
                    after: [a]
                """), tmp);

        assertEquals(List.of("b"), added.stream().map(Goal.TaskSpec::id).toList());
        assertEquals(List.of("a"), added.get(0).after());
        assertEquals(List.of("a", "b"), loader.load(goal).tasks().stream().map(Goal.TaskSpec::id).toList());
    }

    @Test
    void anAddedTaskMayHearFromTheRunsTasksAndTheOthersAdded() throws Exception {
        Path goal = runGoal();

        List<Goal.TaskSpec> added = AddedTasks.add(loader, goal, file("more.yaml", """
                - id: b
                  prompt: do b
                  hears: [a, c]
                - id: c
                  prompt: do c
                  hears: [b]
                """), tmp);

        assertEquals(List.of("a", "c"), added.get(0).hears());
        assertEquals(List.of("b"), added.get(1).hears());
        assertEquals(List.of(), added.get(0).after());
    }

    @Test
    void anAddedTaskThatHearsFromAnUnknownTaskIsRefused() throws Exception {
        Path goal = runGoal();
        String before = Files.readString(goal);

        GoalException refused = assertThrows(GoalException.class, () -> AddedTasks.add(loader, goal,
                file("more.yaml", "- id: b\n  prompt: do b\n  hears: [aa]\n"), tmp));

        assertEquals(tmp.resolve("more.yaml") + ": the run refuses these tasks: task 'b' hears from unknown task 'aa'",
                refused.getMessage());
        assertEquals(before, Files.readString(goal));
    }

    @Test
    void aLaterRoundsPlannedTasksMayHearFromEarlierTasksAsTheyMayComeAfterThem() throws Exception {
        Path goal = runGoal();
        var plan = GoalLoader.mapperFor(tmp.resolve("plan.json")).readTree("""
                {"tasks": [{"id": "b", "prompt": "do b", "after": ["a"], "hears": ["a", "c"]},
                           {"id": "c", "prompt": "do c", "hears": ["a"]}]}
                """);

        List<Goal.TaskSpec> added = AddedTasks.addPlanned(loader, goal, plan, tmp.resolve("plan-2.yaml"), tmp);

        assertEquals(List.of(List.of("a", "c"), List.of("a")), added.stream().map(Goal.TaskSpec::hears).toList());
    }

    @Test
    void refusedTasksLeaveTheGoalFileAsItWas() throws Exception {
        Path goal = runGoal();
        String before = Files.readString(goal);

        GoalException duplicate = assertThrows(GoalException.class, () -> AddedTasks.add(loader, goal,
                file("dup.yaml", "- id: a\n  prompt: again\n"), tmp));
        GoalException broken = assertThrows(GoalException.class, () -> AddedTasks.add(loader, goal,
                file("broken.yaml", "- id: c\n  prompt: [unclosed\n"), tmp));
        GoalException empty = assertThrows(GoalException.class, () -> AddedTasks.add(loader, goal,
                file("empty.yaml", "tasks: []\n"), tmp));

        assertTrue(duplicate.getMessage().contains("the run refuses these tasks") && duplicate.getMessage().contains("'a'"),
                duplicate.getMessage());
        assertTrue(broken.getMessage().startsWith(tmp.resolve("broken.yaml") + ":2:20: not valid YAML"), broken.getMessage());
        assertTrue(empty.getMessage().contains("expected a list of tasks"), empty.getMessage());
        assertEquals(before, Files.readString(goal));
        try (var files = Files.list(tmp)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith("adding-")), "no scratch file left");
        }
    }
}
