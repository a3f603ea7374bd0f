package dev.troupe.team;

import akka.Done;
import akka.actor.typed.ActorSystem;
import akka.japi.Pair;
import akka.stream.ActorAttributes;
import akka.stream.IOResult;
import akka.stream.KillSwitches;
import akka.stream.UniqueKillSwitch;
import akka.stream.javadsl.FileIO;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.StreamConverters;
import akka.util.ByteString;
import akka.util.ByteStringBuilder;
import dev.troupe.agent.AgentCommand;
import dev.troupe.agent.AgentMessage;
import dev.troupe.agent.AgentReader;
import dev.troupe.agent.AgentProcess;
import dev.troupe.agent.StreamJson;
import dev.troupe.journal.TeamEvent;
import dev.troupe.team.rules.Assignment;
import dev.troupe.team.rules.RunContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One attempt's agent stdout as a stream: framed into lines, credentials masked, into its output file and the
 * journal, the lines the worker acts on handed to it. A failed read or write fails the stream's completion.
 */
final class AgentOutputStream {

    static final String DISPATCHER = "troupe.agent-output-dispatcher";
    /** At most this many of an agent's lines, and about this many bytes of them, go on as one group, */
    private static final int OUTPUT_GROUP = 256;
    private static final long OUTPUT_GROUP_BYTES = 1 << 20;
    /** and a line waits at most this long for others to go with. */
    private static final Duration OUTPUT_GROUP_WAIT = Duration.ofMillis(20);
    /** How many of an agent's groups may wait for the journal's writer at once. */
    private static final int OUTPUT_GROUPS_QUEUED = 4;
    /** How much of an agent's stdout one read takes. */
    private static final int READ_CHUNK_BYTES = 64 * 1024;

    /** One line of an agent's stdout: as written to its output file (credentials masked), and as journaled. */
    private record Said(ByteString bytes, TeamEvent.AgentOutput event) {}

    private final RunContext run;
    private final Assignment assignment;
    private final AtomicLong lastOutputNanos;
    private final Consumer<AgentMessage> steer;
    /** Reads this agent's lines, in its CLI's format. */
    private final AgentReader reader;

    /**
     * @param lastOutputNanos set to {@link System#nanoTime()} at every line, for the worker's idle check
     * @param steer called, on the stream's thread, with each line the worker acts on ({@link #steers})
     */
    AgentOutputStream(RunContext run, Assignment assignment, AtomicLong lastOutputNanos, Consumer<AgentMessage> steer) {
        this.run = run;
        this.assignment = assignment;
        this.lastOutputNanos = lastOutputNanos;
        this.steer = steer;
        this.reader = AgentCommand.kind(run.goal().agentFor(assignment.task())).reader();
    }

    /** The lines a worker acts on; the rest are only journaled. */
    private static boolean steers(AgentMessage message) {
        return message instanceof AgentMessage.Result || message instanceof AgentMessage.ApiRetry
                || message instanceof AgentMessage.Heard || message instanceof AgentMessage.ControlResponse;
    }

    /**
     * The agent's stdout, line by line, credentials masked: into {@code agents/<task>-<n>.jsonl} and into the
     * journal. The journal backpressures, so an agent printing faster than the disk is simply slowed down. The
     * blocking reads run on a dispatcher of their own, one thread per live agent.
     */
    Pair<UniqueKillSwitch, CompletionStage<Done>> run(AgentProcess process, ActorSystem<?> system) {
        Sink<List<Said>, CompletionStage<IOResult>> raw = Flow.<List<Said>>create()
                .map(lines -> {
                    ByteStringBuilder bytes = ByteString.createBuilder();
                    lines.forEach(line -> bytes.append(line.bytes()).putByte((byte) '\n'));
                    return bytes.result();
                })
                .toMat(FileIO.toPath(run.agentOutput(assignment, ".jsonl")), Keep.right());
        return StreamConverters.fromInputStream(process::stdout, READ_CHUNK_BYTES)
                .withAttributes(ActorAttributes.dispatcher(DISPATCHER))
                .via(StreamJson.lines(run.tuning().maxLineBytes()))
                .map(line -> {
                    lastOutputNanos.set(System.nanoTime());
                    String printed = line.bytes().decodeString(StandardCharsets.UTF_8);
                    String text = run.secrets().redact(printed);
                    // The output file gets the bytes as printed, unless a credential was masked in them.
                    ByteString bytes = text == printed ? line.bytes() : ByteString.fromString(text, StandardCharsets.UTF_8);
                    return new Said(bytes, said(text, line.truncated()));
                })
                // A burst of lines goes on as one element (to the file, to the journal); a quiet agent's line waits
                // at most 20 ms. One element a line would cost more in handing over than in writing.
                .groupedWeightedWithin(OUTPUT_GROUP_BYTES, OUTPUT_GROUP, said -> (long) said.bytes().size(),
                        OUTPUT_GROUP_WAIT)
                .alsoTo(raw)
                // With one group at a time, the journal's writer waited for every next group.
                .mapAsync(OUTPUT_GROUPS_QUEUED, lines -> run.journal().appendAll(lines.stream().map(Said::event).toList()))
                .viaMat(KillSwitches.single(), Keep.right())
                .toMat(Sink.ignore(), Keep.both())
                .run(system);
    }

    /**
     * One line of the agent's (credentials masked) as an event, telling the worker what it acts on. Only those
     * lines are parsed into a tree here; the rest are checked to be one JSON object, and journaled as printed.
     */
    private TeamEvent.AgentOutput said(String text, boolean truncated) {
        String task = assignment.task().id();
        int number = assignment.attempt();
        // A cut line is kept as text: its JSON is incomplete.
        Optional<String> type = truncated ? Optional.empty() : StreamJson.objectType(text);
        Optional<String> verbatim = type.isPresent() ? StreamJson.verbatim(text) : Optional.empty();
        // Of the user lines only an echo steers: the many tool results are only journaled.
        boolean mayEcho = !"user".equals(type.orElse("")) || text.contains("\"isReplay\"");
        if (type.isPresent() && verbatim.isPresent() && !(reader.steeringTypes().contains(type.get()) && mayEcho)) {
            return TeamEvent.AgentOutput.unparsed(Instant.now(), task, number, verbatim.get());
        }
        StreamJson.Line decoded = type.isEmpty() ? StreamJson.Line.text(text) : StreamJson.decode(text, reader);
        if (steers(decoded.message())) {
            steer.accept(decoded.message());
        }
        return new TeamEvent.AgentOutput(Instant.now(), task, number, decoded.json(), decoded.text(), truncated,
                verbatim.orElse(null));
    }
}
