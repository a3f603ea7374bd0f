package dev.troupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.journal.Json;
import dev.troupe.testing.ChatCompletionsStandIn;
import dev.troupe.testing.CodexHome;
import dev.troupe.testing.GeminiApiStandIn;
import dev.troupe.testing.GeminiHome;
import dev.troupe.testing.Journals;
import dev.troupe.testing.MessagesApiStandIn;
import dev.troupe.testing.OpenCodeHome;
import dev.troupe.testing.ResponsesApiStandIn;
import dev.troupe.testing.TestRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code troupe run} end to end with agents that answer rather than edit on CLIs other than Claude Code, each the real
 * pinned CLI against its API's stand-in: a Codex reviewer held to the verdict's schema by {@code --output-schema}, a
 * Gemini planner and an OpenCode reviewer asked for their schemas in the prompt, their last message read as the answer.
 */
class AnsweringAgentsTest {

    /** The key the pom gives the tests' environment; a profile's {@code key-env} hands it to its CLI. */
    static final String KEY = System.getenv("ANTHROPIC_API_KEY");

    static Path claude;
    static Path codex;
    static Path gemini;
    static Path opencode;
    static MessagesApiStandIn claudeApi;
    static ResponsesApiStandIn codexApi;
    static GeminiApiStandIn geminiApi;
    static ChatCompletionsStandIn openCodeApi;

    @TempDir
    Path tmp;
    private final List<Path> codexHomes = new ArrayList<>();

    @BeforeAll
    static void start() throws IOException {
        claude = ClaudeCodeTest.installedCli();
        codex = pinned("troupe.codex");
        gemini = pinned("troupe.gemini");
        opencode = pinned("troupe.opencode");
        assertTrue(KEY != null && KEY.startsWith("sk-ant-troupe-standin-"), "the test key comes from the pom");
        claudeApi = MessagesApiStandIn.start();
        codexApi = ResponsesApiStandIn.start();
        geminiApi = GeminiApiStandIn.start();
        openCodeApi = ChatCompletionsStandIn.start();
    }

    @AfterAll
    static void stop() {
        claudeApi.close();
        codexApi.close();
        geminiApi.close();
        openCodeApi.close();
    }

    @AfterEach
    void deleteCodexHomes() throws IOException {
        for (Path home : codexHomes) {
            CodexHome.delete(home);
        }
    }

    /** A CLI the build installs (mvn verify), at the path surefire is given in {@code property}. */
    private static Path pinned(String property) {
        String installed = System.getProperty(property);
        assertTrue(installed != null && Files.isExecutable(Path.of(installed)),
                "the build (mvn verify) installs the pinned CLI named by " + property + ": " + installed);
        return Path.of(installed).toAbsolutePath();
    }

    record Run(int exitCode, String out, String err, TestRepo repo, List<JsonNode> events) {

        List<JsonNode> events(String type) {
            return Journals.ofType(events, type);
        }

        String integrationBranch() {
            return events("run-started").get(0).path("integrationBranch").asText();
        }

        /** The agents started in {@code role} (reviewer, planner), or as writers for null. */
        List<JsonNode> started(String role) {
            return events("agent-started").stream()
                    .filter(e -> role == null ? !e.has("role") || e.path("role").isNull()
                            : role.equals(e.path("role").asText()))
                    .toList();
        }
    }

    /** Runs {@code yaml} (all but the repo) in a new repository. */
    private Run run(String yaml) throws IOException {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hello\n"));
        Path goal = tmp.resolve("goal.yaml");
        Files.writeString(goal, "repo: " + repo.dir() + "\n" + yaml);
        Invocation troupe = Invocation.troupe("run", goal.toString());
        List<JsonNode> events;
        try (Stream<Path> runs = Files.list(repo.dir().resolve(".troupe/runs"))) {
            events = Journals.read(runs.findFirst().orElseThrow().resolve("events.jsonl"));
        }
        return new Run(troupe.exitCode(), troupe.out(), troupe.err(), repo, events);
    }

    private static final Pattern FILE_IN_PROMPT = Pattern.compile("(\\S+\\.txt)");

    private static String fileIn(String prompt) {
        Matcher file = FILE_IN_PROMPT.matcher(prompt);
        assertTrue(file.find(), "the prompt names a file: " + prompt);
        return file.group(1);
    }

    private static final String REVIEWER_PROMPT = "You are reviewing";
    private static final String CHANGES_ASKED = "say beta instead";

