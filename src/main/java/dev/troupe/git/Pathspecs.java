package dev.troupe.git;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Globs ({@code fanout.files}, a task's {@code zone}) matched by git itself, as {@code :(glob)} pathspecs, so that
 * they mean what they mean to git: {@code *} stays within a directory, {@code **}{@code /} matches zero or more
 * directories, a directory's path matches everything below it. Blocking; a pattern git refuses (a path outside
 * the repository, which {@link dev.troupe.goal.Zones#problem} keeps out of goals) is a {@link GitException}.
 */
public final class Pathspecs {

    private Pathspecs() {}

    /** The files tracked at {@code commit} that {@code glob} matches, in path order. */
    public static List<String> filesAt(Path repo, String commit, String glob) throws GitException {
        return sorted(changed(repo, emptyTree(repo), commit, List.of(match(glob))));
    }

    /**
     * What the files tracked at {@code commit} that the globs match hold: a line each, with the file's mode, blob id
     * and path ({@code git diff-tree --raw} from the empty tree), so that equal text means equal content.
     */
    public static String contentAt(Path repo, String commit, List<String> globs) throws GitException {
        List<String> args = new ArrayList<>(List.of("diff-tree", "-r", "--raw", "--no-renames", "--no-abbrev",
                emptyTree(repo), commit, "--"));
        globs.forEach(glob -> args.add(match(glob)));
        return GitCli.run(repo, args.toArray(String[]::new));
    }

    /** The paths that differ between {@code from} and {@code to} that no glob of {@code globs} matches, in path order. */
    public static List<String> changedOutside(Path repo, String from, String to, List<String> globs) throws GitException {
        // Only excluding pathspecs: git then starts from every path.
        return sorted(changed(repo, from, to, globs.stream().map(g -> ":(exclude,glob)" + g).toList()));
    }

    private static String match(String glob) {
        return ":(glob)" + glob;
    }

    /** {@code git diff-tree}, plumbing: no rename detection or other user configuration changes what it lists. */
    private static List<String> changed(Path repo, String from, String to, List<String> pathspecs) throws GitException {
        List<String> args = new ArrayList<>(List.of("diff-tree", "-r", "--name-only", "--no-renames", "-z", from, to, "--"));
        args.addAll(pathspecs);
        return Arrays.stream(GitCli.run(repo, args.toArray(String[]::new)).split("\0")).filter(p -> !p.isEmpty()).toList();
    }

    /** The empty tree's id in this repository's hash (SHA-1 or SHA-256); git knows it without storing it. */
    private static String emptyTree(Path repo) throws GitException {
        return GitCli.run(repo, "hash-object", "-t", "tree", "--stdin").strip();
    }

    private static List<String> sorted(List<String> paths) {
        List<String> sorted = new ArrayList<>(paths);
        sorted.sort(null);
        return List.copyOf(sorted);
    }
}
