package dev.troupe.goal;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The checks of single values that several sections of a goal file share (the agent's and each task's): a list
 * without empty entries, a known permission mode, an enumerated value as written. Each throws its problem at the
 * value's place in the file.
 */
final class ValueChecks {

    private final GoalPlaces places;
    private final UnknownValues unknownValues;

    /** @param unknownValues the values of enumerated keys that name none of their values */
    ValueChecks(GoalPlaces places, UnknownValues unknownValues) {
        this.places = places;
        this.unknownValues = unknownValues;
    }

    /** Refuses a null or blank entry of {@code list} ({@code name}, at {@code pointer}) at that entry. */
    void refuseEmptyEntries(List<String> list, String pointer, String name) throws GoalException {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) == null || list.get(i).isBlank()) {
                throw places.problem(pointer + "/" + i, name + " has an empty entry");
            }
        }
    }

    void checkPermissionMode(String mode, String pointer) throws GoalException {
        if (!GoalLoader.PERMISSION_MODES.contains(mode)) {
            throw places.problem(pointer, "unknown permission mode '" + mode + "'; expected one of: "
                    + GoalLoader.PERMISSION_MODES.stream().sorted().collect(Collectors.joining(", ")));
        }
    }

    /**
     * The value Jackson bound at {@code pointer}, null when the file leaves the key out; one that names none of
     * {@code type}'s values is refused as "{@code unknown} 'value'; expected a or b".
     */
    <E extends Enum<E>> E given(E bound, String pointer, String unknown, Class<E> type) throws GoalException {
        Optional<String> written = unknownValues.at(pointer);
        if (written.isPresent()) {
            throw places.problem(pointer, unknown + " '" + written.get() + "'; expected " + UnknownValues.choices(type));
        }
        return bound;
    }
}
