package dev.troupe.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * What the user said in a Messages API request the Claude Code CLI sent, as the CLI 2.1.328 was seen to put it there:
 * the prompt is the first user message; a message written to stdin while no turn runs is a later user message of its
 * own (or joins the user message after an interrupt); one written while a turn runs is a {@code role:"system"} text
 * block after the next tool result, several in one block, each between {@link #INJECTED} and {@link #INJECTED_END}.
 */
final class Conversation {

    /** How the CLI opens a message the user sent mid-turn (a newline, in 2.1.328, before the message). */
    static final String INJECTED = "The user sent a new message while you were working:";
    /** What the CLI puts after such a message. */
    static final String INJECTED_END = "\n\nThis is how Claude Code surfaces messages the user sends mid-turn";
    /** Text blocks of user messages that the CLI wrote, not the user. */
    private static final List<String> NOT_THE_USERS = List.of("<system-reminder>", "[Request interrupted by user");

    /** One thing the user said, and the index in {@code messages} of the message it came in. */
    record Said(int message, String text) {}

    private Conversation() {
    }

    /** Everything the user said after the prompt, in order. */
    static List<Said> heard(JsonNode body) {
        List<Said> heard = new ArrayList<>();
        JsonNode messages = body.path("messages");
        boolean promptSeen = false;
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            String role = message.path("role").asText();
            if ("user".equals(role)) {
                if (promptSeen) {
                    int index = i;
                    userTexts(message.path("content")).forEach(text -> heard.add(new Said(index, text)));
                }
                promptSeen = true;
            } else if ("system".equals(role)) {
                for (String text : texts(message.path("content"))) {
                    for (String injected : injected(text)) {
                        heard.add(new Said(i, injected));
                    }
                }
            }
        }
        return heard;
    }

    /** What the user said after the last assistant message: what the model has not answered yet. */
    static List<Said> unanswered(JsonNode body) {
        int lastReply = lastIndexOf(body, "assistant");
        return heard(body).stream().filter(said -> said.message() > lastReply).toList();
    }

    static int lastIndexOf(JsonNode body, String role) {
        JsonNode messages = body.path("messages");
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (role.equals(messages.get(i).path("role").asText())) {
                return i;
            }
        }
        return -1;
    }

    /** The user's own text blocks of a user message: not its tool results, nor what the CLI added. */
    private static List<String> userTexts(JsonNode content) {
        return texts(content).stream().filter(text -> NOT_THE_USERS.stream().noneMatch(text::startsWith)).toList();
    }

    private static List<String> texts(JsonNode content) {
        if (content.isTextual()) {
            return List.of(content.asText());
        }
        List<String> texts = new ArrayList<>();
        for (JsonNode block : content) {
            if ("text".equals(block.path("type").asText())) {
                texts.add(block.path("text").asText());
            }
        }
        return texts;
    }

    /** The messages a system block carries, each cut from its opening to the CLI's trailer (or the next opening). */
    static List<String> injected(String text) {
        List<String> messages = new ArrayList<>();
        int at = text.indexOf(INJECTED);
        while (at >= 0) {
            int start = at + INJECTED.length();
            if (start < text.length() && (text.charAt(start) == '\n' || text.charAt(start) == ' ')) {
                start++;
            }
            int next = text.indexOf(INJECTED, start);
            int end = text.indexOf(INJECTED_END, start);
            if (end < 0 || (next >= 0 && next < end)) {
                end = next >= 0 ? next : text.length();
            }
            messages.add(text.substring(start, end));
            at = next;
        }
        return messages;
    }
}
