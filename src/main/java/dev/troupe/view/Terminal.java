package dev.troupe.view;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** What troupe needs to know of the terminal its status goes to (stderr). */
public final class Terminal {

    private static final int DEFAULT_WIDTH = 100;

    private Terminal() {}

    /**
     * Whether stderr is a terminal that may be drawn on: not when {@code NO_COLOR} is set (to anything but the
     * empty string, per no-color.org) or {@code TERM} is {@code dumb}. On Linux stderr is looked at directly;
     * elsewhere a console on the JVM stands in for it.
     */
    public static boolean live(Map<String, String> env) {
        if (!env.getOrDefault("NO_COLOR", "").isEmpty() || "dumb".equals(env.get("TERM"))) {
            return false;
        }
        Path stderr = Path.of("/proc/self/fd/2");
        if (Files.exists(Path.of("/proc/self/fd"))) {
            try {
                String target = Files.readSymbolicLink(stderr).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            } catch (IOException | UnsupportedOperationException e) {
                return false;
            }
        }
        return System.console() != null;
    }

    /** The terminal's width in columns: {@code COLUMNS}, else what {@code stty} says of it, else 100. */
    public static int width(Map<String, String> env) {
        return parseWidth(env.get("COLUMNS")).or(Terminal::sttyWidth).orElse(DEFAULT_WIDTH);
    }

    /**
     * {@code text} safe to print on a terminal: control characters (an agent's output can hold escape sequences
     * that move the cursor or retitle the window) become {@code ?}, and line breaks and tabs spaces.
     */
    public static String printable(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean control = c < 0x20 || (c >= 0x7f && c <= 0x9f);
            if (control && out == null) {
                out = new StringBuilder(text.length()).append(text, 0, i);
            }
            if (out != null) {
                out.append(!control ? c : c == '\n' || c == '\t' || c == '\r' ? ' ' : '?');
            }
        }
        return out == null ? text : out.toString();
    }

    /** How many columns a terminal gives a code point: none for combining marks, two for wide (East Asian, emoji). */
    public static int columns(int codePoint) {
        int type = Character.getType(codePoint);
        if (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK || type == Character.FORMAT) {
            return 0;
        }
        boolean wide = (codePoint >= 0x1100 && codePoint <= 0x115F) || (codePoint >= 0x2E80 && codePoint <= 0xA4CF)
                || (codePoint >= 0xAC00 && codePoint <= 0xD7A3) || (codePoint >= 0xF900 && codePoint <= 0xFAFF)
                || (codePoint >= 0xFE30 && codePoint <= 0xFE4F) || (codePoint >= 0xFF00 && codePoint <= 0xFF60)
                || (codePoint >= 0xFFE0 && codePoint <= 0xFFE6) || (codePoint >= 0x1F300 && codePoint <= 0x1FAFF)
                || (codePoint >= 0x2600 && codePoint <= 0x27BF) || (codePoint >= 0x20000 && codePoint <= 0x3FFFD);
        return wide ? 2 : 1;
    }

    private static Optional<Integer> sttyWidth() {
        try {
            Process stty = new ProcessBuilder("stty", "size").redirectInput(new File("/dev/tty"))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if (!stty.waitFor(2, TimeUnit.SECONDS)) {
                stty.destroyForcibly();
                return Optional.empty();
            }
            String size = new String(stty.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
            String[] rowsColumns = size.split("\\s+");
            return rowsColumns.length == 2 ? parseWidth(rowsColumns[1]) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static Optional<Integer> parseWidth(String text) {
        try {
            int width = text == null ? 0 : Integer.parseInt(text.strip());
            return width >= 20 ? Optional.of(width) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
