package dev.troupe.testing;

import java.nio.file.Path;
import java.util.List;

/** The test agent: a real executable (bash) that speaks Claude Code's stream-json; see its header for directives. */
public final class FakeAgent {

    public static final Path SCRIPT = Path.of("src/test/resources/agents/fake-agent.sh").toAbsolutePath();

    private FakeAgent() {}

    /** {@code agent.command} for a goal file. */
    public static List<String> command() {
        return List.of("bash", SCRIPT.toString());
    }

    /** The same as YAML flow list. */
    public static String yamlCommand() {
        return "[bash, \"" + SCRIPT + "\"]";
    }
}
