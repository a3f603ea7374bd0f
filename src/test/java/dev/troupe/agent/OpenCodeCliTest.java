package dev.troupe.agent;

import static dev.troupe.testing.ChatCompletionsStandIn.rateLimited;
import static dev.troupe.testing.ChatCompletionsStandIn.text;
import static dev.troupe.testing.ChatCompletionsStandIn.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.journal.Json;
import dev.troupe.testing.ChatCompletionsStandIn;
import dev.troupe.testing.HeadlessCli;
import dev.troupe.testing.OpenCodeHome;
import dev.troupe.testing.TestRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pinned OpenCode CLI, run with the command line and environment {@link OpenCodeKind} gives, in a fresh git
 * repository against the {@link ChatCompletionsStandIn}, read by its reader: what troupe relies on holds for the
 * real CLI, not only for its recordings.
 */
class OpenCodeCliTest {

    @AutoClose
    private static final ChatCompletionsStandIn api = ChatCompletionsStandIn.start();

    @TempDir
    Path tmp;

    private record Run(int exitCode, List<AgentMessage> messages, String stdout) {

        AgentMessage.Result result() {
            List<AgentMessage.Result> results = messages.stream().filter(AgentMessage.Result.class::isInstance)
                    .map(AgentMessage.Result.class::cast).toList();
            assertEquals(1, results.size(), "one result in:\n" + stdout);
            return results.get(0);
        }
    }

    private static AgentCall call(String prompt, String permissionMode, Optional<String> resume, Path scratch) {
        return new AgentCall(prompt, Optional.of(OpenCodeHome.MODEL), permissionMode, List.of(), Optional.empty(),
                Optional.empty(), Optional.empty(), resume, "", false, scratch);
    }

    private static Run run(AgentCall call, TestRepo repo, OpenCodeHome home) throws IOException, InterruptedException {
        String installed = System.getProperty("troupe.opencode");
        assertTrue(installed != null && Files.isExecutable(Path.of(installed)),
                "the OpenCode CLI is installed by the build (mvn verify) into target/opencode: " + installed);
        OpenCodeKind kind = new OpenCodeKind();
        Path stdout = Files.createTempFile(home.root(), "stdout", ".jsonl");
        Path stderr = home.root().resolve("stderr.txt");
        HeadlessCli.Run run = HeadlessCli.of(Path.of(installed), kind, call, repo.dir(), home.env())
                .run(stdout, stderr, 120);
        AgentReader reader = kind.reader();
        List<AgentMessage> messages = new ArrayList<>();
        for (String line : run.stdout()) {
            JsonNode json = Json.MAPPER.readTree(line);
            if (reader.steeringTypes().contains(json.path("type").asText())) {
                messages.add(reader.read(json));
            }
        }
        return new Run(run.exitCode(), messages, Files.readString(stdout) + "\nstderr:\n" + Files.readString(stderr));
    }

    private TestRepo repo() {
        return TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "A repository for OpenCode.\n"));
    }

    @Test
    void aWriterWritesTheFileAndEndsWithASuccessfulResultInItsSession() throws Exception {
        TestRepo repo = repo();
        OpenCodeHome home = OpenCodeHome.create(tmp, api.baseUrl("writer", request -> request.afterToolResult()
                ? text("Done.") : write("hello.txt", "hello from the stand-in\n")));

        String prompt = "- Create  hello.txt, \"quoted\"\n\tand 1.50 ";
        Run run = run(call(prompt, "acceptEdits", Optional.empty(), tmp), repo, home);

        assertEquals(0, run.exitCode(), run.stdout());
        assertEquals("hello from the stand-in\n", Files.readString(repo.dir().resolve("hello.txt")));
        AgentMessage.Init init = (AgentMessage.Init) run.messages().get(0);
        assertTrue(init.sessionId().startsWith("ses_"), init.sessionId());
        assertFalse(run.result().isError(), run.result().failureReason());
        assertEquals(init.sessionId(), run.result().sessionId());
        assertTrue(run.result().costUsd() > 0, "the model's price makes a cost");
        assertEquals(prompt, api.agentRequests("writer").get(0).lastUserText(),
                "the prompt on stdin reaches the model as it is (as an argument, OpenCode quotes one with a space)");
    }

    @Test
    void aResumedRunContinuesTheSameSessionWithItsHistory() throws Exception {
        TestRepo repo = repo();
        OpenCodeHome home = OpenCodeHome.create(tmp, api.baseUrl("resumed",
                request -> text(request.assistantMessages() > 0 ? "Again." : "First.")));
        Run first = run(call("say hi", "acceptEdits", Optional.empty(), tmp), repo, home);

        Run second = run(call("say it again", "acceptEdits", Optional.of(first.result().sessionId()), tmp), repo, home);

        assertEquals(0, second.exitCode(), second.stdout());
        assertEquals(new AgentMessage.Init(first.result().sessionId(), ""), second.messages().get(0));
        assertEquals(first.result().sessionId(), second.result().sessionId());
        assertEquals("Again.", second.result().text());
    }

    @Test
    void aRateLimitThatOutlastsTheRetriesEndsInAFailedResultWithStatus429() throws Exception {
        OpenCodeHome home = OpenCodeHome.create(tmp, api.baseUrl("limited", request -> rateLimited(0)));

        Run run = run(call("say hi", "acceptEdits", Optional.empty(), tmp), repo(), home);

        assertEquals(1, run.exitCode());
        assertTrue(run.result().isError());
        assertEquals(Optional.of(429), run.result().apiErrorStatus());
        assertEquals(6, api.agentRequests("limited").size(), "OpenCode's own attempts");
    }

    @Test
    void aReadOnlyCallCanNeitherWriteNorRunACommand() throws Exception {
        TestRepo repo = repo();
        OpenCodeHome home = OpenCodeHome.create(tmp, api.baseUrl("read-only", request -> {
            long toolResults = request.body().path("messages").findValues("role").stream()
                    .filter(role -> role.asText().equals("tool")).count();
            return toolResults == 0 ? write("hello.txt", "written anyway\n")
                    : toolResults == 1 ? ChatCompletionsStandIn.bash("echo ran > ran.txt") : text("Could not.");
        }));

        Run run = run(call("Review it", "plan", Optional.empty(), tmp), repo, home);

        assertEquals(0, run.exitCode(), run.stdout());
        assertFalse(run.result().isError());
        assertFalse(Files.exists(repo.dir().resolve("hello.txt")), "the write was denied");
        assertFalse(Files.exists(repo.dir().resolve("ran.txt")), "the command was denied");
        assertEquals("", repo.status());
    }
}
