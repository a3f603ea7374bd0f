package dev.troupe.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The Unix sockets bound in this machine's file system, as {@code /proc/net/unix} lists them: what a sandbox with a
 * confined network masks, since a socket on a read-only mount can still be connected to. Abstract sockets
 * ({@code @name}) belong to a network namespace, so the sandbox's own has none of the machine's.
 */
final class HostSockets {

    private static final Path LISTED = Path.of("/proc/net/unix");
    /** The columns before a socket's path: Num RefCount Protocol Flags Type St Inode. */
    private static final int COLUMNS_BEFORE_PATH = 7;

    private HostSockets() {}

    /**
     * The machine's socket files that a sandbox would show: existing ones, not under /dev (the sandbox has its own)
     * nor {@code own} (the bridges' folder), and under /tmp (the sandbox's own, empty) only inside a folder it is
     * shown.
     */
    static List<Path> visibleIn(List<Path> shown, Path own) throws IOException {
        List<Path> shownUnderTmp = new ArrayList<>();
        for (Path path : shown) {
            if (Files.exists(path) && path.toRealPath().startsWith("/tmp")) {
                shownUnderTmp.add(path.toRealPath());
            }
        }
        Path ownReal = own.toRealPath();
        List<Path> visible = new ArrayList<>();
        for (Path listed : listed()) {
            // Each on its own: a path gone since, bound in another mount namespace, or no longer a socket (a folder
            // made in its place) is skipped, since nothing there reaches the socket listed, and bwrap could not mask it.
            try {
                Path socket = listed.toRealPath(); // bwrap mounts on a path whose folders are no links
                boolean hidden = socket.startsWith("/tmp") && shownUnderTmp.stream().noneMatch(socket::startsWith);
                if (!hidden && !socket.startsWith("/dev") && !socket.startsWith(ownReal) && isSocket(socket)
                        && !visible.contains(socket)) {
                    visible.add(socket);
                }
            } catch (IOException | RuntimeException gone) {
                // Not there, or not a path this JVM can name.
            }
        }
        return visible;
    }

    private static boolean isSocket(Path path) throws IOException {
        int mode = (Integer) Files.getAttribute(path, "unix:mode");
        return (mode & FILE_TYPE) == SOCKET;
    }

    private static final int FILE_TYPE = 0170000;
    private static final int SOCKET = 0140000;

    /** Each path-bound socket once, in the order listed; a line of another shape, or a path no path can be, left out. */
    static Set<Path> listed() throws IOException {
        Set<Path> sockets = new LinkedHashSet<>();
        // Paths are bytes: read leniently, so that one name in another encoding costs only itself.
        String text = new String(Files.readAllBytes(LISTED), StandardCharsets.UTF_8);
        List<String> lines = text.lines().toList();
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] columns = line.stripLeading().split(" +", COLUMNS_BEFORE_PATH + 1);
            if (columns.length > COLUMNS_BEFORE_PATH && columns[0].matches("[0-9A-Fa-f]+:")
                    && columns[COLUMNS_BEFORE_PATH].startsWith("/")) {
                try {
                    sockets.add(Path.of(columns[COLUMNS_BEFORE_PATH]));
                } catch (java.nio.file.InvalidPathException unnamed) {
                    // Left out: this JVM cannot name it, so it cannot mask it either.
                }
            }
        }
        return sockets;
    }
}
