package dev.troupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.testing.FakeAgent;
import dev.troupe.testing.Journals;
import dev.troupe.testing.TestRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The workspace of {@code sync.check}, whose setup is on the path of every merge: built first, then only reset. */
class CheckWorkspaceTest {

    @TempDir
    Path tmp;

    @Test
    void theChecksWorkspaceIsReadyBeforeTheSecondWorkersAndMergesOnlyResetIt() throws IOException {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "a project\n", ".gitignore", "deps/\n"));
        Path goal = tmp.resolve("goal.yaml");
        Files.writeString(goal, "goal: test\nrepo: " + repo.dir() + "\n"
                + "team: {size: 2, stagger: 0ms}\nsync: {check: test -d deps}\n"
                + "agent:\n  command: " + FakeAgent.yamlCommand() + "\n  isolate-config: true\n"
                + "workspace:\n  setup: mkdir -p deps\n"
                + "tasks:\n"
                + "  - id: a\n    prompt: write a.txt 1\n"
                + "  - id: b\n    prompt: write b.txt 2\n"
                + "  - id: c\n    prompt: write c.txt 3\n");

        Invocation run = Invocation.troupe("run", goal.toString());

        assertEquals(0, run.exitCode(), run.err());
        String branch = repo.branches("troupe/*").stream()
                .filter(b -> !b.startsWith("troupe/tasks/") && !b.startsWith("troupe/failed/")).findFirst().orElseThrow();
        assertEquals(List.of("a", "b", "c"), repo.mergedTasks(branch).stream().sorted().toList());
        List<JsonNode> events = Journals.read(repo.dir().resolve(".troupe/runs/" + branch.substring("troupe/".length())
                + "/events.jsonl"));
        List<String> setups = events.stream()
                .filter(e -> e.path("type").asText().startsWith("setup-"))
                .map(e -> e.path("type").asText().substring("setup-".length()) + " " + e.path("workspace").asText())
                .toList();
        int checkReady = setups.indexOf("done check");
        assertTrue(checkReady >= 0, "the check's workspace was set up: " + setups);
        assertTrue(checkReady < setups.indexOf("started worker-1") && checkReady < setups.indexOf("started worker-2"),
                "the check's setup ends before either worker's begins: " + setups);
        assertEquals(1, setups.stream().filter(s -> s.equals("started check")).count(),
                "three merges reset the check's workspace, none sets it up again: " + setups);
    }

    @Test
    void aFailedChecksReasonLeadsWithWhatItSaidLastAndNamesItsWholeOutput() throws IOException {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "a project\n"));
        Path goal = tmp.resolve("goal.yaml");
        Files.writeString(goal, "goal: test\nrepo: " + repo.dir() + "\n"
                + "team: {size: 1, stagger: 0ms}\n"
                + "sync: {check: \"test ! -f bad.txt || { echo 1 passing; echo bad.txt is not allowed >&2; exit 3; }\"}\n"
                + "agent:\n  command: " + FakeAgent.yamlCommand() + "\n  isolate-config: true\n"
                + "limits: {attempts: 1}\n"
                + "tasks:\n  - id: bad\n    prompt: write bad.txt 1\n");

        Invocation run = Invocation.troupe("run", goal.toString());

        assertEquals(1, run.exitCode(), run.err());
        String branch = repo.branches("troupe/*").stream()
                .filter(b -> !b.startsWith("troupe/tasks/") && !b.startsWith("troupe/failed/")).findFirst().orElseThrow();
        Path runDir = repo.dir().resolve(".troupe/runs/" + branch.substring("troupe/".length()));
        String reason = Journals.ofType(Journals.read(runDir.resolve("events.jsonl")), "attempt-failed").get(0)
                .path("reason").asText();
        String first = reason.lines().findFirst().orElseThrow();
        assertTrue(first.startsWith("the check failed on the merged result: 1 passing | bad.txt is not allowed (`test ! -f"),
                "what it said last leads: " + reason);
        assertTrue(first.contains("` exited with 3 after "), first);
        assertTrue(first.contains("; the whole output is in " + runDir.resolve("checks")), first);
        Path log = Path.of(first.substring(first.indexOf("the whole output is in ") + 23, first.length() - 1));
        assertEquals("1 passing\nbad.txt is not allowed\n", Files.readString(log));
    }
}
