package dev.troupe.team;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * How commands such as {@code troupe stop} reach a live run: files in its run directory's {@code control/} folder,
 * which only the run's user can write to (mode 700). A request is {@code <id>.json}, written whole and then moved
 * into place; the live troupe takes it, acts, and answers with {@code <id>.reply}. Blocking, all of it.
 */
public final class ControlChannel {

    /** A command for the live run. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Request(String id, String command, String task, String message) {}

    /** What the live run made of a request: done (or under way), or refused, and why. */
    public record Reply(boolean accepted, String message) {}

    static final String DIR = "control";

    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    private final Path dir;

    private ControlChannel(Path dir) {
        this.dir = dir;
    }

    /** The live run's side: makes {@code control/} (mode 700) in {@code runDir}. */
    public static ControlChannel open(Path runDir) throws IOException {
        Path dir = runDir.resolve(DIR);
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        return new ControlChannel(dir);
    }

    /** The requests waiting, oldest first, each taken (removed) as it is read; one that cannot be read is refused. */
    List<Request> take() throws IOException {
        List<Path> waiting;
        try (Stream<Path> files = Files.list(dir)) {
            waiting = files.filter(file -> file.getFileName().toString().endsWith(".json")).sorted().toList();
        }
        List<Request> requests = new ArrayList<>();
        for (Path file : waiting) {
            String id = file.getFileName().toString().replaceFirst("\\.json$", "");
            try {
                Request request = JSON.readValue(file.toFile(), Request.class);
                requests.add(new Request(id, request.command() == null ? "" : request.command(), request.task(),
                        request.message()));
            } catch (IOException unreadable) {
                reply(id, new Reply(false, "the request could not be read: " + unreadable.getMessage()));
            }
            Files.deleteIfExists(file);
        }
        return requests;
    }

    void reply(String id, Reply reply) throws IOException {
        write(dir.resolve(id + ".reply"), reply);
    }

    /** The command line's side: puts {@code command} in the run's channel; returns its id, to wait for the reply. */
    public static String send(Path runDir, String command, String task, String message) throws IOException {
        Path dir = runDir.resolve(DIR);
        if (!Files.isDirectory(dir)) {
            throw new IOException("run " + runDir.getFileName() + " takes no commands yet (it is starting, or an older"
                    + " troupe began it)");
        }
        // Named by time first, so that the live run takes requests in the order they came.
        String id = String.format("%019d-%s", System.currentTimeMillis(), UUID.randomUUID());
        write(dir.resolve(id + ".json"), new Request(null, command, task, message));
        return id;
    }

    /** The reply to request {@code id}, once the live run wrote it (removed as it is read); empty after {@code wait}. */
    public static Optional<Reply> awaitReply(Path runDir, String id, Duration wait) throws IOException, InterruptedException {
        Path file = runDir.resolve(DIR).resolve(id + ".reply");
        long deadline = System.nanoTime() + wait.toNanos();
        while (!Files.exists(file)) {
            if (System.nanoTime() > deadline) {
                return Optional.empty();
            }
            Thread.sleep(50);
        }
        Reply reply = JSON.readValue(file.toFile(), Reply.class);
        Files.deleteIfExists(file);
        return Optional.of(reply);
    }

    /** Withdraws a request nobody took (the run ended first), so that a later run of the same id does not act on it. */
    public static void withdraw(Path runDir, String id) throws IOException {
        Files.deleteIfExists(runDir.resolve(DIR).resolve(id + ".json"));
    }

    private static void write(Path file, Object value) throws IOException {
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        JSON.writeValue(partial.toFile(), value);
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
