package dev.troupe.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.troupe.goal.AgentSettings;
import dev.troupe.goal.Goal;
import dev.troupe.goal.GoalLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which agents take live input, as a goal file says or their command shows, and the command line each gets: the
 * prompt on stdin for those that do, as the last argument for the rest.
 */
class AgentCommandTest {

    @TempDir
    Path dir;

    private AgentSettings agent(String settings) throws Exception {
        Path file = dir.resolve("goal-" + Math.abs(settings.hashCode()) + ".yaml");
        Files.writeString(file, "repo: .\nagent:\n" + settings + "tasks:\n  - id: a\n    prompt: Do a.\n");
        return new GoalLoader(ConfigFactory.load()).load(file).agent();
    }

    @Test
    void claudeCodeAndTheDemoAgentTakeLiveInputAndAnyOtherCommandDoesNotUnlessTheGoalSays() throws Exception {
        assertTrue(AgentCommand.takesLiveInput(agent("  command: [claude]\n")));
        assertTrue(AgentCommand.takesLiveInput(agent("  command: [/opt/node_modules/.bin/claude, --debug]\n")));
        assertTrue(AgentCommand.takesLiveInput(agent("  command: [demo]\n")));
        assertFalse(AgentCommand.takesLiveInput(agent("  command: [bash, agent.sh]\n")));
        assertTrue(AgentCommand.takesLiveInput(agent("  command: [bash, agent.sh]\n  live-input: true\n")));
        assertFalse(AgentCommand.takesLiveInput(agent("  command: [claude]\n  live-input: false\n")));
    }

    @Test
    void anAgentThatTakesLiveInputGetsItsPromptOnStdinAndAnyOtherAsItsLastArgument() throws Exception {
        Goal.TaskSpec task = new Goal.TaskSpec("a", "a", "- do a", List.of(), java.util.Optional.empty());

        List<String> live = AgentCommand.argv(agent("  command: [claude]\n"), task, "- do a", "s-1");
        List<String> closed = AgentCommand.argv(agent("  command: [claude]\n  live-input: false\n"), task, "- do a",
                "s-1");

        assertEquals(List.of("claude", "-p", "--input-format", "stream-json", "--replay-user-messages"),
                live.subList(0, 5));
        assertFalse(live.contains("--") || live.contains("- do a"), "no prompt on the command line: " + live);
        assertEquals(List.of("--session-id", "s-1"), live.subList(live.size() - 2, live.size()));
        assertFalse(closed.contains("--input-format"), closed.toString());
        assertEquals(List.of("--session-id", "s-1", "--", "- do a"), closed.subList(closed.size() - 4, closed.size()));
    }
}
