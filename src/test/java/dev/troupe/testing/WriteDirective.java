package dev.troupe.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code write PATH "TEXT"} in something the user said: write TEXT to PATH, relative to the agent's working
 * directory. TEXT is in double quotes; inside them {@code \"}, {@code \\}, {@code \n} and {@code \t} stand for a quote,
 * a backslash, a newline and a tab, and a newline may stand as it is. A directive is carried out once an assistant
 * message after the one that said it calls Write with that file and text; until then it is pending.
 */
record WriteDirective(String path, String text) {

    private static final Pattern WRITE = Pattern.compile("\\bwrite\\s+(\\S+)\\s+\"((?:[^\"\\\\]|\\\\.)*)\"", Pattern.DOTALL);

    static List<WriteDirective> in(String said) {
        List<WriteDirective> directives = new ArrayList<>();
        Matcher m = WRITE.matcher(said);
        while (m.find()) {
            directives.add(new WriteDirective(m.group(1), unescape(m.group(2))));
        }
        return directives;
    }

    /** The first directive the user gave after the prompt that no later assistant message has carried out. */
    static Optional<WriteDirective> firstPending(MessagesApiStandIn.Request request) {
        JsonNode body = request.body();
        for (Conversation.Said said : Conversation.heard(body)) {
            for (WriteDirective directive : in(said.text())) {
                if (!writtenAfter(body, said.message(), directive.file(request), directive.text())) {
                    return Optional.of(directive);
                }
            }
        }
        return Optional.empty();
    }

    /** The file to write: PATH in the working directory the request names. */
    String file(MessagesApiStandIn.Request request) {
        return request.workingDirectory() + "/" + path;
    }

    private static boolean writtenAfter(JsonNode body, int message, String file, String text) {
        JsonNode messages = body.path("messages");
        for (int i = message + 1; i < messages.size(); i++) {
            if (!"assistant".equals(messages.get(i).path("role").asText())) {
                continue;
            }
            for (JsonNode block : messages.get(i).path("content")) {
                JsonNode input = block.path("input");
                if ("tool_use".equals(block.path("type").asText()) && "Write".equals(block.path("name").asText())
                        && file.equals(input.path("file_path").asText()) && text.equals(input.path("content").asText())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String unescape(String quoted) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < quoted.length(); i++) {
            char c = quoted.charAt(i);
            if (c != '\\' || i + 1 == quoted.length()) {
                text.append(c);
                continue;
            }
            char escaped = quoted.charAt(++i);
            text.append(switch (escaped) {
                case 'n' -> '\n';
                case 't' -> '\t';
                default -> escaped;
            });
        }
        return text.toString();
    }
}