    /**
     * Codex as writer and reviewer: the writer writes the file its prompt names, alpha at first and beta once the
     * reviewer has asked for it; the reviewer, held to a schema, asks for beta until the diff it is shown has it.
     */
    private static ResponsesApiStandIn.Reply codexWritesAndReviews(ResponsesApiStandIn.Request request) {
        if (request.prompt().startsWith(REVIEWER_PROMPT)) {
            boolean beta = request.prompt().contains("+beta");
            return ResponsesApiStandIn.json(Json.MAPPER.createObjectNode()
                    .put("verdict", beta ? "approve" : "request-changes")
                    .put("comments", beta ? "beta it is" : CHANGES_ASKED));
        }
        if (!request.outputsSinceLastUserText().isEmpty()) {
            return ResponsesApiStandIn.text("Done.");
        }
        boolean asked = String.join("\n", request.userTexts()).contains(CHANGES_ASKED);
        return ResponsesApiStandIn.writeFile(fileIn(request.prompt()), asked ? "beta\n" : "alpha\n");
    }

    @Test
    void aCodexReviewerHeldToTheVerdictsSchemaAsksForChangesThenApprovesAndTheTaskMergesOnce() throws IOException {
        Path home = CodexHome.newDir();
        codexHomes.add(home);
        CodexHome.write(home, codexApi.baseUrl("review", AnsweringAgentsTest::codexWritesAndReviews), 0);

        Run run = run("team: {size: 2, stagger: 100ms}\n"
                + ClaudeCodeTest.agentSection(claude, claudeApi.baseUrl("review-unused", r -> {
                    throw new AssertionError("no agent runs on the goal's own CLI: " + r.prompt());
                }))
                + "agents:\n"
                + "  codex:\n"
                + "    cli: codex\n"
                + "    command: [\"" + codex + "\"]\n"
                + "    key-env: ANTHROPIC_API_KEY\n"
                + "    env:\n"
                + "      CODEX_HOME: \"" + home + "\"\n"
                + "limits:\n  task-timeout: 2m\n"
                + """
                tasks:
                  - id: a
                    prompt: Create a.txt
                    agent: codex
                    review: true
                """);

        // Each review ran on the task's profile, read-only, given the verdict's schema as a file.
        for (JsonNode reviewer : reviewedTwiceThenMerged(run, "codex")) {
            String command = reviewer.path("command").toString();
            assertTrue(command.contains("\"--sandbox\",\"read-only\"") && command.contains("\"--output-schema\""),
                    command);
        }
        assertEquals(2, run.started(null).size(), "the writer ran twice");
        // What Codex sent for a review: the schema as the response's text format, in a session of its own.
        List<ResponsesApiStandIn.Request> requests = codexApi.requests("review");
        List<ResponsesApiStandIn.Request> reviewRequests = requests.stream()
                .filter(r -> r.prompt().startsWith(REVIEWER_PROMPT)).toList();
        assertEquals(2, reviewRequests.size(), "one request per review");
        for (ResponsesApiStandIn.Request review : reviewRequests) {
            assertTrue(review.asksForSchema(), review.body().path("text").toString());
            JsonNode schema = review.body().path("text").path("format").path("schema");
            assertEquals(List.of("verdict", "comments"), Json.MAPPER.convertValue(schema.path("required"), List.class),
                    schema.toString());
            assertEquals(List.of("approve", "request-changes"),
                    Json.MAPPER.convertValue(schema.path("properties").path("verdict").path("enum"), List.class));
            assertTrue(requests.stream().filter(r -> !r.prompt().startsWith(REVIEWER_PROMPT))
                    .noneMatch(w -> w.sessionId().equals(review.sessionId())), "a session of the reviewer's own");
        }
        assertNotEquals(reviewRequests.get(0).sessionId(), reviewRequests.get(1).sessionId(), "each review a new session");
        assertTrue(requests.stream().filter(r -> !r.prompt().startsWith(REVIEWER_PROMPT))
                .noneMatch(ResponsesApiStandIn.Request::asksForSchema), "the writer is held to no schema");
        assertTrue(claudeApi.requests("review-unused").isEmpty());
    }

    private static final String PLANNER_PROMPT = "<goal>";

    /** The plan the Gemini planner answers with: two tasks, each creating a file, as the plan's schema has them. */
    private static final ObjectNode PLAN = Json.MAPPER.createObjectNode();

