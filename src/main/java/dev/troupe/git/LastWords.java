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

    /** {@code text} on one line and at most {@code max} characters, cut in the middle (a command's end names its target). */
    public static String bounded(String text, int max) {
        String line = text.strip().replaceAll("\\s*\\R\\s*", " | ");
        if (line.length() <= max) {
            return line;
        }
        int head = (max - 5) / 2;
        return line.substring(0, head) + " ... " + line.substring(line.length() - (max - 5 - head));
    }
}
