package dev.troupe.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.troupe.testing.TestRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an agent left is committed as {@code git add -A && git commit} would. */
class CommitsTest {

    @TempDir
    Path tmp;

    @Test
    void everyKindOfChangeIsCommittedAndTheTreeIsLeftClean() throws IOException, GitException {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hi\n", "gone.txt", "x\n",
                "foo", "a file that becomes a directory\n", "keep/k.txt", "k\n", ".gitignore", "*.log\n"));
        Path dir = repo.dir();
        Files.delete(dir.resolve("gone.txt"));
        Files.delete(dir.resolve("foo"));
        Files.createDirectories(dir.resolve("foo/sub"));
        Files.writeString(dir.resolve("foo/bar"), "bar\n");
        Files.writeString(dir.resolve("foo/sub/baz"), "baz\n");
        Files.createDirectories(dir.resolve("new/deep"));
        Files.writeString(dir.resolve("new/deep/n [1] *.txt"), "odd name\n");
        Files.writeString(dir.resolve("keep/k.txt"), "changed\n");
        Files.writeString(dir.resolve("run.sh"), "exec true\n");
        Files.setPosixFilePermissions(dir.resolve("run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(dir.resolve("debug.log"), "ignored\n");
        repo.git("add", "README.md");

        Commits.commitAll(dir, "the agent's work");

        // (TestRepo.show strips the last newline.)
        assertEquals(Map.of(".gitignore", "*.log", "README.md", "hi", "foo/bar", "bar", "foo/sub/baz", "baz",
                "keep/k.txt", "changed", "new/deep/n [1] *.txt", "odd name", "run.sh", "exec true"),
                repo.tree("HEAD"));
        assertTrue(repo.git("ls-tree", "HEAD", "run.sh").startsWith("100755"), "the executable bit is kept");
        assertEquals("", repo.status(), "nothing left behind (debug.log is ignored, as git add -A leaves it)");
    }

    @Test
    void leftOutPathsAreNeverCommittedAndNothingElseMeansNoCommit() throws IOException, GitException {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hi\n"));
        Path dir = repo.dir();
        String base = repo.git("rev-parse", "HEAD").strip();
        Files.writeString(dir.resolve(".env"), "copied\n");
        Files.createDirectories(dir.resolve("build/out"));
        Files.writeString(dir.resolve("build/out/a.o"), "made by setup\n");

        assertEquals(java.util.Optional.empty(), Commits.commitIfChanged(dir, "nothing of the project's",
                java.util.List.of(".env", "build/")));
        assertEquals(base, repo.git("rev-parse", "HEAD").strip());

        Files.writeString(dir.resolve("README.md"), "changed\n");
        Commits.commitAll(dir, "the agent's work\n", java.util.List.of(".env", "build/"));

        assertEquals(Map.of("README.md", "changed"), repo.tree("HEAD"));
        assertEquals("the agent's work", repo.git("log", "-1", "--format=%s").strip());
    }
}
