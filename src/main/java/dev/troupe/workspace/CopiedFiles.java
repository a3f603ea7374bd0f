package dev.troupe.workspace;

import dev.troupe.git.GitCli;
import dev.troupe.git.GitException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The files of the user's checkout that every workspace gets a copy of although git does not hold them: what
 * {@code workspace.copy} names (untracked or ignored files, by git's glob pathspecs, as for zones) and what
 * Claude Code's own {@code .worktreeinclude} lists (gitignore syntax; only files git ignores, as Claude Code
 * does). Git itself matches the patterns. Regular files only; never {@code .troupe/}.
 */
final class CopiedFiles {

    /** Claude Code's file of patterns at the repository's root. */
    static final String WORKTREE_INCLUDE = ".worktreeinclude";

    private static final String NOT_TROUPE = ":(exclude,top).troupe/";

    private CopiedFiles() {}

    /** Blocking: the paths, relative to the checkout {@code top}, sorted. */
    static List<String> list(Path top, List<String> globs) throws GitException {
        Set<String> paths = new TreeSet<>();
        if (!globs.isEmpty()) {
            List<String> args = new ArrayList<>(List.of("ls-files", "-z", "--others", "--"));
            globs.forEach(glob -> args.add(":(glob)" + glob));
            args.add(NOT_TROUPE);
            paths.addAll(split(GitCli.run(top, args.toArray(String[]::new))));
        }
        if (Files.isRegularFile(top.resolve(WORKTREE_INCLUDE))) {
            List<String> matched = split(GitCli.run(top, "ls-files", "-z", "--others", "--ignored",
                    "--exclude-from=" + top.resolve(WORKTREE_INCLUDE), "--", ".", NOT_TROUPE));
            paths.addAll(ignored(top, matched));
        }
        paths.removeIf(path -> !Files.isRegularFile(top.resolve(path), LinkOption.NOFOLLOW_LINKS));
        return List.copyOf(paths);
    }

    /** Those of {@code paths} that the checkout's own ignore rules ignore; asked a thousand at a time (ARG_MAX). */
    private static List<String> ignored(Path top, List<String> paths) throws GitException {
        List<String> ignored = new ArrayList<>();
        for (int from = 0; from < paths.size(); from += 1000) {
            List<String> args = new ArrayList<>(List.of("check-ignore", "--no-index", "--"));
            args.addAll(paths.subList(from, Math.min(paths.size(), from + 1000)));
            try {
                GitCli.run(top, args.toArray(String[]::new)).lines().filter(line -> !line.isBlank()).forEach(ignored::add);
            } catch (GitException e) {
                if (e.exitCode() != 1) {
                    throw e;
                }
                // check-ignore exits 1 when none of the paths is ignored.
            }
        }
        return ignored;
    }

    /**
     * Blocking: copies {@code paths} from {@code top} into {@code workspace}, over what an earlier task left there,
     * except those the workspace tracks at its base ({@code tracked}), which come from the commit.
     */
    static void copy(Path top, Path workspace, List<String> paths, Set<String> tracked) throws IOException {
        for (String path : paths) {
            if (tracked.contains(path)) {
                continue;
            }
            Path target = workspace.resolve(path);
            Files.createDirectories(target.getParent());
            Files.copy(top.resolve(path), target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES,
                    LinkOption.NOFOLLOW_LINKS);
        }
    }

    /** Blocking: those of {@code paths} that the workspace's index holds (tracked at its base), asked a thousand at a time. */
    static Set<String> tracked(Path workspace, List<String> paths) throws GitException {
        Set<String> tracked = new TreeSet<>();
        for (int from = 0; from < paths.size(); from += 1000) {
            List<String> args = new ArrayList<>(List.of("ls-files", "-z", "--cached", "--"));
            paths.subList(from, Math.min(paths.size(), from + 1000)).forEach(path -> args.add(":(literal)" + path));
            tracked.addAll(split(GitCli.run(workspace, args.toArray(String[]::new))));
        }
        return tracked;
    }

    static List<String> split(String nulSeparated) {
        return Arrays.stream(nulSeparated.split("\0")).filter(path -> !path.isEmpty()).toList();
    }
}
