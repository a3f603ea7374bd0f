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
            if (!Files.exists(listed)) {
                continue; // gone since, or bound in another mount namespace
            }
            Path socket = listed.toRealPath(); // bwrap mounts on a path whose folders are no links
            boolean hidden = socket.startsWith("/tmp") && shownUnderTmp.stream().noneMatch(socket::startsWith);
            if (!hidden && !socket.startsWith("/dev") && !socket.startsWith(ownReal) && !visible.contains(socket)) {
                visible.add(socket);
            }
        }
        return visible;
    }

    /** Each path-bound socket once, in the order listed. */
    static Set<Path> listed() throws IOException {
        Set<Path> sockets = new LinkedHashSet<>();
        List<String> lines = Files.readAllLines(LISTED, StandardCharsets.UTF_8);
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] columns = line.strip().split("\\s+", COLUMNS_BEFORE_PATH + 1);
            if (columns.length > COLUMNS_BEFORE_PATH && columns[COLUMNS_BEFORE_PATH].startsWith("/")) {
                sockets.add(Path.of(columns[COLUMNS_BEFORE_PATH]));
            }
        }
        return sockets;
    }
}
