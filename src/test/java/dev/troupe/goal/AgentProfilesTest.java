package dev.troupe.goal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A goal file's agent CLIs and profiles: {@code agent.cli}, {@code agents:} over {@code agent:}, a task's and a
 * variant's {@code agent:} and {@code cli:}, and how each of their mistakes is refused at its key.
 */
class AgentProfilesTest {

    @TempDir
    Path dir;

    private final GoalLoader loader = new GoalLoader(ConfigFactory.load());

    @Test
    void aProfileChangesWhatItSaysOfTheAgentSectionAndAnotherCliRunsItsOwnExecutableAndModel() throws Exception {
        Goal goal = load(
                "agent:",
                "  command: [/opt/claude]",
                "  model: opus",
                "  env: {SHARED: one}",
                "agents:",
                "  second-account: {key-env: ANTHROPIC_KEY_2, share: 2}",
                "  fast: {cli: codex, env: {CODEX_HOME: /srv/codex}}",
                "tasks:",
                "  - {id: a, prompt: p}",
                "  - {id: b, prompt: p, agent: fast}",
                "  - {id: c, prompt: p, cli: gemini}",
                "  - {id: d, prompt: p, agent: fast, model: gpt-5.5}");

        assertEquals(List.of("second-account", "fast"), goal.profiles().stream().map(AgentProfile::name).toList());
        AgentProfile second = goal.profile("second-account").orElseThrow();
        assertEquals(Optional.of("ANTHROPIC_KEY_2"), second.keyEnv());
        assertEquals(Optional.of(2), second.share());
        assertEquals(List.of("/opt/claude"), second.agent().command(), "the same CLI keeps agent.command");
        assertEquals(Optional.of("opus"), second.agent().model());

        AgentSettings fast = goal.agentFor(goal.task("b").orElseThrow());
        assertEquals("codex", fast.cli());
        assertEquals(List.of("codex"), fast.command(), "another CLI runs its own executable");
        assertEquals(Optional.empty(), fast.model(), "opus means nothing to codex");
        assertEquals("one", fast.env().get("SHARED"));
        assertEquals("/srv/codex", fast.env().get("CODEX_HOME"));

        assertEquals("claude", goal.agentFor(goal.task("a").orElseThrow()).cli());
        AgentSettings gemini = goal.agentFor(goal.task("c").orElseThrow());
        assertEquals(List.of("gemini", "gemini"), List.of(gemini.cli(), gemini.command().get(0)));
        assertEquals(Optional.of("gpt-5.5"), goal.task("d").orElseThrow().model());
    }

    @Test
    void variantsMayEachRunAnotherCliOrProfile() throws Exception {
        Goal goal = load(
                "agent: {model: opus}",
                "agents:",
                "  gem: {cli: gemini, model: gemini-3-pro}",
                "tasks:",
                "  - id: a",
                "    prompt: p",
                "    variants: [{cli: claude}, {cli: codex}, {agent: gem}]");

        Goal.TaskSpec task = goal.task("a").orElseThrow();
        List<String> clis = List.of(1, 2, 3).stream().map(k -> goal.agentFor(task.asVariant(k)).cli()).toList();
        assertEquals(List.of("claude", "codex", "gemini"), clis);
        assertEquals(Optional.empty(), task.asVariant(2).model().or(() -> goal.agentFor(task.asVariant(2)).model()),
                "a variant on another CLI leaves the model to it");
        assertEquals(Optional.of("gemini-3-pro"), goal.agentFor(task.asVariant(3)).model());
    }

    @Test
    void theGoalFileNamesEveryKindOfAgentAndNoOther() {
        assertEquals(dev.troupe.agent.AgentKind.ALL.stream().map(dev.troupe.agent.AgentKind::name).toList(),
                AgentChecks.CLIS);
    }

    @Test
    void anUnknownCliIsRefusedAtItsKeyNamingTheChoices() throws Exception {
        GoalException refusal = refused("agent: {cli: cursor}", "tasks: [{id: a, prompt: p}]");
        assertEquals("agent.cli is 'cursor'; expected claude, codex, gemini or opencode", refusal.problem());
        assertEquals(1, refusal.line());
    }

    @Test
    void aTaskNamingAProfileThatIsNotThereIsRefusedNamingThoseThatAre() throws Exception {
        GoalException refusal = refused(
                "agents:",
                "  fast: {cli: codex}",
                "tasks:",
                "  - {id: a, prompt: p, agent: slow}");
        assertEquals("task 'a' names agent profile 'slow', which agents: does not have; it has fast", refusal.problem());
        assertEquals(4, refusal.line());
    }

    @Test
    void aKeyInKeyEnvIsRefusedSoThatNoKeyIsCopiedIntoTheRun() throws Exception {
        GoalException refusal = refused(
                "agents:",
                "  paid: {key-env: sk-ant-api03-abc}",
                "tasks: [{id: a, prompt: p}]");
        assertEquals("agents.paid.key-env must name an environment variable (letters, digits, _), not hold a key:"
                + " the goal file is copied into the run", refusal.problem());
    }

    @Test
    void aShareBelowOneIsRefused() throws Exception {
        GoalException refusal = refused("agents: {a: {share: 0}}", "tasks: [{id: a, prompt: p}]");
        assertEquals("agents.a.share must be at least 1, or left out (the profile then runs only the tasks that name it)",
                refusal.problem());
    }

    private Goal load(String... lines) throws IOException, GoalException {
        return loader.load(write(lines));
    }

    private GoalException refused(String... lines) throws IOException {
        Path file = write(lines);
        return assertThrows(GoalException.class, () -> loader.load(file));
    }

    private Path write(String... lines) throws IOException {
        Path file = dir.resolve("goal.yaml");
        Files.writeString(file, String.join("\n", lines) + "\n");
        return file;
    }
}
