package dev.troupe.agent;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds values in a line as JSON string escapes decode it (<code>&#92;u0073k</code> is {@code sk}) and masks
 * them where they stand in the line as printed. The whole line is decoded, not only its strings: outside strings
 * valid JSON has no backslash, and a line that is not JSON is shown to people, who can decode it too.
 */
final class JsonEscapes {

    private static final String SHORT_LETTERS = "\"\\/bfnrt";
    private static final String SHORT_CHARS = "\"\\/\b\f\n\r\t";

    private JsonEscapes() {}

    /**
     * The escapes that may spell a character of one of {@code values}: a unicode escape (backslash-u) spells any,
     * a short one (backslash-n, backslash-slash, ...) only its own character.
     */
    static List<String> thatMaySpell(List<String> values) {
        List<String> escapes = new ArrayList<>(List.of("\\u"));
        for (int i = 0; i < SHORT_CHARS.length(); i++) {
            char special = SHORT_CHARS.charAt(i);
            if (values.stream().anyMatch(value -> value.indexOf(special) >= 0)) {
                escapes.add("\\" + SHORT_LETTERS.charAt(i));
            }
        }
        return List.copyOf(escapes);
    }

    /**
     * Whether {@code line} may hold one of {@code escapes}; an escaped backslash before the letter also counts,
     * which costs only a decoding that finds nothing. This runs on every line an agent prints.
     */
    static boolean mayHold(String line, List<String> escapes) {
        // Most lines have no backslash at all, and looking for a character is faster than for a string.
        int first = line.indexOf('\\');
        if (first < 0) {
            return false;
        }
        for (int i = 0; i < escapes.size(); i++) {
            if (line.indexOf(escapes.get(i), first) >= 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code line} with each of {@code values} that its decoded text holds replaced by {@code mask}, together with
     * the escapes that spell it; the same instance when there is none.
     */
    static String mask(String line, List<String> values, String mask) {
        StringBuilder decoded = new StringBuilder(line.length());
        int i = 0;
        // From backslash to backslash, the text between copied whole.
        for (int escape = line.indexOf('\\'); escape >= 0; escape = line.indexOf('\\', i)) {
            int width = escapeWidth(line, escape);
            decoded.append(line, i, escape).append(width == 1 ? '\\' : decode(line, escape));
            i = escape + width;
        }
        decoded.append(line, i, line.length());
        // Where the values stand in the decoded text, as [start, end) pairs; no index of every character is kept,
        // since a line may be tens of megabytes.
        List<int[]> spans = new ArrayList<>();
        for (String value : values) {
            for (int at = decoded.indexOf(value); at >= 0; at = decoded.indexOf(value, at + value.length())) {
                spans.add(new int[] {at, at + value.length()});
            }
        }
        if (spans.isEmpty()) {
            return line;
        }
        spans.sort((a, b) -> Integer.compare(a[0], b[0]));
        StringBuilder out = new StringBuilder(line.length());
        int raw = 0;
        int read = 0;
        int copied = 0;
        for (int s = 0; s < spans.size(); s++) {
            int from = spans.get(s)[0];
            int to = spans.get(s)[1];
            // A value that overlaps the next (one holding another) is masked once, to the end of both.
            while (s + 1 < spans.size() && spans.get(s + 1)[0] < to) {
                to = Math.max(to, spans.get(++s)[1]);
            }
            for (; read < from; read++) {
                raw += escapeWidth(line, raw);
            }
            out.append(line, copied, raw).append(mask);
            for (; read < to; read++) {
                raw += escapeWidth(line, raw);
            }
            copied = raw;
        }
        return out.append(line, copied, line.length()).toString();
    }

    /**
     * How many characters of the line the character at {@code i} takes: 6 for <code>&#92;uXXXX</code>, 2 for
     * <code>&#92;n</code> and the other short escapes, else 1.
     */
    private static int escapeWidth(String line, int i) {
        if (line.charAt(i) != '\\' || i + 1 >= line.length()) {
            return 1;
        }
        char letter = line.charAt(i + 1);
        if (letter == 'u') {
            return i + 6 <= line.length() && hex(line, i + 2) >= 0 ? 6 : 1;
        }
        return SHORT_LETTERS.indexOf(letter) >= 0 ? 2 : 1;
    }

    private static char decode(String line, int i) {
        char letter = line.charAt(i + 1);
        return letter == 'u' ? (char) hex(line, i + 2) : SHORT_CHARS.charAt(SHORT_LETTERS.indexOf(letter));
    }

    /** The four hex digits at {@code from} as a number, or -1 when they are not (ASCII digits only, as in JSON). */
    private static int hex(String line, int from) {
        int value = 0;
        for (int i = from; i < from + 4; i++) {
            char c = line.charAt(i);
            int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (digit < 0) {
                return -1;
            }
            value = value * 16 + digit;
        }
        return value;
    }
}
