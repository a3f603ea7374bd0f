package dev.troupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import dev.troupe.agent.AgentProcess;
import dev.troupe.agent.LiveAgents;
import dev.troupe.journal.Journal;
import dev.troupe.journal.TeamEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A session's end goes through Akka's CoordinatedShutdown: agents stopped, journal closed, then the actor system. */
class RunSessionTest {

    @TempDir
    Path tmp;

    private RunSession<Void> session() {
        return RunSession.start(new LiveAgents(), Duration.ofMillis(200),
                () -> ActorSystem.create(Behaviors.<Void>empty(), "troupe-session-test", ConfigFactory.load()));
    }

    @Test
    void endingTheSessionStopsEveryAgentAndClosesTheJournalWithWhatWasAppended() throws Exception {
        RunSession<Void> session = session();
        Journal journal = session.openJournal(tmp.resolve("events.jsonl"), (event, json) -> {});
        AgentProcess agent = session.agents().start(List.of("sleep", "300"), tmp, Map.of(), tmp.resolve("stderr"));
        journal.append(new TeamEvent.NodeLost(Instant.now(), "node1", "akka://troupe@127.0.0.1:1", null));

        session.end();

        assertFalse(agent.isAlive(), "the agent outlived its session");
        assertTrue(session.agents().stopped(), "no agent starts once the session ended");
        assertTrue(Files.readString(tmp.resolve("events.jsonl")).contains("\"node-lost\""));
        assertThrows(ExecutionException.class, () -> journal.append(new TeamEvent.NodeLost(Instant.now(), "node2",
                "akka://troupe@127.0.0.1:2", null)).toCompletableFuture().get(), "the journal is closed");
    }

    @Test
    void aSessionThatEndsWithItsRunSaysNothingOfAnInterrupt() {
        RunSession<Void> session = session();
        AtomicInteger said = new AtomicInteger();
        session.onInterrupt(said::incrementAndGet);

        session.end();

        assertFalse(session.interrupted());
        assertEquals(0, said.get(), "an interrupt was said of a session that ended with its run");
    }
}
