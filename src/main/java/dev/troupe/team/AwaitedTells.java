package dev.troupe.team;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The {@code troupe tell} requests whose answer waits for a running agent to take their message in: answered with
 * the first word of any worker told it (heard, or why not), or, if none has spoken by then, that it was sent. A
 * message a worker could not deliver is kept for the task's next attempt all the same: it is journaled.
 * Confined to the {@link TeamLead}.
 */
final class AwaitedTells {

    private record Awaited(TeamLead.Control control, String taskId) {}

    private final Map<String, Awaited> awaited = new HashMap<>();

    void await(String messageId, TeamLead.Control control, String taskId) {
        awaited.put(messageId, new Awaited(control, taskId));
    }

    /** The agent on {@code worker} took the message in. */
    void heard(String messageId, String worker, int attempt, boolean ownTurn) {
        answer(messageId, task -> "task '" + task + "': delivered to its agent on " + worker + " (attempt " + attempt
                + "), which took it in " + (ownTurn ? "as a turn of its own" : "during its current turn"));
    }

    /** It did not reach the agent on {@code worker}, for {@code reason}. */
    void notHeard(String messageId, String worker, String reason) {
        answer(messageId, task -> "task '" + task + "': not delivered now (" + reason + "); kept for its next"
                + " attempt, if it has one");
    }

    /** No worker has said anything of it yet. */
    void unanswered(String messageId) {
        answer(messageId, task -> "task '" + task + "': sent to its agent at work, which has not taken it in yet (it"
                + " does at its next step; the journal's message-delivered says when); if its attempt ends first, the"
                + " next one is told");
    }

    private void answer(String messageId, Function<String, String> text) {
        Awaited waiting = awaited.remove(messageId);
        if (waiting != null) {
            waiting.control().desk().tell(new ControlDesk.Answer(waiting.control().request().id(),
                    new ControlChannel.Reply(true, text.apply(waiting.taskId()))));
        }
    }
}
