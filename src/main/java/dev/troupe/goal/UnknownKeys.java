package dev.troupe.goal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The unknown keys of a goal file already reported, let through so that the next reading goes past them. Each
 * reading stops at the first key not yet let through, which Jackson reports with its whole path; counting the keys
 * by where they belong and their name (rather than where they stand) is needed because Jackson hands a record's
 * unknown keys over only after the record is read, from a copy that no longer knows its place in the file. A file
 * read the same way meets its keys in the same order, so the n-th {@code colour} of a task is the same key each time.
 */
final class UnknownKeys extends DeserializationProblemHandler {

    private final Map<List<Object>, Integer> letThrough = new HashMap<>();
    private final Map<List<Object>, Integer> seen = new HashMap<>();

    /** Lets the key {@code reported} through from the next reading on. */
    void letThrough(UnrecognizedPropertyException reported) {
        letThrough.merge(key(reported.getReferringClass(), reported.getPropertyName()), 1, Integer::sum);
    }

    /** Starts a reading of the file from its beginning. */
    UnknownKeys reset() {
        seen.clear();
        return this;
    }

    @Override
    public boolean handleUnknownProperty(DeserializationContext context, JsonParser parser,
            JsonDeserializer<?> deserializer, Object beanOrClass, String propertyName) throws IOException {
        Class<?> owner = beanOrClass instanceof Class<?> type ? type : beanOrClass.getClass();
        List<Object> key = key(owner, propertyName);
        int occurrence = seen.merge(key, 1, Integer::sum);
        if (occurrence > letThrough.getOrDefault(key, 0)) {
            // Not reported yet: Jackson throws an UnrecognizedPropertyException that names its path.
            return false;
        }
        parser.skipChildren();
        return true;
    }

    private static List<Object> key(Class<?> owner, String propertyName) {
        return List.of(owner, propertyName);
    }
}
