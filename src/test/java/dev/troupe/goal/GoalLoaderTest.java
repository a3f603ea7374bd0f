package dev.troupe.goal;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Goal files as people write them, good and bad. Each refusal is checked for the place it points at: the goal
 * files are written line by line below, so line N of a file is the N-th string and columns count from 1.
 */
class GoalLoaderTest {

    @TempDir
    Path dir;

    private final GoalLoader loader = new GoalLoader(ConfigFactory.load());

    /** Sets every key the format has, with values that differ from the defaults. */
    private static final String[] FULL_YAML = {
        "goal: |",
        "  Add a greeting command.",
        "repo: ../project",
        "base: main",
        "team:",
        "  size: 2",
        "  stagger: 500ms",
        "agent:",
        "  command: [claude, --debug]",
        "  model: claude-sonnet-4",
        "  permission-mode: plan",
        "  allowed-tools: [Read, Grep]",
        "  max-turns: 12",
        "  isolate-config: true",
        "  env: {ANTHROPIC_BASE_URL: \"http://127.0.0.1:9/x\"}",
        "limits:",
        "  task-timeout: 2h",
        "  idle-timeout: 45s",
        "  api-retries: 1",
        "  api-timeout: 30s",
        "  attempts: 5",
        "  budget-usd: 2.5",
        "tasks:",
        "  - id: model",
        "    prompt: Write the greeting model.",
        "  - id: command",
        "    prompt: |",
        "      Add the greet command.",
        "    after: [model]",
        "    model: claude-haiku-4",
    };

    private static final String[] FULL_JSON = {
        "{",
        "  \"goal\": \"Add a greeting command.\\n\",",
        "  \"repo\": \"../project\",",
        "  \"base\": \"main\",",
        "  \"team\": {\"size\": 2, \"stagger\": \"500ms\"},",
        "  \"agent\": {",
        "    \"command\": [\"claude\", \"--debug\"],",
        "    \"model\": \"claude-sonnet-4\",",
        "    \"permission-mode\": \"plan\",",
        "    \"allowed-tools\": [\"Read\", \"Grep\"],",
        "    \"max-turns\": 12,",
        "    \"isolate-config\": true,",
        "    \"env\": {\"ANTHROPIC_BASE_URL\": \"http://127.0.0.1:9/x\"}",
        "  },",
        "  \"limits\": {\"task-timeout\": \"2h\", \"idle-timeout\": \"45s\", \"api-retries\": 1, \"api-timeout\": \"30s\", \"attempts\": 5, \"budget-usd\": 2.5},",
        "  \"tasks\": [",
        "    {\"id\": \"model\", \"prompt\": \"Write the greeting model.\"},",
        "    {\"id\": \"command\", \"prompt\": \"Add the greet command.\\n\", \"after\": [\"model\"], \"model\": \"claude-haiku-4\"}",
        "  ]",
        "}",
    };

    /** The smallest goal that loads: everything else comes from the defaults. */
    private static final String[] ONE_TASK = {
        "goal: g",
        "tasks:",
        "  - id: a",
        "    prompt: p",
    };

