package dev.troupe.team;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.agent.AgentMessage;
import dev.troupe.agent.AgentProcess;
import dev.troupe.agent.LiveAgents;
import dev.troupe.journal.Json;
import dev.troupe.journal.Usage;
import dev.troupe.team.AgentConversation.Next;
import dev.troupe.team.rules.Assignment;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When an agent's results end its attempt, told step by step what the CLI says, its stdin a real pipe to
 * {@code cat}, whose output shows each line as troupe wrote it.
 */
class AgentConversationTest {

    static final ActorTestKit KIT = ActorTestKit.create();

    @TempDir
    Path tmp;

    private AgentProcess cat;
    private BufferedReader written;
    private AgentConversation conversation;
    private final TestProbe<WorkerProtocol.Report> lead = KIT.createTestProbe();
    private final TestProbe<WorkerProtocol.Command> worker = KIT.createTestProbe();
    private final WorkerProtocol.AttemptId attempt = new WorkerProtocol.AttemptId("a", 1, Assignment.Role.WRITER);

    @BeforeEach
    void agent() throws Exception {
        cat = new LiveAgents().start(List.of("cat"), tmp, Map.of(), tmp.resolve("stderr"), true);
        written = new BufferedReader(new InputStreamReader(cat.stdout(), StandardCharsets.UTF_8));
        conversation = new AgentConversation(cat.input());
    }

    @AfterEach
    void stop() {
        cat.stopNow(Duration.ofSeconds(1));
    }

    @AfterAll
    static void down() {
        KIT.shutdownTestKit();
    }

    private static AgentMessage.Result result(boolean error, Usage usage, boolean total) {
        return new AgentMessage.Result(error, error ? "error_during_execution" : "success", "", 0.5, usage, total, 1, 1,
                Optional.empty(), List.of(), 0, Optional.empty(), "session");
    }

    private static AgentMessage.Result success() {
        return result(false, Usage.NONE, true);
    }

    private JsonNode nextLine() throws Exception {
        return Json.MAPPER.readTree(written.readLine());
    }

    private WorkerProtocol.Tell tell(String id, String text, boolean redirect) {
        return new WorkerProtocol.Tell("a", id, text, redirect, lead.getRef());
    }

    /** Starts the conversation and has the CLI echo its prompt, as it does first thing. */
    private void started() throws Exception {
        conversation.start("Do a.");
        JsonNode prompt = nextLine();
        assertEquals("Do a.", prompt.path("message").path("content").asText());
        conversation.heard(prompt.path("uuid").asText(), worker.getRef(), attempt);
    }

    @Test
    void theAttemptEndsWithTheTurnAfterWhichEverythingSentWasHeard() throws Exception {
        started();
        conversation.tell(tell("m1", "Also b.", false));
        assertEquals("m1", nextLine().path("uuid").asText());

        assertEquals(Next.GO_ON, conversation.resulted(success()), "m1 is not heard yet: it comes as a turn");
        conversation.heard("m1", worker.getRef(), attempt);
        assertEquals(new WorkerProtocol.MessageHeard(worker.getRef(), attempt, "m1", true),
                lead.receiveMessage());
        assertEquals(Next.SUCCEEDED, conversation.resulted(success()));
    }

    @Test
    void aRedirectsCutShortTurnIsNoFailureEvenWhenAnotherTurnEndedMeanwhile() throws Exception {
        started();
        conversation.tell(tell("m1", "Also b.", false));
        conversation.tell(tell("m2", "Instead c.", true));
        assertEquals("m1", nextLine().path("uuid").asText());
        JsonNode interrupt = nextLine();
        assertEquals("interrupt-m2", interrupt.path("request_id").asText(), "the redirect's message waits");

        // The turn under way ended before the interrupt reached it; m1 opens the next, which the interrupt cuts.
        assertEquals(Next.GO_ON, conversation.resulted(success()));
        conversation.heard("m1", worker.getRef(), attempt);
        conversation.controlAnswered("interrupt-m2");
        assertEquals("m2", nextLine().path("uuid").asText(), "written once the CLI answered the interrupt");
        assertEquals(Next.GO_ON, conversation.resulted(result(true, Usage.NONE, true)), "the cut-short turn");
        conversation.heard("m2", worker.getRef(), attempt);
        assertEquals(Next.SUCCEEDED, conversation.resulted(success()));
    }

    @Test
    void anErrorResultNoInterruptExplainsFailsTheAttemptAndWhatWasNotHeardIsAnswered() throws Exception {
        started();
        conversation.tell(tell("m1", "Also b.", false));

        assertEquals(Next.FAILED, conversation.resulted(result(true, Usage.NONE, true)));
        assertEquals(List.of("m1"), conversation.unheardTells().stream().map(WorkerProtocol.Tell::messageId).toList());
    }

    @Test
    void anAgentThatNeverEchoesEndsOnItsResultInsteadOfWaiting() throws Exception {
        conversation.start("Do a.");

        assertEquals(Next.SUCCEEDED, conversation.resulted(success()));
    }

    @Test
    void tokensAreTheLastTotalPlusTheTurnsThatCameWithoutOne() throws Exception {
        started();
        conversation.resulted(result(false, new Usage(10, 5, 0, 0), false));
        conversation.resulted(result(false, new Usage(30, 15, 0, 0), true));
        conversation.resulted(result(false, new Usage(7, 3, 0, 0), false));

        AgentMessage.Result last = conversation.result().orElseThrow();
        assertEquals(new Usage(37, 18, 0, 0), last.usage());
        assertEquals(0.5, last.costUsd(), "the session's cost so far, once");
        assertFalse(last.isError());
    }
}
