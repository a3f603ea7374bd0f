package dev.troupe.team;

import akka.actor.typed.ActorRef;
import dev.troupe.agent.AgentInput;
import dev.troupe.agent.AgentMessage;
import dev.troupe.journal.Usage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt's talk with its agent. An agent that takes live input gets its prompt and each message told to it on
 * its stdin; the CLI echoes each one when it takes it in, and ends each turn with a result. The attempt is over with
 * the result of a turn after which nothing sent is still unheard: success, unless that result is an error. A turn
 * cut short for a redirect ({@code tell --interrupt}) is no failure: its message comes next, as a turn of its own.
 * An agent that takes no live input got its prompt on its command line, hears nothing more, and its first result
 * ends the attempt; so does one that never echoes what it is sent. Confined to its {@link Worker}.
 */
final class AgentConversation {

    /** What a result means for the attempt. */
    enum Next { GO_ON, SUCCEEDED, FAILED }

    /** A message for the agent; {@code tell} is who waits to hear it was heard (none for the prompt). */
    record Sent(String uuid, String text, Optional<WorkerProtocol.Tell> tell) {}

    private static final Logger LOG = LoggerFactory.getLogger(AgentConversation.class);

    /** Empty for an agent that takes no live input. */
    private final Optional<AgentInput> input;
    /** Sent (or waiting to be sent after an interrupt), not yet echoed: the attempt waits for them. */
    private final Map<String, Sent> unheard = new LinkedHashMap<>();
    /** A redirect's message, by the interrupt it waits for the CLI to answer. */
    private final Map<String, Sent> afterInterrupt = new LinkedHashMap<>();
    private int heardThisTurn;
    /** The agent has echoed something: it says what it takes in, so the attempt may wait for it. */
    private boolean echoes;
    /** The CLI answered an interrupt of ours since the last result: the next error result is the cut-short turn's. */
    private boolean interruptAnswered;
    /** The tokens of the last result that gave the session's total, and of the turns since, which did not. */
    private Usage lastTotal = Usage.NONE;
    private Usage sinceTotal = Usage.NONE;
    private AgentMessage.Result last;

    AgentConversation(Optional<AgentInput> input) {
        this.input = input;
    }

    /** The task's prompt, the first user message (an agent without live input has it on its command line). */
    void start(String prompt) {
        if (input.isPresent()) {
            send(new Sent(UUID.randomUUID().toString(), prompt, Optional.empty()));
        }
    }

    /** Why nothing can be told to the agent while it works: it takes no live input. Empty when it does. */
    Optional<String> whyNotLive() {
        return input.isPresent() ? Optional.empty() : Optional.of("its agent takes no live input (agent.command is not"
                + " Claude Code, or agent.live-input is false)");
    }

    /** A message told to the task, written now, or, as a redirect of a turn under way, once the turn is cut short. */
    void tell(WorkerProtocol.Tell tell) {
        Sent message = new Sent(tell.messageId(), tell.text(), Optional.of(tell));
        if (tell.redirect() && heardThisTurn > 0) {
            // The message waits for the CLI's answer: written before it, the turn being cut short could take it in.
            String request = "interrupt-" + tell.messageId();
            unheard.put(message.uuid(), message);
            afterInterrupt.put(request, message);
            write(AgentInput.interrupt(request));
        } else {
            send(message);
        }
    }

    private void send(Sent message) {
        unheard.put(message.uuid(), message);
        write(AgentInput.userMessage(message.text(), message.uuid()));
    }

    private void write(String line) {
        input.orElseThrow().send(line).whenComplete((written, failure) -> {
            if (failure != null) {
                // The agent has exited: its end says why, and what it was not told is answered then.
                LOG.warn("could not write to the agent's stdin: {}", Blocking.describe(failure));
            }
        });
    }

    /** The CLI answered a control request: a redirect's message goes in now, after the cut-short turn. */
    void controlAnswered(String requestId) {
        Sent message = afterInterrupt.remove(requestId);
        if (message != null) {
            interruptAnswered = true;
            write(AgentInput.userMessage(message.text(), message.uuid()));
        }
    }

    /**
     * The CLI echoed message {@code uuid}: it has it. Whoever told it hears so from {@code worker}, of
     * {@code attempt}: during the turn under way, or as a turn of its own.
     */
    void heard(String uuid, ActorRef<WorkerProtocol.Command> worker, WorkerProtocol.AttemptId attempt) {
        Sent message = unheard.remove(uuid);
        if (message == null) {
            return;
        }
        echoes = true;
        boolean ownTurn = heardThisTurn == 0;
        heardThisTurn++;
        message.tell().ifPresent(tell -> tell.replyTo().tell(new WorkerProtocol.MessageHeard(worker, attempt,
                tell.messageId(), ownTurn)));
    }

    /** A turn ended with {@code result}. */
    Next resulted(AgentMessage.Result result) {
        if (result.usageIsTotal()) {
            lastTotal = result.usage();
            sinceTotal = Usage.NONE;
        } else {
            sinceTotal = sinceTotal.plus(result.usage());
        }
        last = result;
        heardThisTurn = 0;
        boolean redirected = interruptAnswered;
        interruptAnswered = false;
        if (result.isError() && !redirected) {
            return Next.FAILED;
        }
        if (input.isEmpty() || !echoes) {
            // Nothing to wait for: no live input, or an agent that does not say what it took in (not even its prompt).
            return result.isError() ? Next.FAILED : Next.SUCCEEDED;
        }
        return unheard.isEmpty() && !result.isError() ? Next.SUCCEEDED : Next.GO_ON;
    }

    /**
     * The last turn's result, with the session's tokens: a result's cost is the session's so far; its tokens are too
     * when it says so, and the turns' after the last that did are added.
     */
    Optional<AgentMessage.Result> result() {
        if (last == null) {
            return Optional.empty();
        }
        AgentMessage.Result r = last;
        return Optional.of(new AgentMessage.Result(r.isError(), r.subtype(), r.text(), r.costUsd(),
                lastTotal.plus(sinceTotal), true, r.turns(), r.durationMs(), r.apiErrorStatus(), r.errors(),
                r.permissionDenials(), r.structuredOutput(), r.sessionId()));
    }

    /** The messages told to the agent that it never took in: the attempt ended first. */
    List<WorkerProtocol.Tell> unheardTells() {
        List<WorkerProtocol.Tell> tells = new ArrayList<>();
        unheard.values().forEach(message -> message.tell().ifPresent(tells::add));
        unheard.clear();
        afterInterrupt.clear();
        return tells;
    }

    /** Nothing more to say: the CLI finishes its turn, if one is under way, and exits. */
    void close() {
        input.ifPresent(AgentInput::close);
    }
}
