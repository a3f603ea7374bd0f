package dev.troupe.team;

import dev.troupe.agent.AgentInput;
import dev.troupe.agent.AgentMessage;
import dev.troupe.journal.Usage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executor;

/**
 * One attempt's talk with its agent. An agent that takes live input gets its prompt and each message told to it on
 * its stdin; the CLI echoes each one when it takes it in, and ends each turn with a result. The attempt is over with
 * the result of a turn after which nothing sent is still unheard: success, unless that result is an error. A turn
 * cut short for a redirect ({@code tell --interrupt}) is no failure: its message comes next, as a turn of its own.
 * An agent that takes no live input got its prompt on its command line, hears nothing more, and its first result
 * ends the attempt. Confined to its {@link Worker}.
 */
final class AgentConversation {

    /** What a result means for the attempt. */
    enum Next { GO_ON, SUCCEEDED, FAILED }

    /** A message for the agent; {@code tell} is who waits to hear it was heard (none for the prompt). */
    record Sent(String uuid, String text, Optional<WorkerProtocol.Tell> tell) {}

    /** Empty for an agent that takes no live input. */
    private final Optional<AgentInput> input;
    private final Executor blocking;
    /** Sent (or waiting to be sent after an interrupt), not yet echoed: the attempt waits for them. */
    private final Map<String, Sent> unheard = new LinkedHashMap<>();
    /** A redirect's message, by the interrupt it waits for the CLI to answer. */
    private final Map<String, Sent> afterInterrupt = new LinkedHashMap<>();
    private int heardThisTurn;
    private boolean interrupting;
    private Usage turnsUsage = Usage.NONE;
    private AgentMessage.Result last;

    AgentConversation(Optional<AgentInput> input, Executor blocking) {
        this.input = input;
        this.blocking = blocking;
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
            String request = "interrupt-" + tell.messageId();
            unheard.put(message.uuid(), message);
            afterInterrupt.put(request, message);
            interrupting = true;
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
        input.orElseThrow().send(line, blocking);
    }

    /** The CLI answered a control request: a redirect's message goes in now, after the cut-short turn. */
    void controlAnswered(String requestId) {
        Sent message = afterInterrupt.remove(requestId);
        if (message != null) {
            write(AgentInput.userMessage(message.text(), message.uuid()));
        }
    }

    /**
     * The CLI echoed message {@code uuid}: it has it. Whoever told it hears so from {@code worker}, of
     * {@code attempt}.
     */
    void heard(String uuid, akka.actor.typed.ActorRef<WorkerProtocol.Command> worker, WorkerProtocol.AttemptId attempt) {
        Sent message = unheard.remove(uuid);
        if (message == null) {
            return;
        }
        boolean ownTurn = heardThisTurn == 0;
        heardThisTurn++;
        message.tell().ifPresent(tell -> tell.replyTo().tell(new WorkerProtocol.MessageHeard(worker, attempt,
                tell.messageId(), ownTurn)));
    }

    /** A turn ended with {@code result}. */
    Next resulted(AgentMessage.Result result) {
        turnsUsage = turnsUsage.plus(result.usage());
        last = result;
        heardThisTurn = 0;
        boolean redirected = interrupting;
        interrupting = false;
        if (result.isError() && !redirected) {
            return Next.FAILED;
        }
        if (input.isEmpty()) {
            return Next.SUCCEEDED;
        }
        return unheard.isEmpty() && !result.isError() ? Next.SUCCEEDED : Next.GO_ON;
    }

    /**
     * The last turn's result, with the session's tokens: a result's cost is the session's so far; its tokens are too
     * when it says so, else they are summed over the turns.
     */
    Optional<AgentMessage.Result> result() {
        if (last == null) {
            return Optional.empty();
        }
        AgentMessage.Result r = last;
        Usage usage = r.usageIsTotal() ? r.usage() : turnsUsage;
        return Optional.of(new AgentMessage.Result(r.isError(), r.subtype(), r.text(), r.costUsd(), usage, true,
                r.turns(), r.durationMs(), r.apiErrorStatus(), r.errors(), r.permissionDenials(), r.structuredOutput(),
                r.sessionId()));
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
        input.ifPresent(stdin -> stdin.close(blocking));
    }
}
