package dev.troupe.git;

import java.util.List;

/**
 * What a command (git, a workspace's setup, the check) said last, for a failure's reason: the reason leads with
 * it, since the end of a failing command's output is where it says what went wrong, and it stays short enough for
 * a line of the console, the journal and a retry's prompt.
 */
public final class LastWords {

    /** How long a line of last words may be; longer ones keep their end. */
    public static final int MAX = 300;

    private LastWords() {}

    /**
     * The last {@code lines} non-blank lines of {@code output}, stripped and joined with {@code " | "}, at most
     * {@link #MAX} characters (cut at the front: the end says most); empty when it printed nothing.
     */
    public static String of(String output, int lines) {
        List<String> said = output.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
        String last = String.join(" | ", said.subList(Math.max(0, said.size() - lines), said.size()));
        return last.length() > MAX ? "..." + last.substring(last.length() - MAX + 3) : last;
    }

    /**
     * What a failed test run said went wrong: the first and the last of the lines near its end that speak of a
     * failure, an error or an assertion ("1 failing | AssertionError: ..."), stack frames left out; otherwise its
     * last {@code 2} lines that are no stack frames. A test runner ends on a stack trace more often than not.
     */
    public static String ofFailure(String output) {
        List<String> lines = output.lines().map(String::strip).filter(line -> !line.isEmpty())
                .filter(line -> !STACK_FRAME.matcher(line).lookingAt()).toList();
        List<String> telling = lines.stream().filter(line -> TELLING.matcher(line).find()).toList();
        if (telling.isEmpty()) {
            return of(String.join("\n", lines), 2);
        }
        String first = telling.get(0);
        String last = telling.get(telling.size() - 1);
        return of(first.equals(last) ? first : first + "\n" + last, 2);
    }

    /** A line of a stack trace: Java's, JavaScript's ({@code at f (file:1:2)}), Python's. */
    private static final java.util.regex.Pattern STACK_FRAME =
            java.util.regex.Pattern.compile("at \\S|File \"|\\.\\.\\. \\d+ more");

    private static final java.util.regex.Pattern TELLING =
            java.util.regex.Pattern.compile("fail|error|assert|exception", java.util.regex.Pattern.CASE_INSENSITIVE);

    /** The first line of {@code text} (a failure's message, which leads with what went wrong), {@link #bounded}. */
    public static String firstLine(String text, int max) {
        return bounded(text.strip().lines().findFirst().orElse(""), max);
    }

    /**
     * {@code text} on one line and at most {@code max} characters, cut in the middle (a command's end names its
     * target).
     */
    public static String bounded(String text, int max) {
        String line = text.strip().replaceAll("\\s*\\R\\s*", " | ");
        if (line.length() <= max) {
            return line;
        }
        int head = (max - 5) / 2;
        return line.substring(0, head) + " ... " + line.substring(line.length() - (max - 5 - head));
    }
}
