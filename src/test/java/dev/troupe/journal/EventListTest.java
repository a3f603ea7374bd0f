package dev.troupe.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/architecture.md lists the journal's events: every name the code has, once, and no other. */
class EventListTest {

    private static final Pattern ROW = Pattern.compile("^\\| `([a-z-]+)` \\|", Pattern.MULTILINE);

    @Test
    void theArchitecturePagesListOfEventsIsTheJsonSubTypesList() throws IOException {
        String page = Files.readString(Path.of("docs/architecture.md"));
        String section = page.substring(page.indexOf("## The journal's events"));
        section = section.substring(0, section.indexOf("\n## ", 1));
        Matcher rows = ROW.matcher(section);
        List<String> documented = rows.results().map(row -> row.group(1)).sorted().toList();

        List<String> coded = Arrays.stream(TeamEvent.class.getAnnotation(JsonSubTypes.class).value())
                .map(JsonSubTypes.Type::name).sorted().toList();

        assertEquals(coded, documented);
    }
}