    private Path write(String name, String... lines) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, String.join("\n", lines) + "\n");
        return file;
    }

    private GoalException refused(Path file) {
        return assertThrows(GoalException.class, () -> loader.load(file), "expected " + file + " to be refused");
    }

    private GoalException refusedYaml(String... lines) throws IOException {
        return refused(write("goal.yaml", lines));
    }

    private Goal loadYaml(String... lines) throws IOException, GoalException {
        return loader.load(write("goal.yaml", lines));
    }

    private static void assertAt(int line, int column, GoalException refusal) {
        assertEquals(line + ":" + column, refusal.line() + ":" + refusal.column(), refusal::getMessage);
    }

    private static void assertNowhere(GoalException refusal) {
        assertEquals("-1:-1", refusal.line() + ":" + refusal.column(), refusal::getMessage);
    }

    private static String[] concat(String[] first, String... more) {
        return Stream.concat(Stream.of(first), Stream.of(more)).toArray(String[]::new);
    }

    // What a valid goal turns into.

    @Test
    void everyGoalLevelSettingOfAYamlGoalLandsInTheGoal() throws Exception {
        Goal goal = loader.load(write("goals/goal.yaml", FULL_YAML));

        assertEquals("Add a greeting command.", goal.text());
        assertEquals(Optional.of("main"), goal.base());
        assertEquals(new Goal.Team(2, Duration.ofMillis(500)), goal.team());
        assertEquals(new AgentSettings(List.of("claude", "--debug"), Optional.of("claude-sonnet-4"), "plan",
                List.of("Read", "Grep"), Optional.of(12), true, Map.of("ANTHROPIC_BASE_URL", "http://127.0.0.1:9/x")),
                goal.agent());
        assertEquals(new Goal.Limits(Duration.ofHours(2), Duration.ofSeconds(45), 1, Duration.ofSeconds(30), 5,
                Optional.of(2.5)), goal.limits());
    }

    @Test
    void tasksKeepTheirOrderPromptsDependenciesAndModels() throws Exception {
        Goal goal = loader.load(write("goals/goal.yaml", FULL_YAML));

        assertEquals(List.of(
                new Goal.TaskSpec("model", "model", "Write the greeting model.", List.of(), Optional.empty()),
                new Goal.TaskSpec("command", "command", "Add the greet command.", List.of("model"),
                        Optional.of("claude-haiku-4"))),
                goal.tasks());
    }

    @Test
    void repoIsResolvedAgainstTheGoalFilesDirectory() throws Exception {
        Goal goal = loader.load(write("goals/goal.yaml", FULL_YAML));

        assertEquals(dir.resolve("project"), goal.repo());
    }

    @Test
    void absentRepoMeansTheCurrentDirectory() throws Exception {
        Goal goal = loader.load(write("goals/goal.yaml", ONE_TASK));

        assertEquals(Path.of("").toAbsolutePath(), goal.repo());
    }

    @Test
    void absentSettingsTakeTheDefaultsOfApplicationConf() throws Exception {
        Goal goal = loader.load(write("goal.yaml", ONE_TASK));

        assertEquals(Optional.empty(), goal.base());
        assertEquals(new Goal.Team(3, Duration.ofSeconds(2)), goal.team());
        assertEquals(new AgentSettings(List.of("claude"), Optional.empty(), "acceptEdits",
                List.of("Read", "Edit", "Write", "Glob", "Grep"), Optional.empty(), false, Map.of()), goal.agent());
        assertEquals(new Goal.Limits(Duration.ofMinutes(30), Duration.ofMinutes(5), 3, Duration.ofMinutes(2), 3,
                Optional.empty()), goal.limits());
        assertEquals(List.of(new Goal.TaskSpec("a", "a", "p", List.of(), Optional.empty())), goal.tasks());
    }

    @Test
    void defaultsAreReadFromTheConfigurationTheLoaderIsGiven() throws Exception {
        GoalLoader tuned = new GoalLoader(ConfigFactory.parseString("troupe.defaults.team.size = 7")
                .withFallback(ConfigFactory.load()));

        Goal goal = tuned.load(write("goal.yaml", ONE_TASK));

        assertEquals(7, goal.team().size());
    }

    @Test
    void theMergeZoneRetryAndReviewDefaultsAreReadFromTheConfiguration() throws Exception {
        GoalLoader tuned = new GoalLoader(ConfigFactory.parseString("""
                troupe.defaults.sync { merge = end, zone-policy = reject }
                troupe.defaults.agent { retry = fresh, review = true }
                """).withFallback(ConfigFactory.load()));

        Goal goal = tuned.load(write("goal.yaml", ONE_TASK));

        assertEquals(Goal.MergePolicy.END, goal.sync().merge());
        assertEquals(Goal.ZonePolicy.REJECT, goal.sync().zonePolicy());
        assertEquals(Goal.Retry.FRESH, goal.tasks().get(0).retry());
        assertTrue(goal.tasks().get(0).review());
    }

    @Test
    void theJudgeCanaryBellKeepAndSandboxDefaultsAreReadFromTheConfiguration() throws Exception {
        GoalLoader tuned = new GoalLoader(ConfigFactory.parseString("""
                troupe.defaults.agent.judge = check
                troupe.defaults.fanout.canary = 2
                troupe.defaults.notify.bell = true
                troupe.defaults.workspace { keep = true, sandbox = true }
                """).withFallback(ConfigFactory.load()));

        Goal variants = tuned.load(write("variants.yaml", "tasks:", "  - id: a", "    prompt: do a", "    variants: 2",
                "notify:", "  command: \"true\""));
        Goal fanout = tuned.load(write("fanout.yaml", "fanout:", "  files: \"src/**/*.js\"", "  prompt: do {file}"));

        assertEquals(Goal.Judge.CHECK, variants.tasks().get(0).variants().judge());
        assertTrue(variants.notifications().bell());
        assertEquals(2, fanout.fanout().orElseThrow().canary());
        assertTrue(fanout.workspace().keep() && fanout.workspace().sandbox(), "with no workspace section too");
        assertEquals(Goal.Judge.AGENT, loader.load(write("plain.yaml", "tasks:", "  - id: a", "    prompt: do a",
                "    variants: 2")).tasks().get(0).variants().judge(), "the shipped default");
    }

    @Test
    void aDefaultThatNamesNoValueIsAConfigurationError() throws Exception {
        GoalLoader tuned = new GoalLoader(ConfigFactory.parseString("troupe.defaults.sync.merge = later")
                .withFallback(ConfigFactory.load()));

        ConfigException refusal = assertThrows(ConfigException.class, () -> tuned.load(write("goal.yaml", ONE_TASK)));

        assertTrue(refusal.getMessage().contains("sync.merge") && refusal.getMessage().contains("each or end"),
                refusal::getMessage);
    }

    @Test
    void jsonGoalLoadsTheSameAsItsYamlTwin() throws Exception {
        Goal fromYaml = loader.load(write("goals/goal.yaml", FULL_YAML));
        Goal fromJson = loader.load(write("goals/goal.json", FULL_JSON));

        assertAll(
                () -> assertEquals(fromYaml.text(), fromJson.text()),
                () -> assertEquals(fromYaml.repo(), fromJson.repo()),
                () -> assertEquals(fromYaml.base(), fromJson.base()),
                () -> assertEquals(fromYaml.team(), fromJson.team()),
                () -> assertEquals(fromYaml.agent(), fromJson.agent()),
                () -> assertEquals(fromYaml.limits(), fromJson.limits()),
                () -> assertEquals(fromYaml.tasks(), fromJson.tasks()));
    }

    // Files that cannot be read as a goal at all.

    @Test
    void missingFileIsRefusedWithoutAPlace() {
        Path file = dir.resolve("nowhere.yaml");

        GoalException refusal = refused(file);

        assertEquals("no such goal file", refusal.problem());
        assertNowhere(refusal);
        assertEquals(file + ": no such goal file", refusal.getMessage());
    }

    @Test
    void emptyFileIsRefusedWithoutAPlace() throws IOException {
        Path file = dir.resolve("goal.yaml");
        Files.writeString(file, "");

        GoalException refusal = refused(file);

        assertEquals("the goal file is empty", refusal.problem());
        assertNowhere(refusal);
    }

    @Test
    void fileOfOnlyBlankLinesCountsAsEmpty() throws IOException {
        GoalException refusal = refusedYaml("  ", "", "\t");

        assertEquals("the goal file is empty", refusal.problem());
    }

    @Test
    void colonInsideAPlainValueIsRefusedAsInvalidYamlAtThatColon() throws IOException {
        GoalException refusal = refusedYaml(
                "goal: g",
                "tasks:",
                "  - id: a",
                "    prompt: do: this");

        assertEquals("not valid YAML: mapping values are not allowed here", refusal.problem());
        assertAt(4, 15, refusal);
    }

    @Test
    void badlyIndentedKeyIsRefusedAsInvalidYamlAtThatKey() throws IOException {
        GoalException refusal = refusedYaml(
                "goal: g",
                "tasks:",
                "  - id: a",
                "    prompt: p",
                "   after: [b]");

        assertTrue(refusal.problem().startsWith("not valid YAML: "), refusal::getMessage);
        assertAt(5, 4, refusal);
    }

    @Test
    void unclosedBracketIsRefusedAsInvalidYamlWhereTheListCannotGoOn() throws IOException {
        GoalException refusal = refusedYaml(
                "goal: g",
                "tasks:",
                "  - id: a",
                "    after: [b",
                "    prompt: p");

        assertTrue(refusal.problem().startsWith("not valid YAML: "), refusal::getMessage);
        // The list opened on line 4 is still open on line 5, where the colon of "prompt:" comes instead of ',' or ']'.
        assertAt(5, 11, refusal);
    }

    @Test
    void invalidYamlProblemSaysWhatTheParserExpected() throws IOException {
        GoalException refusal = refusedYaml(
                "goal: g",
                "tasks:",
                "  - id: a",
                "    after: [b",
                "    prompt: p");

        assertTrue(refusal.problem().contains("expected ',' or ']'"), refusal::getMessage);
    }

    @Test
    void missingCommaIsRefusedAsInvalidJsonWhereTheCommaBelongs() throws IOException {
        GoalException refusal = refused(write("goal.json",
                "{",
                "  \"goal\": \"g\"",
                "  \"tasks\": []",
                "}"));

        assertTrue(refusal.problem().startsWith("not valid JSON: "), refusal::getMessage);
        assertTrue(refusal.problem().contains("was expecting comma"), refusal::getMessage);
        assertAt(3, 3, refusal);
    }

    @Test
    void duplicateYamlKeyIsRefusedOnItsLine() throws IOException {
        GoalException refusal = refusedYaml(
                "goal: g",
                "goal: h",
                "tasks:",
                "  - id: a",
                "    prompt: p");

        assertEquals("duplicate key 'goal'", refusal.problem());
        assertEquals(2, refusal.line(), refusal::getMessage);
    }

    @Test
    void duplicateYamlKeyIsReportedAtTheStartOfTheSecondKey() throws IOException {
        GoalException refusal = refusedYaml(
                "goal: g",
                "goal: h",
                "tasks:",
                "  - id: a",
                "    prompt: p");

        assertAt(2, 1, refusal);
    }

    // Keys and values the format does not have.

    @Test
    void unknownTopLevelKeyIsRefusedAtTheKeyListingTheExpectedKeys() throws IOException {
        GoalException refusal = refusedYaml(
                "goal: g",
                "colour: blue",
                "tasks:",
                "  - id: a",
                "    prompt: p");

        assertEquals("unknown key 'colour'; expected one of: agent, agents, base, fanout, goal, limits, notify, plan, repo, sync, tasks, team, workspace",
                refusal.problem());
        assertAt(2, 1, refusal);
    }

    @Test
    void unknownNestedKeyIsRefusedAtTheKeyNamingItsParent() throws IOException {
        GoalException refusal = refusedYaml(
                "goal: g",
                "team:",
                "  size: 2",
                "  colour: blue",
                "tasks:",
                "  - id: a",
                "    prompt: p");

        assertEquals("unknown key 'colour' in team; expected one of: size, stagger", refusal.problem());
        assertAt(4, 3, refusal);
    }

    @Test
    void unknownKeyInATaskIsRefusedAtTheKeyNamingTheTask() throws IOException {
        GoalException refusal = refusedYaml(
                "goal: g",
                "tasks:",
                "  - id: a",
                "    prompt: p",
                "    colour: blue");

        assertEquals("unknown key 'colour' in tasks[0]; expected one of: after, agent, allowed-tools, append-system-prompt, cli, hears, id, judge, max-turns, model, permission-mode, prompt, retry, review, variants, zone",
                refusal.problem());
        assertAt(5, 5, refusal);
    }

    @Test
    void everyUnknownKeyIsReportedAndTheRestOfTheFileIsStillChecked() throws IOException {
        GoalException refusal = refusedYaml(
                "goal: g",
                "colour: blue",
                "team:",
                "  size: 0",
                "  hue: {a: 1}",
                "tasks:",
                "  - id: a",
                "    prompt: p",
                "    colour: [1, 2]",
                "    after: [b]",
                "  - id: b",
                "    prompt: p",
                "    colour: red",
                "    after: [a]");

        assertEquals(List.of("2:1 unknown key 'colour'", "4:3 team.size must be at least 1, not 0",
                "5:3 unknown key 'hue' in team", "9:5 unknown key 'colour' in tasks[0]",
                "10:5 dependency cycle: a -> b -> a", "13:5 unknown key 'colour' in tasks[1]"),
                refusal.problems().stream().map(p -> p.line() + ":" + p.column() + " "
                        + p.problem().replaceFirst(";.*", "")).toList());
    }

    @Test
    void theCycleBehindAnUnknownKeyIsFound() throws IOException {
        GoalException refusal = refusedYaml(
                "colour: blue",
                "tasks:",
                "  - id: a",
                "    prompt: p",
                "    after: [b]",
                "  - id: b",
                "    prompt: p",
                "    after: [a]");

        assertEquals(List.of("1:1 unknown key 'colour'", "5:5 dependency cycle: a -> b -> a"),
                refusal.problems().stream().map(p -> p.line() + ":" + p.column() + " "
                        + p.problem().replaceFirst(";.*", "")).toList());
    }

    @Test
    void aValueOfTheWrongTypeStopsTheReadingNamingTheUnknownKeysReadBeforeIt() throws IOException {
        GoalException refusal = refusedYaml(
                "goal: g",
                "agent:",
                "  colour: blue",
                "team:",
                "  size: many");

        assertEquals(List.of("3:3 unknown key 'colour' in agent", "5:3 team.size: expected a whole number"),
                refusal.problems().stream().map(p -> p.line() + ":" + p.column() + " "
                        + p.problem().replaceFirst(";.*", "")).toList());
    }

    @Test
    void aFileWithProblemsStillGivesWhatTheRunChecksNeed() throws IOException {
        Path file = write("goal.yaml",
                "repo: ../project",
                "base: main",
                "agent:",
                "  command: [claude]",
                "  colour: blue",
                "team:",
                "  size: 0",
                "tasks:",
                "  - id: a",
                "    prompt: p");

        GoalReading reading = loader.read(file);

        assertTrue(reading.goal().isEmpty());
        assertEquals(2, reading.problems().size(), reading.problems()::toString);
        RunTarget target = reading.target().orElseThrow();
        assertEquals(dir.resolve("../project").normalize(), target.repo());
        assertEquals(Optional.of("main"), target.base());
        assertEquals(List.of("claude"), target.agent().orElseThrow().command());
        assertTrue(target.places().has("/repo"));
    }

    @Test
    void anUnreadableFileGivesNothingToCheckTheRunAgainst() throws IOException {
        GoalReading reading = loader.read(write("goal.yaml", "goal: [unclosed"));

        assertTrue(reading.target().isEmpty());
        assertEquals(1, reading.problems().size());
    }

    @Test
    void wordWhereAWholeNumberBelongsIsRefusedAtItsSetting() throws IOException {
        GoalException refusal = refusedYaml(
                "team:",
                "  size: lots",
                "tasks:",
                "  - id: a",
                "    prompt: p");

        assertEquals("team.size: expected a whole number", refusal.problem());
        assertAt(2, 3, refusal);
    }

    @Test
    void fractionWhereAWholeNumberBelongsIsRefusedAtItsSetting() throws IOException {
        GoalException refusal = refusedYaml(
                "team:",
                "  size: 2.5",
                "tasks:",
                "  - id: a",
                "    prompt: p");

        assertEquals("team.size: expected a whole number", refusal.problem());
        assertAt(2, 3, refusal);
    }

    @Test
    void durationInWordsIsRefusedAtItsSetting() throws IOException {
        GoalException refusal = refusedYaml(
                "tasks:",
                "  - id: a",
                "    prompt: p",
                "limits:",
                "  task-timeout: 5 minutes");

        assertEquals("limits.task-timeout: expected a duration such as 500ms, 30s, 5m or 2h, at most 7 days", refusal.problem());
        assertAt(5, 3, refusal);
    }

    @Test
    void durationWithoutAUnitIsRefusedAtItsSetting() throws IOException {
        GoalException refusal = refusedYaml(
                "tasks:",
                "  - id: a",
                "    prompt: p",
                "team:",
                "  stagger: 10");

        assertEquals("team.stagger: expected a duration such as 500ms, 30s, 5m or 2h, at most 7 days", refusal.problem());
        assertAt(5, 3, refusal);
    }

    @Test
    void teamOfZeroIsRefusedAtTheSize() throws IOException {
        GoalException refusal = refusedYaml(
                "team:",
                "  size: 0",
                "tasks:",
                "  - id: a",
                "    prompt: p");

        assertEquals("team.size must be at least 1, not 0", refusal.problem());
        assertAt(2, 3, refusal);
    }

    @Test
    void unknownPermissionModeIsRefusedListingTheModes() throws IOException {
        GoalException refusal = refusedYaml(
                "agent:",
                "  permission-mode: yolo",
                "tasks:",
                "  - id: a",
                "    prompt: p");

        assertEquals("unknown permission mode 'yolo'; expected one of: acceptEdits, auto, bypassPermissions, default,"
                + " dontAsk, plan", refusal.problem());
        assertAt(2, 3, refusal);
    }

    @Test
    void unknownMergePolicyIsRefusedAtItsValue() throws IOException {
        GoalException refusal = refusedYaml(concat(ONE_TASK, new String[] {"sync:", "  merge: later"}));

        assertEquals("unknown merge policy 'later'; expected each or end", refusal.problem());
        assertAt(6, 3, refusal);
    }

    @Test
    void mergeAtTheEndAndReviewsAreRead() throws IOException, GoalException {
        Goal goal = loadYaml(
                "agent:",
                "  review: true",
                "sync:",
                "  merge: end",
                "tasks:",
                "  - id: a",
                "    prompt: p",
                "  - id: b",
                "    prompt: q",
                "    review: false");

        assertEquals(Goal.MergePolicy.END, goal.sync().merge());
        assertTrue(goal.tasks().get(0).review(), "agent.review is every task's default");
        assertFalse(goal.tasks().get(1).review(), "a task's own review wins");
    }

    @Test
    void reviewIsOffAndMergesAreEachByDefault() throws IOException, GoalException {
        Goal goal = loadYaml(ONE_TASK);

        assertEquals(Goal.MergePolicy.EACH, goal.sync().merge());
        assertFalse(goal.tasks().get(0).review());
    }

    @Test
    void retryResumesByDefaultAndATasksOwnWins() throws IOException, GoalException {
        Goal defaults = loadYaml(ONE_TASK);
        Goal goal = loadYaml(
                "agent:",
                "  retry: fresh",
                "tasks:",
                "  - id: a",
                "    prompt: p",
                "  - id: b",
                "    prompt: q",
                "    retry: resume");

        assertEquals(Goal.Retry.RESUME, defaults.agent().retry());
        assertEquals(Goal.Retry.RESUME, defaults.tasks().get(0).retry());
        assertEquals(Goal.Retry.FRESH, goal.tasks().get(0).retry(), "agent.retry is every task's default");
        assertEquals(Goal.Retry.RESUME, goal.tasks().get(1).retry(), "a task's own retry wins");
    }

    @Test
    void unknownRetryIsRefusedAtItsValue() throws IOException {
        GoalException refusal = refusedYaml("tasks:", "  - id: a", "    prompt: p", "    retry: later");

        assertEquals("retry of task 'a': unknown value 'later'; expected resume or fresh", refusal.problem());
        assertAt(4, 5, refusal);
    }

    @Test
    void unknownRetryOfTheAgentIsReportedWithTheOtherProblems() throws IOException {
        GoalException refusal = refusedYaml("agent:", "  retry: 2", "team:", "  size: 0", "tasks:", "  - id: a",
                "    prompt: p", "    retry: true");

        assertEquals(List.of("2:3 agent.retry: unknown value '2'; expected resume or fresh",
                "4:3 team.size must be at least 1, not 0",
                "8:5 retry of task 'a': unknown value 'true'; expected resume or fresh"),
                refusal.problems().stream().map(p -> p.line() + ":" + p.column() + " " + p.problem()).toList());
    }

    @Test
    void aMergePolicyGivenAsAListNamesTheValuesAllowed() throws IOException {
        GoalException refusal = refusedYaml(concat(ONE_TASK, new String[] {"sync:", "  merge: [each]"}));

        assertEquals("sync.merge: expected each or end", refusal.problem());
        assertAt(6, 3, refusal);
    }

    @Test
    void aQuotedValueIsReadWithoutTheBlanksAroundIt() throws IOException, GoalException {
        Goal goal = loadYaml(concat(ONE_TASK, new String[] {"sync:", "  merge: \" end \""}));

        assertEquals(Goal.MergePolicy.END, goal.sync().merge());
    }

    // Workspaces.

    @Test
    void theWorkspaceSectionIsRead() throws IOException, GoalException {
        Goal goal = loadYaml(concat(ONE_TASK, new String[] {
            "workspace:",
            "  copy: [.env, \"config/*.key\"]",
            "  setup: npm ci",
            "  setup-inputs: package-lock.json",
            "  keep: true",
            "  ports: 3000",
            "  sandbox: true"}));

        Goal.Workspace workspace = goal.workspace();
        assertEquals(List.of(".env", "config/*.key"), workspace.copy());
        assertEquals(Optional.of("npm ci"), workspace.setup());
        assertEquals(List.of("package-lock.json"), workspace.setupInputs(), "a single glob is a list of one");
        assertTrue(workspace.keep() && workspace.sandbox());
        assertEquals(Optional.of(3200), workspace.port(2));
    }

    @Test
    void withoutAWorkspaceSectionTheWorkspaceIsABareCheckout() throws IOException, GoalException {
        assertEquals(Goal.Workspace.NONE, loadYaml(ONE_TASK).workspace());
    }

    @Test
    void workspaceMistakesAreRefusedAtTheirKeys() throws IOException {
        GoalException inputsAlone = refusedYaml(concat(ONE_TASK, new String[] {
            "workspace:",
            "  setup-inputs: [package-lock.json]"}));
        GoalException portsTooHigh = refusedYaml(concat(ONE_TASK, new String[] {
            "team: {size: 4}",
            "workspace:",
            "  ports: 65200"}));
        GoalException outside = refusedYaml(concat(ONE_TASK, new String[] {
            "workspace:",
            "  copy: [../secrets.env]"}));
        GoalException blank = refusedYaml(concat(ONE_TASK, new String[] {
            "workspace:",
            "  setup: \" \""}));

        assertEquals("workspace.setup-inputs without a workspace.setup to run", inputsAlone.problem());
        assertAt(6, 3, inputsAlone);
        assertTrue(portsTooHigh.problem().startsWith("workspace.ports must leave room for every worker's port"),
                portsTooHigh.problem());
        assertAt(7, 3, portsTooHigh);
        assertTrue(outside.problem().startsWith("workspace.copy: '../secrets.env' is not a glob"), outside.problem());
        assertEquals("workspace.setup is empty; give a command, or leave the key out", blank.problem());
    }

    @Test
    void aSandboxConfinesTheNetworkUnlessTheGoalListsHostsOrLiftsIt() throws IOException, GoalException {
        Goal.Workspace plain = loadYaml(concat(ONE_TASK, new String[] {"workspace: {sandbox: true}"})).workspace();
        Goal.Workspace listed = loadYaml(concat(ONE_TASK, new String[] {
            "workspace:",
            "  sandbox:",
            "    network: [registry.npmjs.org, \"127.0.0.1:8080\", \"https://proxy.example:8443/path\"]"})).workspace();
        Goal.Workspace any = loadYaml(concat(ONE_TASK, new String[] {"workspace: {sandbox: {network: any}}"})).workspace();

        assertTrue(plain.sandbox() && plain.confined() && plain.network().isEmpty());
        assertTrue(listed.sandbox() && listed.confined());
        assertEquals(List.of(new Endpoint("registry.npmjs.org", 443), new Endpoint("127.0.0.1", 8080),
                new Endpoint("proxy.example", 8443)), listed.network());
        assertTrue(any.sandbox() && !any.confined(), "network: any lifts the rule, files stay confined");
        assertFalse(Goal.Workspace.NONE.confined());
    }

    @Test
    void sandboxMistakesAreRefusedAtTheirKeys() throws IOException {
        GoalException badHost = refusedYaml(concat(ONE_TASK, new String[] {
            "workspace:",
            "  sandbox:",
            "    network: [ok.example, \"bad host:1\"]"}));
        GoalException badWord = refusedYaml(concat(ONE_TASK, new String[] {
            "workspace:",
            "  sandbox: {network: all}"}));
        GoalException unknown = refusedYaml(concat(ONE_TASK, new String[] {
            "workspace:",
            "  sandbox: {hosts: [a.example]}"}));

        assertEquals("workspace.sandbox.network: 'bad host:1' is not a host, host:port or URL", badHost.problem());
        assertAt(7, 27, badHost);
        assertTrue(badWord.problem().startsWith("workspace.sandbox.network is a list of hosts"), badWord.problem());
        assertTrue(unknown.problem().startsWith("unknown key 'sandbox.hosts'"), unknown.problem());
    }

    @Test
    void bypassPermissionsIsRefusedOutsideTheConfinedSandboxAtTheKeyThatAsksForIt() throws IOException, GoalException {
        GoalException agent = refusedYaml(concat(ONE_TASK, new String[] {
            "agent: {permission-mode: bypassPermissions}"}));
        GoalException task = refusedYaml(
                "goal: g",
                "workspace: {sandbox: {network: any}}",
                "tasks:",
                "  - id: a",
                "    prompt: p",
                "    permission-mode: bypassPermissions");
        Goal confined = loadYaml(concat(ONE_TASK, new String[] {
            "agent: {permission-mode: bypassPermissions}",
            "workspace: {sandbox: true}"}));
        Goal insisted = loadYaml(concat(ONE_TASK, new String[] {
            "agent: {permission-mode: bypassPermissions}",
            "workspace: {allow-unconfined-bypass: true}"}));

        assertTrue(agent.problem().startsWith("permission-mode bypassPermissions lets agents run any command unasked;"
                + " troupe allows it only in the sandbox with its network confined"), agent.problem());
        assertAt(5, 9, agent);
        assertTrue(task.problem().startsWith("permission-mode bypassPermissions"), task.problem());
        assertAt(6, 5, task);
        assertEquals("bypassPermissions", confined.agent().permissionMode());
        assertTrue(insisted.workspace().unconfinedBypass());
    }

    // Tasks that cannot be run, and goals left to the planner.

    @Test
    void goalWithoutTasksIsLeftToThePlanner() throws IOException, GoalException {
        Goal goal = loadYaml(
                "goal: Add a French greeting",
                "repo: .");

        assertEquals(List.of(), goal.tasks());
        assertEquals("Add a French greeting", goal.text());
    }

    @Test
    void aGoalPlannedInRoundsSaysHowManyAndOneWithoutPlanIsPlannedOnce() throws IOException, GoalException {
        Goal rounds = loadYaml(
                "goal: Add a French greeting",
                "plan: {rounds: 4}");
        Goal once = loadYaml("goal: Add a French greeting");
        Goal withTasks = loadYaml(concat(ONE_TASK, "plan:", "  rounds: 2"));

        assertEquals(new Goal.Plan(4), rounds.plan());
        assertTrue(rounds.plan().inRounds());
        assertEquals(Goal.Plan.ONCE, once.plan());
        assertFalse(once.plan().inRounds());
        assertEquals(2, withTasks.plan().rounds(), "the listed tasks are the first round");
    }

    @Test
    void planRoundsMustBeGivenAtLeastOneAndHaveGoalTextToPlanFrom() throws IOException {
        GoalException none = refusedYaml("goal: g", "plan: {}");
        GoalException zero = refusedYaml("goal: g", "plan:", "  rounds: 0");
        GoalException noText = refusedYaml("plan: {rounds: 2}", "tasks:", "  - id: a", "    prompt: p");
        GoalException unknown = refusedYaml("goal: g", "plan: {rounds: 2, judge: yes}");

        assertTrue(none.problem().startsWith("plan needs 'rounds'"), none::getMessage);
        assertEquals("plan.rounds must be at least 1", zero.problem());
        assertAt(3, 3, zero);
        assertEquals("plan: needs 'goal:' text, which the planner reads after each round", noText.problem());
        assertAt(1, 1, noText);
        assertTrue(unknown.problem().startsWith("unknown key 'judge' in plan; expected one of: rounds"), unknown::getMessage);
    }

    @Test
    void goalWithoutTasksOrTextIsRefusedAtItsStart() throws IOException {
        GoalException refusal = refusedYaml(
                "repo: .",
                "team: {size: 2}");

        assertTrue(refusal.problem().startsWith("the goal lists no tasks and has no 'goal:' text"), refusal::getMessage);
        assertAt(1, 1, refusal);
    }

    @Test
    void emptyTaskListWithoutTextIsRefusedAtTheTasksKey() throws IOException {
        GoalException refusal = refusedYaml(
                "repo: .",
                "tasks: []");

        assertTrue(refusal.problem().startsWith("the goal lists no tasks"), refusal::getMessage);
        assertAt(2, 1, refusal);
    }

    @Test
    void thePlannersIdIsReserved() throws IOException {
        GoalException refusal = refusedYaml(
                "tasks:",
                "  - id: \"(planner)\"",
                "    prompt: p");

        assertEquals("task id '(planner)' is reserved for troupe's planner; rename the task", refusal.problem());
        assertAt(2, 5, refusal);
    }

    @Test
    void duplicateTaskIdIsRefusedWithItsLine() throws IOException {
        GoalException refusal = refusedYaml(
                "tasks:",
                "  - id: a",
                "    prompt: p",
                "  - id: a",
                "    prompt: q");

        assertEquals("duplicate task id 'a'", refusal.problem());
        assertAt(4, 5, refusal);
    }

    @Test
    void idsThatBecomeTheSameSlugAreRefusedAtTheSecond() throws IOException {
        GoalException refusal = refusedYaml(
                "tasks:",
                "  - id: a b",
                "    prompt: p",
                "  - id: a-b",
                "    prompt: q");

        assertEquals("task ids 'a b' and 'a-b' both become 'a-b' in branch names; rename one", refusal.problem());
        assertAt(4, 5, refusal);
    }

    @Test
    void emptyPromptIsRefusedAtThePrompt() throws IOException {
        GoalException refusal = refusedYaml(
                "tasks:",
                "  - id: a",
                "    prompt: \"\"");

        assertEquals("task 'a' has an empty prompt", refusal.problem());
        assertAt(3, 5, refusal);
    }

    @Test
    void missingPromptIsRefusedAtItsTask() throws IOException {
        GoalException refusal = refusedYaml(
                "tasks:",
                "  - id: a",
                "    after: []");

        assertEquals("task 'a' has an empty prompt", refusal.problem());
        assertAt(2, 5, refusal);
    }

    @Test
    void afterNamingAnUnknownTaskIsRefusedAtThatName() throws IOException {
        GoalException refusal = refusedYaml(
                "tasks:",
                "  - id: a",
                "    prompt: p",
                "    after: [b, nope]",
                "  - id: b",
                "    prompt: q");

        assertEquals("task 'a' comes after unknown task 'nope'", refusal.problem());
        assertAt(4, 16, refusal);
    }

    @Test
    void dependencyCycleIsRefusedShowingItsPath() throws IOException {
        GoalException refusal = refusedYaml(
                "tasks:",
                "  - id: a",
                "    prompt: p",
                "    after: [b]",
                "  - id: b",
                "    prompt: q",
                "    after: [a]");

        assertEquals("dependency cycle: a -> b -> a", refusal.problem());
        assertAt(4, 5, refusal);
    }

    @Test
    void taskThatComesAfterItselfIsRefusedAsACycle() throws IOException {
        GoalException refusal = refusedYaml(
                "tasks:",
                "  - id: a",
                "    prompt: p",
                "    after: [a]");

        assertEquals("dependency cycle: a -> a", refusal.problem());
        assertAt(4, 5, refusal);
    }

    @Test
    void hearsNamesTheTasksToBeToldOfStrippedAndOrdersNothing() throws IOException, GoalException {
        Goal goal = loadYaml(
                "tasks:",
                "  - id: api",
                "    prompt: p",
                "  - id: ui",
                "    prompt: q",
                "    hears: [\" api \", api]");

        assertEquals(List.of("api"), goal.tasks().get(1).hears());
        assertEquals(List.of(), goal.tasks().get(1).after());
        assertEquals(List.of(), goal.tasks().get(0).hears());
    }

    @Test
    void tasksMayHearFromEachOtherAndFromATaskTheyComeAfter() throws IOException, GoalException {
        Goal goal = loadYaml(
                "tasks:",
                "  - id: api",
                "    prompt: p",
                "    hears: [ui]",
                "  - id: ui",
                "    prompt: q",
                "    hears: [api]",
                "  - id: tests",
                "    prompt: r",
                "    after: [api]",
                "    hears: [api, ui]");

        assertEquals(List.of(List.of("ui"), List.of("api"), List.of("api", "ui")),
                goal.tasks().stream().map(Goal.TaskSpec::hears).toList());
    }

    @Test
    void hearingFromAnUnknownTaskIsRefusedAtThatNameWithFileLineAndColumn() throws IOException {
        Path file = write("goal.yaml",
                "tasks:",
                "  - id: api",
                "    prompt: p",
                "  - id: ui",
                "    prompt: q",
                "    hears: [api, apii]");

        GoalException refusal = refused(file);

        assertEquals(file + ":6:18: task 'ui' hears from unknown task 'apii'", refusal.getMessage());
    }

    @Test
    void aTaskThatHearsFromItselfIsRefusedAtItsOwnId() throws IOException {
        GoalException refusal = refusedYaml(
                "tasks:",
                "  - id: a",
                "    prompt: p",
                "    hears: [a]");

        assertEquals("task 'a' hears from itself", refusal.problem());
        assertAt(4, 13, refusal);
    }

    @Test
    void anEmptyHearsEntryIsRefused() throws IOException {
        GoalException refusal = refusedYaml(
                "tasks:",
                "  - id: a",
                "    prompt: p",
                "    hears: [~]");

        assertEquals("hears of task 'a' has an empty entry", refusal.problem());
        assertAt(4, 13, refusal);
    }

    @Test
    void messageStartsWithFileLineAndColumn() throws IOException {
        Path file = write("goal.yaml",
                "tasks:",
                "  - id: a",
                "    prompt: p",
                "  - id: a",
                "    prompt: q");

        GoalException refusal = refused(file);

        assertEquals(file + ":4:5: duplicate task id 'a'", refusal.getMessage());
    }

    // Task ids as branch names.

    @Test
    void slugReplacesEachRunOfUnsafeCharactersWithOneDash() {
        assertEquals("fix-bug-12-parser-lexer", TaskIds.slug("fix bug #12: parser/lexer"));
        assertEquals("v1-2_final", TaskIds.slug("v1.2_final"));
        assertEquals("caf-menu", TaskIds.slug("café menu"));
    }

    @Test
    void slugDropsLeadingAndTrailingPunctuation() {
        assertEquals("hello-world", TaskIds.slug("--hello world!!"));
        assertEquals("x", TaskIds.slug("(x)"));
    }

    @Test
    void longIdBecomesASlugOfAtMost64SafeCharacters() {
        String slug = TaskIds.slug("a".repeat(200));

        assertTrue(slug.matches("[A-Za-z0-9_-]{1,64}"), slug);
        assertTrue(slug.startsWith("a".repeat(50)), slug);
    }

    @Test
    void idOfExactly64SafeCharactersIsKeptAsIs() {
        String id = "b".repeat(64);

        assertEquals(id, TaskIds.slug(id));
    }

    @Test
    void longIdsWithACommonPrefixKeepDistinctSlugs() {
        String prefix = "implement the parser for the configuration file format ".repeat(2);

        String first = TaskIds.slug(prefix + "part one");
        String second = TaskIds.slug(prefix + "part two");

        assertNotEquals(first, second);
        assertTrue(first.length() <= 64, first);
        assertTrue(second.length() <= 64, second);
    }

    @Test
    void idWithNothingSafeInItBecomesAHashedTaskSlug() {
        String question = TaskIds.slug("???");
        String bang = TaskIds.slug("!!!");

        assertTrue(question.matches("task-[0-9a-f]{8}"), question);
        assertTrue(bang.matches("task-[0-9a-f]{8}"), bang);
        assertNotEquals(question, bang);
    }

    // Durations as goal files write them.

    @Test
    void durationParsesMillisecondsSecondsMinutesAndHours() {
        assertEquals(Optional.of(Duration.ofMillis(500)), Durations.parse("500ms"));
        assertEquals(Optional.of(Duration.ofSeconds(30)), Durations.parse("30s"));
        assertEquals(Optional.of(Duration.ofMinutes(5)), Durations.parse("5m"));
        assertEquals(Optional.of(Duration.ofHours(2)), Durations.parse("2h"));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"5 minutes", "10", "1.5h", "-5m", "5d", "2H", "m", "", "5mm", "5m30s"})
    void durationParseRejectsAnythingElse(String text) {
        assertEquals(Optional.empty(), Durations.parse(text));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"99999999999999999999h", "9999999999999999h"})
    void durationParseRejectsAnAmountTooLargeForADuration(String text) {
        assertEquals(Optional.empty(), Durations.parse(text));
    }

    @Test
    void aDurationOfMoreThanSevenDaysIsRefused() throws IOException {
        GoalException refusal = refusedYaml(
                "limits:",
                "  task-timeout: 6000h",
                "tasks:",
                "  - id: a",
                "    prompt: p");

        assertTrue(refusal.problem().contains("at most 7 days"), refusal::getMessage);
        assertAt(2, 3, refusal);
    }

    @Test
    void anEmptyTaskEntryIsRefusedAtItsPlace() throws IOException {
        GoalException refusal = refusedYaml(
                "tasks:",
                "  - id: a",
                "    prompt: p",
                "  -");

        assertTrue(refusal.problem().contains("a task must be a mapping"), refusal::getMessage);
        assertEquals(4, refusal.line(), refusal::getMessage);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"agent: {command: [claude, ~]}", "agent: {allowed-tools: [Read, ~]}"})
    void anEmptyEntryInAnAgentListIsRefused(String agentLine) throws IOException {
        GoalException refusal = refusedYaml(agentLine, "tasks:", "  - id: a", "    prompt: p");

        assertTrue(refusal.problem().endsWith("has an empty entry"), refusal::getMessage);
        assertEquals(1, refusal.line(), refusal::getMessage);
    }

    @Test
    void anEmptyAfterEntryIsRefused() throws IOException {
        GoalException refusal = refusedYaml(
                "tasks:",
                "  - id: a",
                "    prompt: p",
                "    after: [~]");

        assertEquals("after of task 'a' has an empty entry", refusal.problem());
        assertAt(4, 13, refusal);
    }

    @Test
    void aRelativeAgentPathIsMadeAbsoluteAgainstTheGoalFilesDirectory() throws Exception {
        Goal goal = loader.load(write("goals/goal.yaml", "agent: {command: [./bin/agent, --fast]}", "tasks:",
                "  - id: a", "    prompt: p"));

        assertEquals(List.of(dir.resolve("goals/bin/agent").toString(), "--fast"), goal.agent().command());
    }

    @Test
    void aZoneThatIsNotAGlobIsRefused() throws IOException {
        GoalException refusal = refusedYaml(
                "tasks:",
                "  - id: a",
                "    prompt: p",
                "    zone: [\"src/[a\"]");

        assertTrue(refusal.problem().startsWith("zone of task 'a': 'src/[a' is not a glob"), refusal::getMessage);
        assertEquals(4, refusal.line(), refusal::getMessage);
    }

    @Test
    void everyProblemOfTheFileIsReportedAtOnceInFileOrder() throws IOException {
        GoalException refusal = refusedYaml(
                "team:",
                "  size: 0",
                "tasks:",
                "  - id: a",
                "    prompt: \"\"",
                "  - id: b",
                "    prompt: p",
                "    after: [nobody]",
                "sync:",
                "  zone-policy: maybe");

        assertEquals(List.of("2:3 team.size must be at least 1, not 0", "5:5 task 'a' has an empty prompt",
                "8:13 task 'b' comes after unknown task 'nobody'", "10:3 unknown zone policy 'maybe'; expected warn or reject"),
                refusal.problems().stream().map(p -> p.line() + ":" + p.column() + " " + p.problem()).toList());
        assertEquals(4, refusal.getMessage().lines().count(), refusal::getMessage);
        assertAt(2, 3, refusal);
    }

    @Test
    void anAbsoluteGlobIsRefusedForGitWouldNotTakeItInAWorktree() throws IOException {
        GoalException refusal = refusedYaml("fanout:", "  files: \"/src/*.js\"", "  prompt: do {file}");

        assertEquals("fanout.files '/src/*.js' is not a glob: it is absolute; write it from the repository's top,"
                + " without the leading /", refusal.problem());
        assertAt(2, 3, refusal);
    }

    @Test
    void bracketsThatCloseAndEscapedBracketsAreGlobs() throws Exception {
        Goal goal = loader.load(write("goal.yaml", "tasks:", "  - id: a", "    prompt: p",
                "    zone: [\"src/[ab].js\", \"src/[]x].js\", \"src/\\\\[a\", \"src/[!a]*\"]"));

        assertEquals(List.of("src/[ab].js", "src/[]x].js", "src/\\[a", "src/[!a]*"), goal.tasks().get(0).zone());
    }

    @Test
    void anUnknownZonePolicyIsRefused() throws IOException {
        GoalException refusal = refusedYaml("sync:", "  zone-policy: maybe", "tasks:", "  - id: a", "    prompt: p");

        assertEquals("unknown zone policy 'maybe'; expected warn or reject", refusal.problem());
        assertAt(2, 3, refusal);
    }

    @Test
    void theCheckHasATimeoutOfItsOwnWellUnderTheTasks() throws Exception {
        Goal given = loader.load(write("goal.yaml", "sync: {check: make test, check-timeout: 90s}", "tasks:",
                "  - id: a", "    prompt: p"));
        Goal byDefault = loader.load(write("goal.yaml", "sync: {check: make test}", "tasks:", "  - id: a",
                "    prompt: p"));

        assertEquals(Duration.ofSeconds(90), given.sync().checkTimeout());
        assertEquals(Duration.ofMinutes(10), byDefault.sync().checkTimeout());
        assertEquals(Goal.Sync.DEFAULT_CHECK_TIMEOUT, byDefault.sync().checkTimeout(), "the code's default is the file's");
    }

    @Test
    void aCheckTimeoutOfZeroIsRefused() throws IOException {
        GoalException refusal = refusedYaml("sync:", "  check: make test", "  check-timeout: 0s", "tasks:", "  - id: a",
                "    prompt: p");

        assertEquals("sync.check-timeout must be longer than 0", refusal.problem());
        assertAt(3, 3, refusal);
    }

    @Test
    void zonesAndTheZonePolicyAreRead() throws Exception {
        Goal goal = loader.load(write("goal.yaml", "sync: {zone-policy: reject}", "tasks:", "  - id: a",
                "    prompt: p", "    zone: [\"auth/**\", README.md]"));

        assertEquals(List.of("auth/**", "README.md"), goal.tasks().get(0).zone());
        assertEquals(Goal.ZonePolicy.REJECT, goal.sync().zonePolicy());
    }

    @Test
    void aFanoutIsReadAndNeedsNoTasks() throws Exception {
        Goal goal = loader.load(write("goal.yaml", "fanout:", "  files: \"src/**/*.js\"",
                "  prompt: Migrate {file} to Vue.", "  canary: 3"));

        assertEquals(Optional.of(new Goal.Fanout("src/**/*.js", "Migrate {file} to Vue.", 3)), goal.fanout());
        assertEquals(List.of(), goal.tasks());
    }

    @Test
    void aFanoutPromptThatDoesNotNameTheFileIsRefused() throws IOException {
        GoalException refusal = refusedYaml("fanout:", "  files: \"*.js\"", "  prompt: Migrate it.");

        assertEquals("fanout needs a 'prompt' that names the file as {file}", refusal.problem());
        assertAt(3, 3, refusal);
    }

    // Variants.

    @Test
    void variantsAreACountOrAListAndATasksOwnWin() throws IOException, GoalException {
        Goal goal = loadYaml(
                "agent:",
                "  variants: 3",
                "  judge: check",
                "tasks:",
                "  - id: a",
                "    prompt: p",
                "  - id: b",
                "    prompt: q",
                "    variants: [{model: opus}, {append-system-prompt: Prefer the smallest change.}]",
                "    judge: agent",
                "  - id: c",
                "    prompt: r",
                "    variants: 1");

        assertEquals(3, goal.agent().variants().count(), "for the tasks a fan-out makes too");
        Goal.TaskSpec a = goal.tasks().get(0);
        assertEquals(3, a.variants().count());
        assertEquals(Goal.Judge.CHECK, a.variants().judge());
        Goal.TaskSpec b = goal.tasks().get(1);
        assertEquals(Goal.Judge.AGENT, b.variants().judge());
        assertEquals(java.util.Optional.of("opus"), b.asVariant(1).model());
        assertEquals(java.util.Optional.of("Prefer the smallest change."), b.asVariant(2).appendSystemPrompt());
        assertEquals(java.util.Optional.of("Be brief.\n\nPrefer the smallest change."),
                b.asVariant(2, java.util.Optional.of("Be brief.")).appendSystemPrompt(), "after agent:'s suffix");
        assertEquals(java.util.Optional.empty(), b.asVariant(1).appendSystemPrompt());
        assertFalse(goal.tasks().get(2).variants().any(), "one variant is a task run as usual");
    }

    @Test
    void aVariantWithAnUnknownKeyIsRefusedAtThatKey() throws IOException {
        GoalException refusal = refusedYaml(
                "tasks:",
                "  - id: a",
                "    prompt: p",
                "    variants:",
                "      - model: opus",
                "      - temperature: 2");

        assertEquals("variant 2 of task 'a' has unknown key 'temperature'; expected model, append-system-prompt, agent or cli",
                refusal.problem());
        assertAt(6, 9, refusal);
    }

    @Test
    void anUnknownJudgeIsRefused() throws IOException {
        GoalException refusal = refusedYaml(
                "agent:",
                "  judge: vote",
                "tasks:",
                "  - id: a",
                "    prompt: p");

        assertEquals("judge of agent is 'vote'; expected agent or check", refusal.problem());
        assertAt(2, 3, refusal);
    }
}
