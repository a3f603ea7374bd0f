package dev.troupe.goal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as goal files write them: a whole number and one of {@code ms}, {@code s}, {@code m}, {@code h}. */
public final class Durations {

    private static final Pattern FORMAT = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h)");

    /** Longer makes no sense for a run, and Akka's timers refuse delays much past 200 days. */
    static final Duration LONGEST = Duration.ofDays(7);

    static final String EXPECTED = "a duration such as 500ms, 30s, 5m or 2h, at most 7 days";

    private Durations() {}

    public static Optional<Duration> parse(String text) {
        Matcher m = FORMAT.matcher(text.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        long amount = Long.parseLong(m.group(1));
        Duration duration = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
        return duration.compareTo(LONGEST) <= 0 ? Optional.of(duration) : Optional.empty();
    }

    /** Short human form: 1.5s, 2m05s, 1h02m. */
    public static String format(Duration d) {
        long millis = d.toMillis();
        if (millis < 10_000) {
            return String.format("%.1fs", millis / 1000.0);
        }
        long seconds = d.toSeconds();
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return String.format("%dm%02ds", seconds / 60, seconds % 60);
        }
        return String.format("%dh%02dm", seconds / 3600, (seconds % 3600) / 60);
    }

    static final class Deserializer extends StdScalarDeserializer<Duration> {

        private static final long serialVersionUID = 1L;

        Deserializer() {
            super(Duration.class);
        }

        @Override
        public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String text = p.getValueAsString();
            if (text == null) {
                text = p.getText();
            }
            String value = text;
            return parse(value).orElseThrow(() -> InvalidFormatException.from(
                    p, "invalid duration '" + value + "': expected " + EXPECTED, value, Duration.class));
        }
    }
}
