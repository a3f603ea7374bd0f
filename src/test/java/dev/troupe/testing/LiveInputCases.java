package dev.troupe.testing;

import static dev.troupe.testing.MessagesApiStandIn.bash;
import static dev.troupe.testing.MessagesApiStandIn.obeying;
import static dev.troupe.testing.MessagesApiStandIn.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.testing.TranscriptCases.Case;
import dev.troupe.testing.TranscriptCases.Input;
import dev.troupe.testing.TranscriptCases.Ready;
import dev.troupe.testing.TranscriptCases.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The recorded cases of a CLI driven through its stdin, as troupe drives Claude Code: the prompt is the first user
 * message, more messages and an interrupt come while it works or after a result, and stdin closes after the last
 * result. The stand-in obeys what a message says ({@link MessagesApiStandIn#obeying}).
 */
final class LiveInputCases {

    private LiveInputCases() {
    }

    static final List<String> ARGS = List.of("--output-format", "stream-json", "--verbose", "--input-format", "stream-json",
            "--replay-user-messages", "--permission-mode", "acceptEdits", "--allowedTools", "Bash,Write");
    /** A message with what a line of JSON has to escape: quotes, backslashes, a tab, newlines, and beyond ASCII. */
    static final String QUOTES_AND_NEWLINES = "Keep these as they are: \"double\", 'single', \\ and a tab\there.\n"
            + "write quoted.txt \"She said \\\"hi\\\",\nthen left \u2014 \u00fcn\u00efc\u00f6d\u00e9\"\n";

    private static final Ready AT_ONCE = (lines, requests) -> true;
    private static final Ready FIRST_TOOL_CALL = (lines, requests) -> toolCalls(lines) >= 1;
    private static final Ready BASH_RUNNING = (lines, requests) -> TranscriptCases.has(lines, "system", "task_started");

    private static Ready results(int n) {
        return (lines, requests) -> lines.stream().filter(l -> "result".equals(l.path("type").asText())).count() >= n;
    }

    private static long toolCalls(List<JsonNode> lines) {
        return lines.stream().filter(LiveInputCases::callsATool).count();
    }

    private static boolean callsATool(JsonNode line) {
        if (!"assistant".equals(line.path("type").asText())) {
            return false;
        }
        for (JsonNode block : line.path("message").path("content")) {
            if ("tool_use".equals(block.path("type").asText())) {
                return true;
            }
        }
        return false;
    }

    /** The first tool call is a Bash running {@code command}; then the stand-in says {@code then}. */
    private static MessagesApiStandIn.Script bashThen(String command, String then) {
        return obeying(request -> request.turn() == 0 ? bash(command) : text(then));
    }

    private static Case live(String name, String prompt, String api, MessagesApiStandIn.Script script, Step... after) {
        List<Step> steps = new ArrayList<>();
        steps.add(new Step("at once", AT_ONCE, say(name, 0, prompt)));
        steps.addAll(List.of(after));
        return new Case(name, prompt, ARGS, Map.of(), api, script, Optional.empty(), List.copyOf(steps));
    }

    /** The {@code n}th message of a case, under an id fixed per case so that re-recordings compare. */
    private static Input.Say say(String name, int n, String text) {
        return new Input.Say(text, TranscriptCases.fixedUuid("troupe transcript " + name + " message " + n));
    }

    private static Step close(int results) {
        return new Step("once result " + results + " is out", results(results), new Input.Close());
    }

    static List<Case> all() {
        String duringTool = "live-message-during-tool";
        String afterResult = "live-message-after-result";
        String interrupt = "live-interrupt";
        String quoted = "live-message-with-quotes-and-newlines";
        return List.of(
                live(duringTool, "sleep 3", "Bash: sleep 3; obeys the message (Write extra.txt); then text",
                        bashThen("sleep 3", "Done."),
                        new Step("once the first tool call is out", FIRST_TOOL_CALL,
                                say(duringTool, 1, "write extra.txt \"also\"")),
                        close(1)),
                live(afterResult, "say hello", "text; obeys the second message (Write extra.txt); then text",
                        obeying(request -> text(request.turn() == 0 ? "Hello." : "Done.")),
                        new Step("once result 1 is out", results(1), say(afterResult, 1, "write extra.txt \"after\"")),
                        close(2)),
                live(interrupt, "sleep", "Bash: " + TranscriptCases.LONG_COMMAND
                                + "; obeys the message after the interrupt (Write redirected.txt); then text",
                        bashThen(TranscriptCases.LONG_COMMAND, "Done."),
                        new Step("once system/task_started says the Bash command runs", BASH_RUNNING,
                                new Input.Interrupt("interrupt-1")),
                        new Step("once result 1 is out", results(1),
                                say(interrupt, 1, "write redirected.txt \"instead\"")),
                        close(2)),
                live(quoted, "sleep 3", "Bash: sleep 3; obeys the message (Write quoted.txt); then text",
                        bashThen("sleep 3", "Done."),
                        new Step("once the first tool call is out", FIRST_TOOL_CALL, say(quoted, 1, QUOTES_AND_NEWLINES)),
                        close(1)));
    }
}
