package dev.troupe.agent;

import dev.troupe.agent.DemoInbox.End;
import dev.troupe.agent.DemoInbox.Input;
import dev.troupe.agent.DemoInbox.Interrupt;
import dev.troupe.agent.DemoInbox.Said;
import dev.troupe.agent.DemoInbox.Unreadable;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * The demo agent driven through stdin ({@code --input-format stream-json}), as Claude Code is: the first user message
 * is the task's prompt; a message that comes while a turn runs is taken in at its next step and carried out in that
 * turn; one that comes between turns is a turn of its own; an interrupt ends the turn under way with an
 * {@code aborted_tools} error result. It exits when stdin ends (0, after the turn under way) or at a line that is not
 * JSON (1, at once). Each message taken in is echoed with {@code --replay-user-messages} and saved to the session.
 */
final class DemoConversation implements DemoAgent.Steering {

    /** A turn's work, which an interrupt may cut short. */
    private interface Turn {
        void run() throws Aborted, IOException, InterruptedException;
    }

    private final DemoInbox inbox;
    private final DemoStream stream;
    private final boolean echo;
    private final DemoSessions sessions;
    private final String sessionId;
    private final List<String> said;
    /** Messages heard in a turn that was interrupted before it took them in: each is a turn of its own next. */
    private final Deque<Said> pending = new ArrayDeque<>();
    private boolean ended;

    /**
     * @param echo whether each message taken in is echoed ({@code --replay-user-messages})
     * @param before the prompts of the session it resumes, to which it adds what it is told here
     */
    DemoConversation(DemoInbox inbox, DemoStream stream, boolean echo, DemoSessions sessions, String sessionId,
            List<String> before) {
        this.inbox = inbox;
        this.stream = stream;
        this.echo = echo;
        this.sessions = sessions;
        this.sessionId = sessionId;
        this.said = new ArrayList<>(before);
    }

    /** The whole conversation: the task's turn, then a turn for each later message, until stdin ends. */
    void run(DemoAgent agent) throws IOException, InterruptedException {
        Said prompt = nextMessage().orElseThrow(() -> new DemoAgent.Exit(1,
                "Error: no user message on stdin (--input-format stream-json): nothing to do"));
        String taskFile = agent.taskFile(prompt.text());
        turn(agent, prompt, () -> agent.task(prompt.text()));
        for (Optional<Said> next = nextMessage(); next.isPresent(); next = nextMessage()) {
            String message = next.get().text();
            turn(agent, next.get(), () -> agent.follow(message, taskFile));
        }
    }

    private void turn(DemoAgent agent, Said message, Turn work) throws IOException, InterruptedException {
        long started = System.currentTimeMillis();
        agent.begin();
        takeIn(message);
        try {
            work.run();
        } catch (Aborted interrupted) {
            var result = stream.result(true, "error_during_execution", "", 1, started, "aborted_tools");
            result.remove("result");
            stream.finish(result, 20 + message.text().length() / 4, 0);
        }
    }

    /** Between turns: the next message, answering interrupts meanwhile; empty once stdin has ended. */
    private Optional<Said> nextMessage() throws InterruptedException {
        if (!pending.isEmpty()) {
            return Optional.of(pending.removeFirst());
        }
        while (!ended) {
            Input input = inbox.take();
            if (input instanceof Said message) {
                return Optional.of(message);
            }
            hear(input);
        }
        return Optional.empty();
    }

    /**
     * In a turn: waits {@code millis}, then takes in the messages that came meanwhile. An interrupt ends the wait at
     * once; the messages heard before it are left for turns of their own.
     */
    @Override
    public List<String> await(long millis) throws Aborted, IOException, InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        List<Said> heard = new ArrayList<>();
        for (long left = millis * 1_000_000; left > 0; left = deadline - System.nanoTime()) {
            if (ended) {
                Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
                break;
            }
            Optional<Input> input = inbox.poll(left);
            if (input.isEmpty()) {
                break;
            }
            if (input.get() instanceof Said message) {
                heard.add(message);
            } else if (input.get() instanceof Interrupt) {
                heard.forEach(pending::addLast);
                hear(input.get());
                throw new Aborted();
            } else {
                hear(input.get());
            }
        }
        List<String> texts = new ArrayList<>();
        for (Said message : heard) {
            takeIn(message);
            texts.add(message.text());
        }
        return texts;
    }

    /** Anything but a message: an interrupt is answered, the end of stdin noted, an unreadable line is fatal. */
    private void hear(Input input) {
        if (input instanceof Interrupt interrupt) {
            stream.controlResponse(interrupt.requestId());
        } else if (input instanceof End) {
            ended = true;
        } else if (input instanceof Unreadable unreadable) {
            throw new DemoAgent.Exit(1, "Error parsing streaming input line: " + unreadable.why() + ": "
                    + unreadable.line());
        }
    }

    private void takeIn(Said message) throws IOException {
        if (echo) {
            stream.echo(message.text(), message.uuid());
        }
        said.add(message.text());
        sessions.save(sessionId, said);
    }
}
