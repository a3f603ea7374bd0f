package dev.troupe.web;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The run directories of one repository ({@code .troupe/runs/<run>}), the only directories the page reads: a run is
 * found by its id only when the id is a plain name of one of them, so no request can lead elsewhere.
 */
final class RunFolders {

    /** What a run id may look like: a name, never a path. */
    private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final Path runs;

    RunFolders(Path runs) {
        this.runs = runs.toAbsolutePath().normalize();
    }

    Path top() {
        return runs;
    }

    /** The repository whose runs they are ({@code <repo>/.troupe/runs}). */
    Path repository() {
        return runs.getParent().getParent();
    }

    /** Every run, newest first (run ids start with their start time). */
    List<Path> all() throws IOException {
        if (!Files.isDirectory(runs)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(runs)) {
            return dirs.filter(Files::isDirectory).filter(dir -> RUN_ID.matcher(dir.getFileName().toString()).matches())
                    .filter(dir -> Files.exists(dir.resolve("events.jsonl")))
                    .sorted(Comparator.comparing(Path::getFileName).reversed()).toList();
        }
    }

    /** The run called {@code id}, when it is one of them. */
    Optional<Path> run(String id) {
        if (!RUN_ID.matcher(id).matches()) {
            return Optional.empty();
        }
        Path dir = runs.resolve(id).normalize();
        return dir.getParent().equals(runs) && Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
    }
}