    static {
        PLAN.putArray("tasks")
                .add(Json.MAPPER.createObjectNode().put("id", "first").put("prompt", "Create first.txt")
                        .set("zone", Json.MAPPER.createArrayNode().add("first.txt")))
                .add(Json.MAPPER.createObjectNode().put("id", "second").put("prompt", "Create second.txt")
                        .set("zone", Json.MAPPER.createArrayNode().add("second.txt")));
    }

    /** Gemini as planner (the plan as its message's text, in a code fence) and as writer (its write_file tool). */
    private static GeminiApiStandIn.Reply geminiPlansAndWrites(GeminiApiStandIn.Request request) {
        String prompt = request.userTexts().get(0);
        if (prompt.contains(PLANNER_PROMPT)) {
            return GeminiApiStandIn.text("Here is the plan:\n```json\n" + PLAN.toPrettyString() + "\n```\n");
        }
        if (request.afterToolResult()) {
            return GeminiApiStandIn.text("Done.");
        }
        String file = fileIn(prompt);
        return GeminiApiStandIn.write(file, "from gemini: " + file + "\n");
    }

    @Test
    void aGeminiPlannerAskedForThePlansSchemaInItsPromptAnswersAPlanWhoseTasksMergeOnce() throws IOException {
        Path home = GeminiHome.write(tmp.resolve("gemini-home"));

        Run run = run("team: {size: 2, stagger: 100ms}\n"
                + "agent:\n"
                + "  cli: gemini\n"
                + "  command: [\"" + gemini + "\"]\n"
                + "  model: " + GeminiHome.MODEL + "\n"
                + "  env:\n"
                + "    HOME: \"" + home + "\"\n"
                + "    GOOGLE_GEMINI_BASE_URL: \"" + geminiApi.baseUrl("plan", AnsweringAgentsTest::geminiPlansAndWrites)
                + "\"\n"
                + "    GEMINI_API_KEY: " + GeminiHome.KEY + "\n"
                + "limits:\n  task-timeout: 2m\n"
                + "goal: Greet in two files, first.txt and second.txt.\n");

        assertEquals(0, run.exitCode(), run.err() + run.out());
        String branch = run.integrationBranch();
        assertEquals(List.of("first", "second"), run.repo().mergedTasks(branch).stream().sorted().toList());
        assertEquals("from gemini: first.txt", run.repo().show(branch, "first.txt"));
        assertEquals("from gemini: second.txt", run.repo().show(branch, "second.txt"));
        assertEquals(2, run.events("merge-done").size(), "each merged once");
        JsonNode plan = run.events("plan-made").get(0);
        assertEquals(List.of("first", "second"), Json.MAPPER.convertValue(plan.path("tasks"), List.class), plan.toString());
        // The planner ran on the goal's CLI in its read-only mode, and was asked for the schema in its prompt.
        List<JsonNode> planners = run.started("planner");
        assertEquals(1, planners.size(), run.events("agent-started").toString());
        assertEquals("gemini", planners.get(0).path("cli").asText());
        assertTrue(planners.get(0).path("command").toString().contains("\"--approval-mode\",\"plan\""),
                planners.get(0).toString());
        List<GeminiApiStandIn.Request> asked = geminiApi.requests("plan").stream()
                .filter(r -> r.userTexts().get(0).contains(PLANNER_PROMPT)).toList();
        assertEquals(1, asked.size(), "the plan in one answer");
        String prompt = asked.get(0).userTexts().get(0);
        assertTrue(prompt.contains("answer with one JSON object and nothing else")
                && prompt.contains("\"required\":[\"tasks\"]") && prompt.contains("\"minItems\":1"),
                "the plan's schema is in the prompt: " + prompt);
        assertTrue(prompt.contains("Greet in two files"), prompt);
        assertEquals(2, run.started(null).size(), "one writer per task");
        assertTrue(run.started(null).stream().allMatch(e -> "gemini".equals(e.path("cli").asText())));
    }

    /** The first thing the user said in an OpenCode session: the writer's prompt, also when its session is resumed. */
    private static String firstUserText(ChatCompletionsStandIn.Request request) {
        for (JsonNode message : request.body().path("messages")) {
            if ("user".equals(message.path("role").asText())) {
                JsonNode content = message.path("content");
                return content.isTextual() ? content.asText() : String.join("", content.findValuesAsText("text"));
            }
        }
        return "";
    }

