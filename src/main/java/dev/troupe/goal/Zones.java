package dev.troupe.goal;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;

/**
 * A task's zone: glob patterns of the files it owns ({@code auth/**}). Two tasks whose zones may overlap are
 * never run at once. Whether two globs can match a common path is decided conservatively, by their literal
 * starts: {@code src/ui/**} and {@code src/**} overlap, {@code ui/**} and {@code api/**} do not.
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

    /** The files of {@code changed} that no glob of {@code zone} matches. */
    public static List<String> outside(List<String> zone, List<String> changed) {
        List<PathMatcher> matchers = zone.stream().map(Zones::matcher).toList();
        return changed.stream()
                .filter(file -> matchers.stream().noneMatch(m -> m.matches(Path.of(file))))
                .toList();
    }

    /** @throws IllegalArgumentException when the glob is not valid */
    public static PathMatcher matcher(String glob) {
        return FileSystems.getDefault().getPathMatcher("glob:" + glob);
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
