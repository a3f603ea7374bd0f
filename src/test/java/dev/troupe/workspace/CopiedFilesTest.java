package dev.troupe.workspace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.troupe.git.GitException;
import dev.troupe.testing.TestRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which files of the user's checkout a workspace gets a copy of, matched by git itself in a real repository. */
class CopiedFilesTest {

    @TempDir
    Path tmp;

    private TestRepo project() throws IOException {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of(
                "README.md", "hello\n",
                ".gitignore", ".env\nconfig/*.key\nnode_modules/\n*.log\n",
                "config/app.yaml", "tracked: true\n"));
        repo.write(".env", "TOKEN=1\n");
        repo.write("config/master.key", "secret\n");
        repo.write("config/notes.txt", "untracked, not ignored\n");
        repo.write("node_modules/left-pad/index.js", "module.exports = 1;\n");
        repo.write("build.log", "noise\n");
        repo.write(".troupe/runs/x/events.jsonl", "{}\n");
        return repo;
    }

    @Test
    void copyGlobsMatchUntrackedAndIgnoredFilesButNeverTrackedOnesOrTroupesOwn() throws IOException, GitException {
        TestRepo repo = project();

        List<String> copied = CopiedFiles.list(repo.dir(), List.of(".env", "config/*", ".troupe/**"));

        assertEquals(List.of(".env", "config/master.key", "config/notes.txt"), copied,
                "config/app.yaml is tracked: the commit brings it; .troupe/ is troupe's own");
    }

    @Test
    void worktreeIncludeCopiesOnlyWhatGitIgnoresAsClaudeCodeDoes() throws IOException, GitException {
        TestRepo repo = project();
        repo.write(CopiedFiles.WORKTREE_INCLUDE, "# Claude Code's convention\n.env\nconfig/\n");

        List<String> copied = CopiedFiles.list(repo.dir(), List.of());

        assertEquals(List.of(".env", "config/master.key"), copied,
                "config/notes.txt matches but is not ignored; node_modules/ and build.log are ignored but not listed");
    }

    @Test
    void bothSourcesTogetherAndNothingWithoutEither() throws IOException, GitException {
        TestRepo repo = project();
        assertEquals(List.of(), CopiedFiles.list(repo.dir(), List.of()));

        repo.write(CopiedFiles.WORKTREE_INCLUDE, "*.log\n");
        assertEquals(List.of(".env", "build.log"), CopiedFiles.list(repo.dir(), List.of(".env")));
    }

    @Test
    void copyingOverwritesWhatAnEarlierTaskLeftButLeavesFilesTheBaseTracks() throws IOException, GitException {
        TestRepo repo = project();
        Path workspace = tmp.resolve("workspace");
        repo.git("worktree", "add", "--detach", workspace.toString(), "HEAD");
        Files.writeString(workspace.resolve(".env"), "TOKEN=changed by an agent\n");
        repo.write("config/app.yaml", "changed in the user's checkout, not committed\n");
        List<String> paths = List.of(".env", "config/app.yaml");

        Set<String> tracked = CopiedFiles.tracked(workspace, paths);
        CopiedFiles.copy(repo.dir(), workspace, paths, tracked);

        assertEquals(Set.of("config/app.yaml"), tracked);
        assertEquals("TOKEN=1\n", Files.readString(workspace.resolve(".env")));
        assertEquals("tracked: true\n", Files.readString(workspace.resolve("config/app.yaml")),
                "a tracked file comes from the task's base, never from the user's uncommitted edit");
    }
}
