package dev.troupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.troupe.testing.FakeAgent;
import dev.troupe.testing.TestRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code troupe results} on fan-out tasks whose ids make the same slug ({@code a/b.js} and {@code a-b.js}): each
 * shows its own files, as the run named them, never the other's.
 */
class ResultsCommandTest {

    @TempDir
    Path tmp;

    private Path fanout(TestRepo repo, String limits) throws IOException {
        Path file = tmp.resolve("goal.yaml");
        Files.writeString(file, "repo: " + repo.dir() + "\nteam: {size: 2, stagger: 0ms}\n"
                + "agent:\n  command: " + FakeAgent.yamlCommand() + "\n  isolate-config: true\n" + limits
                + "fanout:\n  files: \"**/*.js\"\n  canary: 1\n"
                + "  prompt: |\n    exit-if {file}.broken 3\n    write {file}.done migrated\n");
        return file;
    }

    private static Invocation results(TestRepo repo, String task) {
        return Invocation.troupe("results", "-C", repo.dir().toString(), "--task", task, "--tail", "5");
    }

    @Test
    void fanoutTasksWhoseIdsMakeTheSameSlugEachShowTheirOwnResultAndOutput() throws IOException {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("a/b.js", "1\n", "a-b.js", "2\n"));

        Invocation run = Invocation.troupe("run", fanout(repo, "").toString(), "--quiet");

        assertEquals(0, run.exitCode(), run.err());
        Invocation nested = results(repo, "a/b.js");
        Invocation flat = results(repo, "a-b.js");
        assertEquals(0, nested.exitCode(), nested.err());
        assertEquals(0, flat.exitCode(), flat.err());
        assertTrue(nested.out().startsWith("# a/b.js\n"), nested.out());
        assertTrue(nested.out().contains("- a/b.js.done") && nested.out().contains("/a/b.js.done\""), nested.out());
        assertFalse(nested.out().contains("a-b.js.done"), "not the other task's result or output: " + nested.out());
        assertTrue(flat.out().startsWith("# a-b.js\n"), flat.out());
        assertTrue(flat.out().contains("- a-b.js.done") && flat.out().contains("/a-b.js.done\""), flat.out());
        assertFalse(flat.out().contains("a/b.js.done"), "not the other task's result or output: " + flat.out());
    }

    @Test
    void aFanoutTaskThatNeverRanShowsNoOutputNotThatOfTheTaskWhoseSlugItsIdMakes() throws IOException {
        // a-b.js is the canary (it sorts first) and took the slug a-b-js; a/b.js is skipped when it fails.
        TestRepo repo = TestRepo.create(tmp.resolve("repo"),
                Map.of("a/b.js", "1\n", "a-b.js", "2\n", "a-b.js.broken", "!\n"));

        Invocation run = Invocation.troupe("run", fanout(repo, "limits: {attempts: 1}\n").toString(), "--quiet");

        assertEquals(1, run.exitCode(), run.err());
        Invocation skipped = results(repo, "a/b.js");
        assertEquals(0, skipped.exitCode(), skipped.err());
        assertTrue(skipped.out().startsWith("# a/b.js\n\nskipped"), skipped.out());
        assertTrue(skipped.out().contains("(no agent output yet)"), skipped.out());
        assertFalse(skipped.out().contains("[system/init]"), "not the canary's output: " + skipped.out());
    }
}
