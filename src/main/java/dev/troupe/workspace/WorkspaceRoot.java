package dev.troupe.workspace;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Where a repository's workspaces live: outside it, by default in its sibling {@code <repo>.troupe/}. Inside the
 * repository (troupe once used {@code .troupe/}) every workspace sat under a dot-folder, which projects object to
 * (Express's file-serving tests refuse any path with a segment that starts with a dot), and the user's own tools
 * walking the checkout found every agent's copy of it. A sibling keeps one repository's workspaces apart from
 * another's without any name to look up, and beside it, where a user finds them. {@code workspace.root: DIR}
 * puts them in {@code DIR/<repo>-<hash of the repository's path>/} instead, so that repositories of one name share
 * no folder there.
 *
 * @param dir the folder of this repository's workspaces
 */
public record WorkspaceRoot(Path dir) {

    /** What the root was called before workspaces moved out of the repository: a run of that time has its there. */
    static final String LEGACY = ".troupe";

    /** The file in {@code .troupe/} that lists the roots a repository's runs used, one a line. */
    static final String REMEMBERED = "workspace-roots";

    /** The root of the repository at {@code top}: in {@code configured} ({@code workspace.root}) or beside it. */
    public static WorkspaceRoot of(Path top, Optional<Path> configured) {
        Path repository = top.toAbsolutePath().normalize();
        Path name = repository.getFileName();
        if (name == null) {
            // The file system's root as a repository has no sibling: its workspaces stay inside it, as they were.
            return configured.map(dir -> new WorkspaceRoot(dir.resolve("root-" + hash(repository))))
                    .orElse(legacy(repository));
        }
        return configured.map(dir -> new WorkspaceRoot(dir.toAbsolutePath().normalize()
                        .resolve(name + "-" + hash(repository))))
                .orElse(new WorkspaceRoot(repository.resolveSibling(name + ".troupe")));
    }

    /** Where runs before this layout kept their workspaces: {@code .troupe/} in the repository. */
    public static WorkspaceRoot legacy(Path top) {
        return new WorkspaceRoot(top.toAbsolutePath().normalize().resolve(LEGACY));
    }

    /**
     * Notes in the repository's {@code .troupe/} that a run uses this root, so that {@code cleanup} and
     * {@code resume} find its workspaces whatever a later goal file says.
     */
    public void remember(Path top) throws IOException {
        Path list = top.resolve(LEGACY).resolve(REMEMBERED);
        synchronized (WorkspaceRoot.class) {
            List<String> known = Files.exists(list) ? Files.readAllLines(list, StandardCharsets.UTF_8) : List.of();
            if (!known.contains(dir.toString())) {
                Files.createDirectories(list.getParent());
                Files.writeString(list, dir + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            }
        }
    }

    /**
     * Every root the repository's runs may have used: those remembered, the default one, and {@code .troupe/},
     * where runs before this layout kept theirs; the folder of a run's worktrees or the kept ones is in one of them.
     */
    public static List<WorkspaceRoot> known(Path top) {
        Set<Path> dirs = new LinkedHashSet<>();
        dirs.add(of(top, Optional.empty()).dir());
        try {
            Path list = top.resolve(LEGACY).resolve(REMEMBERED);
            if (Files.exists(list)) {
                Files.readAllLines(list, StandardCharsets.UTF_8).stream().filter(line -> !line.isBlank())
                        .map(Path::of).filter(Path::isAbsolute).forEach(dirs::add);
            }
        } catch (IOException unreadable) {
            // The default and the old layout are still looked at.
        }
        dirs.add(legacy(top).dir());
        return dirs.stream().map(WorkspaceRoot::new).toList();
    }

    /** The folder of one run's own workspaces, removed at its end. */
    public Path runWorktrees(String runId) {
        return dir.resolve("worktrees").resolve(runId);
    }

    /** The folder of the kept workspaces ({@code workspace.keep}), which outlast runs. */
    public Path kept() {
        return dir.resolve("workspaces");
    }

    private static String hash(Path repository) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(repository.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
