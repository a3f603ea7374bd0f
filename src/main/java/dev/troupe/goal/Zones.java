package dev.troupe.goal;

import java.util.List;
import java.util.Optional;

/**
 * A task's zone: glob patterns of the files it owns ({@code auth/**}), matched as git matches a {@code :(glob)}
 * pathspec. Two tasks whose zones may overlap are never run at once. Whether two globs can match a common path is
 * decided conservatively, by their literal starts: {@code src/ui/**} and {@code src/**} overlap, {@code ui/**} and
 * {@code api/**} do not. That holds for git's rules: every path a glob matches, {@code src/a.js} for
 * {@code src/**}{@code /*.js} and {@code src/ui/x} for the directory {@code src/ui} too, begins with its literal start.
 */
public final class Zones {

    private Zones() {}

    /** Whether some file could be in both zones. An empty zone claims nothing. */
    public static boolean overlap(List<String> a, List<String> b) {
        for (String x : a) {
            for (String y : b) {
                String px = literalStart(x);
                String py = literalStart(y);
                if (px.startsWith(py) || py.startsWith(px)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Why {@code glob} cannot be a zone or {@code fanout.files}, if it cannot: it is absolute or holds {@code ..} (globs
     * are paths from the repository's top, and git refuses one that leaves it), or git would match it to nothing (an
     * unclosed {@code [}, a trailing {@code \\}). What it matches is for git to say ({@link dev.troupe.git.Pathspecs});
     * this spares a user a silent empty match, and a worker a git command that fails.
     */
    public static Optional<String> problem(String glob) {
        if (glob.startsWith("/")) {
            return Optional.of("it is absolute; write it from the repository's top, without the leading /");
        }
        if (List.of(glob.split("/")).contains("..")) {
            return Optional.of("it climbs with '..'; write it from the repository's top");
        }
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '\\') {
                if (++i == glob.length()) {
                    return Optional.of("it ends in a lone \\, which escapes nothing");
                }
            } else if (c == '[' && !closes(glob, i)) {
                return Optional.of("the '[' at " + (i + 1) + " is never closed by a ']'");
            }
        }
        return Optional.empty();
    }

    /** Whether the bracket expression opened at {@code open} ends; a ']' first in it is one of its characters. */
    private static boolean closes(String glob, int open) {
        int i = open + 1;
        if (i < glob.length() && (glob.charAt(i) == '!' || glob.charAt(i) == '^')) {
            i++;
        }
        if (i < glob.length() && glob.charAt(i) == ']') {
            i++;
        }
        return glob.indexOf(']', i) >= 0;
    }

    private static String literalStart(String glob) {
        for (int i = 0; i < glob.length(); i++) {
            if ("*?[{\\".indexOf(glob.charAt(i)) >= 0) {
                return glob.substring(0, i);
            }
        }
        return glob;
    }
}
