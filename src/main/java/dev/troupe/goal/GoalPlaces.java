package dev.troupe.goal;

import com.fasterxml.jackson.core.JsonLocation;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where each key and value of a goal file was written, by JSON pointer ({@code /tasks/2/zone/0}), so that a
 * problem found after loading (a repository that does not exist, a glob that matches nothing) points at its line.
 */
public final class GoalPlaces {

    private final Path file;
    private final Map<String, JsonLocation> locations;

    GoalPlaces(Path file, Map<String, JsonLocation> locations) {
        this.file = file;
        this.locations = Map.copyOf(locations);
    }

    /** For a goal not read from a file's text: every problem points at the file alone. */
    public static GoalPlaces none(Path file) {
        return new GoalPlaces(file, Map.of());
    }

    /** The problem at {@code pointer}'s key; at the file alone when the file does not have that key (a default). */
    public GoalException problem(String pointer, String problem) {
        return new GoalException(file, locations.get(pointer), problem);
    }

    /** Whether the file sets the key at {@code pointer}, rather than leaving it to the default. */
    public boolean has(String pointer) {
        return locations.containsKey(pointer);
    }
}
