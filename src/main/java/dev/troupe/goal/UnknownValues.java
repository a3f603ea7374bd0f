package dev.troupe.goal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The values of a goal file's enumerated keys ({@code retry}, {@code sync.merge}, {@code sync.zone-policy}, {@code judge}) that
 * name none of the enum's values, noted by where they stand and bound as absent. Jackson would stop the reading at
 * the first; noted, they are reported by {@link GoalChecks} with the section's other problems, each with the values
 * allowed. A value that differs from an allowed one only by the blanks around it is that one.
 */
final class UnknownValues extends DeserializationProblemHandler {

    /** Writes an enum as its {@code @JsonValue}, the form a goal file and {@code application.conf} give it in. */
    private static final ObjectMapper WRITTEN = JsonMapper.builder().build();

    private final Map<String, String> byPointer = new HashMap<>();

    /** Starts a reading of the file from its beginning. */
    UnknownValues reset() {
        byPointer.clear();
        return this;
    }

    /** The unknown value the file gives at {@code pointer}, stripped. */
    Optional<String> at(String pointer) {
        return Optional.ofNullable(byPointer.get(pointer));
    }

    /** The values {@code type} allows, as a goal file writes them: "resume or fresh". */
    static String choices(Class<?> type) {
        List<String> written = Arrays.stream(type.getEnumConstants()).map(UnknownValues::written).toList();
        int last = written.size() - 1;
        return last == 0 ? written.get(0)
                : String.join(", ", written.subList(0, last)) + " or " + written.get(last);
    }

    /** {@code text} bound to {@code type} as a goal file's value is; an unknown one is an IllegalArgumentException. */
    static <E extends Enum<E>> E bind(String text, Class<E> type) {
        return WRITTEN.convertValue(text.strip(), type);
    }

    @Override
    public Object handleWeirdStringValue(DeserializationContext context, Class<?> targetType, String value,
            String failureMsg) {
        if (!targetType.isEnum()) {
            return NOT_HANDLED;
        }
        String stripped = value.strip();
        for (Object constant : targetType.getEnumConstants()) {
            if (written(constant).equals(stripped)) {
                return constant;
            }
        }
        return noted(context.getParser(), stripped);
    }

    @Override
    public Object handleWeirdNumberValue(DeserializationContext context, Class<?> targetType, Number value,
            String failureMsg) {
        return targetType.isEnum() ? noted(context.getParser(), String.valueOf(value)) : NOT_HANDLED;
    }

    /** Another scalar (true, 1.5) where a word is expected: unknown as a word would be, not a value of the wrong type. */
    @Override
    public Object handleUnexpectedToken(DeserializationContext context, JavaType targetType, JsonToken token,
            JsonParser parser, String failureMsg) throws IOException {
        if (!targetType.isEnumType() || token == null || !token.isScalarValue() || token == JsonToken.VALUE_NULL) {
            return NOT_HANDLED;
        }
        return noted(parser, parser.getText().strip());
    }

    private Object noted(JsonParser parser, String value) {
        byPointer.put(parser.getParsingContext().pathAsPointer().toString(), value);
        return null;
    }

    private static String written(Object constant) {
        return WRITTEN.convertValue(constant, String.class);
    }
}
