package dev.troupe.goal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.typesafe.config.Config;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads a goal file (YAML, or JSON for {@code .json} files); {@link GoalChecks} then fills in the defaults from
 * configuration and checks the values. Every problem is a {@link GoalException} naming the file and, where there
 * is one, the line and column; the reading goes on past unknown keys, but a syntax error or a value of the wrong
 * type stops it.
 */
public final class GoalLoader {

    /** The id troupe's planner runs under, in the journal and in agent files: no task may have it. */
    public static final String RESERVED_ID = "(planner)";

    static final Set<String> PERMISSION_MODES =
            Set.of("default", "acceptEdits", "plan", "dontAsk", "auto", "bypassPermissions");

    private final Config defaults;

    /** @param config the application configuration; goal defaults are read from {@code troupe.defaults}. */
    public GoalLoader(Config config) {
        this.defaults = config.getConfig("troupe.defaults");
    }

    public Goal load(Path file) throws GoalException {
        return load(file, file.toAbsolutePath().getParent());
    }

    /**
     * Loads {@code file} with its relative paths ({@code repo}, a relative agent command) resolved against
     * {@code relativeTo}: for the copy of a goal in a run directory, the original file's directory.
     */
    public Goal load(Path file, Path relativeTo) throws GoalException {
        return read(file, relativeTo).goalOrThrow();
    }

    /** The goal, or every problem of the file and what the run's checks can be made against all the same. */
    public GoalReading read(Path file) {
        Path relativeTo = file.toAbsolutePath().getParent();
        try {
            return read(file, relativeTo);
        } catch (GoalException e) {
            return GoalReading.unreadable(e);
        }
    }

    private GoalReading read(Path file, Path relativeTo) throws GoalException {
        String text = readText(file);
        if (text.isBlank()) {
            throw new GoalException(file, "the goal file is empty");
        }
        ObjectMapper mapper = mapperFor(file);
        Map<String, JsonLocation> locations = locate(file, mapper.getFactory(), text);
        List<GoalException> unknownKeys = new ArrayList<>();
        UnknownValues unknownValues = new UnknownValues();
        RawGoal raw = bind(file, mapper, text, locations, unknownKeys, unknownValues);
        if (raw == null) {
            throw new GoalException(file, "the goal file holds no settings");
        }
        return new GoalChecks(defaults, file, relativeTo, raw, locations, unknownKeys, unknownValues).read();
    }

    /**
     * The file bound to a {@link RawGoal}, each unknown key noted in {@code unknownKeys} and read past, each
     * unknown value of an enumerated key in {@code unknownValues}. A file has fewer unknown keys than places, so
     * reading once more for each ends.
     */
    private static RawGoal bind(Path file, ObjectMapper mapper, String text, Map<String, JsonLocation> locations,
            List<GoalException> unknownKeys, UnknownValues unknownValues) throws GoalException {
        UnknownKeys reported = new UnknownKeys();
        while (true) {
            try {
                return mapper.readerFor(RawGoal.class).withHandler(reported.reset())
                        .withHandler(unknownValues.reset()).readValue(text);
            } catch (UnrecognizedPropertyException e) {
                unknownKeys.add(bindingError(file, e, locations));
                if (unknownKeys.size() > locations.size()) {
                    throw GoalException.of(unknownKeys);
                }
                reported.letThrough(e);
            } catch (JsonProcessingException e) {
                unknownKeys.add(bindingError(file, e, locations));
                throw GoalException.of(unknownKeys);
            }
        }
    }