    /**
     * OpenCode as writer and reviewer, as Codex in {@link #codexWritesAndReviews}: here the reviewer is asked for the
     * verdict's schema in its prompt, and answers with the object as its message.
     */
    private static ChatCompletionsStandIn.Reply openCodeWritesAndReviews(ChatCompletionsStandIn.Request request) {
        String said = request.lastUserText();
        if (said.startsWith(REVIEWER_PROMPT)) {
            boolean beta = said.contains("+beta");
            return ChatCompletionsStandIn.json(Json.MAPPER.createObjectNode()
                    .put("verdict", beta ? "approve" : "request-changes")
                    .put("comments", beta ? "beta it is" : CHANGES_ASKED));
        }
        if (request.afterToolResult()) {
            return ChatCompletionsStandIn.text("Done.");
        }
        return ChatCompletionsStandIn.write(fileIn(firstUserText(request)), said.contains(CHANGES_ASKED) ? "beta\n"
                : "alpha\n");
    }

    @Test
    void anOpenCodeReviewerAskedForTheVerdictsSchemaInItsPromptAsksForChangesThenApproves() throws IOException {
        OpenCodeHome home = OpenCodeHome.create(tmp.resolve("opencode"),
                openCodeApi.baseUrl("review", AnsweringAgentsTest::openCodeWritesAndReviews));
        StringBuilder env = new StringBuilder();
        home.env().forEach((name, value) -> env.append("      ").append(name).append(": \"").append(value)
                .append("\"\n"));

        Run run = run("team: {size: 2, stagger: 100ms}\n"
                + ClaudeCodeTest.agentSection(claude, claudeApi.baseUrl("opencode-unused", r -> {
                    throw new AssertionError("no agent runs on the goal's own CLI: " + r.prompt());
                }))
                + "agents:\n"
                + "  opencode:\n"
                + "    cli: opencode\n"
                + "    command: [\"" + opencode + "\"]\n"
                + "    model: " + OpenCodeHome.MODEL + "\n"
                + "    env:\n" + env
                + "limits:\n  task-timeout: 2m\n"
                + """
                tasks:
                  - id: a
                    prompt: Create a.txt
                    agent: opencode
                    review: true
                """);

        for (JsonNode reviewer : reviewedTwiceThenMerged(run, "opencode")) {
            assertTrue(reviewer.path("command").toString().contains("\"--agent\",\"plan\""), reviewer.toString());
        }
        assertEquals(2, run.started(null).size(), "the writer ran twice");
        List<ChatCompletionsStandIn.Request> asked = openCodeApi.agentRequests("review").stream()
                .filter(r -> r.lastUserText().startsWith(REVIEWER_PROMPT)).toList();
        assertEquals(2, asked.size(), "one request per review");
        for (ChatCompletionsStandIn.Request review : asked) {
            String prompt = review.lastUserText();
            assertTrue(prompt.contains("answer with one JSON object and nothing else")
                    && prompt.contains("\"enum\":[\"approve\",\"request-changes\"]"),
                    "the verdict's schema is in the prompt: " + prompt);
            assertTrue(review.tools().stream().noneMatch(tool -> tool.equals("write") || tool.equals("edit")),
                    "the reviewer is offered no tool that writes: " + review.tools());
        }
        assertTrue(claudeApi.requests("opencode-unused").isEmpty());
    }

    /**
     * Task a's run: changes asked for, then approved, merged once with the change the reviewer asked for; its two
     * reviewers' agent-started events, each on the profile and CLI {@code cli}.
     */
    private static List<JsonNode> reviewedTwiceThenMerged(Run run, String cli) {
        assertEquals(0, run.exitCode(), run.err() + run.out());
        assertEquals(List.of("a"), run.repo().mergedTasks(run.integrationBranch()), "merged once, after the approval");
        assertEquals("beta", run.repo().show(run.integrationBranch(), "a.txt"));
        assertEquals(1, run.events("merge-done").size());
        List<JsonNode> reviews = run.events("review-done");
        assertEquals(List.of(false, true), reviews.stream().map(r -> r.path("approved").asBoolean()).toList(),
                reviews.toString());
        assertEquals(CHANGES_ASKED, reviews.get(0).path("comments").asText());
        assertEquals("beta it is", reviews.get(1).path("comments").asText());
        List<JsonNode> reviewers = run.started("reviewer");
        assertEquals(2, reviewers.size(), run.events("agent-started").toString());
        for (JsonNode reviewer : reviewers) {
            assertEquals(cli, reviewer.path("cli").asText(), reviewer.toString());
            assertEquals(cli, reviewer.path("profile").asText(), reviewer.toString());
        }
        return reviewers;
    }
}