    private static String readText(Path file) throws GoalException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new GoalException(file, "no such goal file");
        } catch (MalformedInputException e) {
            throw new GoalException(file, "the goal file is not UTF-8 text");
        } catch (IOException e) {
            throw new GoalException(file, "cannot read the goal file: " + e.getMessage());
        }
    }

    /** The mapper for a goal file: JSON for {@code .json}, YAML otherwise. */
    static ObjectMapper mapperFor(Path file) {
        boolean json = file.getFileName().toString().toLowerCase().endsWith(".json");
        ObjectMapper mapper = json ? JsonMapper.builder().build() : YAMLMapper.builder().build();
        return mapper.setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    }

    /**
     * Where each key and value of the file starts, by JSON pointer ("/tasks/2/after/0"), so that checks made
     * after binding can still point at the line. Also the place where a syntax error is reported.
     */
    private static Map<String, JsonLocation> locate(Path file, JsonFactory factory, String text) throws GoalException {
        Map<String, JsonLocation> locations = new HashMap<>();
        try (JsonParser parser = factory.createParser(text)) {
            parser.disable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
                    continue;
                }
                JsonStreamContext context = parser.getParsingContext();
                boolean opens = token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY;
                String pointer = (opens ? context.getParent() : context).pathAsPointer().toString();
                if (token == JsonToken.FIELD_NAME && locations.containsKey(pointer)) {
                    // Checked here rather than by the parser, which reports the place after the key.
                    throw new GoalException(file, parser.currentTokenLocation(),
                            "duplicate key '" + parser.currentName() + "'");
                }
                locations.putIfAbsent(pointer, parser.currentTokenLocation());
            }
        } catch (JsonProcessingException e) {
            throw new GoalException(file, e.getLocation(), "not valid " + syntaxName(file) + ": " + parserProblem(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new GoalException(file, "cannot read the goal file: " + e.getMessage());
        }
        return locations;
    }

    /**
     * The parser's own words without its excerpts of the file: SnakeYAML gives the context ("while parsing a
     * flow sequence") and the problem ("expected ',' or ']', but got :") on separate lines among indented ones.
     */
    static String parserProblem(String message) {
        if (message == null) {
            return "unreadable";
        }
        String words = message.lines()
                .filter(line -> !line.isBlank() && !Character.isWhitespace(line.charAt(0)))
                .map(String::strip)
                .collect(Collectors.joining(": "));
        return words.isEmpty() ? firstLine(message) : words;
    }

    static String syntaxName(Path file) {
        return file.getFileName().toString().toLowerCase().endsWith(".json") ? "JSON" : "YAML";
    }

    /**
     * A value of the wrong type or an unknown key. Jackson reports where it stopped reading (for an unknown key,
     * after its whole value), so the place is taken from the key's own location when there is one.
     */
    private static GoalException bindingError(Path file, JsonProcessingException e, Map<String, JsonLocation> locations) {
        String where = e instanceof JsonMappingException mapping ? keyPath(mapping.getPath()) : "";
        JsonLocation location = e instanceof JsonMappingException mapping
                ? locations.getOrDefault(pointer(mapping.getPath()), e.getLocation())
                : e.getLocation();
        String problem;
        if (e instanceof UnrecognizedPropertyException unknown) {
            String parent = where.contains(".") ? where.substring(0, where.lastIndexOf('.')) : "";
            problem = "unknown key '" + unknown.getPropertyName() + "'" + (parent.isEmpty() ? "" : " in " + parent)
                    + "; expected one of: " + known(unknown.getKnownPropertyIds());
        } else if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            problem = (where.isEmpty() ? "" : where + ": ") + "expected " + expected(mismatch);
        } else {
            problem = (where.isEmpty() ? "" : where + ": ") + firstLine(e.getOriginalMessage());
        }
        return new GoalException(file, location, problem);
    }

    private static String pointer(List<JsonMappingException.Reference> path) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference ref : path) {
            out.append('/').append(ref.getFieldName() != null ? ref.getFieldName() : Integer.toString(ref.getIndex()));
        }
        return out.toString();
    }

    private static String expected(MismatchedInputException e) {
        Class<?> type = e.getTargetType();
        if (type == Duration.class) {
            return Durations.EXPECTED;
        }
        if (type == Integer.class || type == int.class) {
            return "a whole number";
        }
        if (type == BigDecimal.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "text";
        }
        if (type.isEnum()) {
            return UnknownValues.choices(type);
        }
        if (Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        return "a mapping of keys to values";
    }

    private static String keyPath(List<JsonMappingException.Reference> path) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference ref : path) {
            if (ref.getFieldName() != null) {
                out.append(out.isEmpty() ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                out.append('[').append(ref.getIndex()).append(']');
            }
        }
        return out.toString();
    }

    private static String known(Collection<Object> ids) {
        return ids.stream().map(String::valueOf).sorted().collect(Collectors.joining(", "));
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
