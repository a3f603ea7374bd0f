package dev.troupe.git;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.troupe.testing.TestRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Globs mean what they mean to git's {@code :(glob)} pathspecs, asked of git in a real repository. */
class PathspecsTest {

    @TempDir
    Path tmp;

    private TestRepo repo() {
        return TestRepo.create(tmp.resolve("repo"), Map.of("src/a.js", "a\n", "src/x/y/b.js", "b\n", "src/a.ts", "t\n",
                "lib/c.js", "c\n", "README.md", "r\n", "docs/x.md", "x\n"));
    }

    @Test
    void doubleStarSlashMatchesZeroOrMoreDirectories() throws GitException {
        TestRepo repo = repo();

        assertEquals(List.of("src/a.js", "src/x/y/b.js"), Pathspecs.filesAt(repo.dir(), repo.head(), "src/**/*.js"));
        assertEquals(List.of("lib/c.js", "src/a.js", "src/x/y/b.js"), Pathspecs.filesAt(repo.dir(), repo.head(), "**/*.js"));
    }

    @Test
    void aStarStaysWithinOneDirectoryAsInGit() throws GitException {
        TestRepo repo = repo();

        assertEquals(List.of("README.md"), Pathspecs.filesAt(repo.dir(), repo.head(), "*.md"));
        assertEquals(List.of("src/a.js", "src/a.ts"), Pathspecs.filesAt(repo.dir(), repo.head(), "src/*"));
    }

    @Test
    void theFilesAreThoseOfTheCommitNotOfTheWorkingTree() throws GitException, IOException {
        TestRepo repo = repo();
        String base = repo.head();
        repo.write("src/new.js", "n\n");
        repo.git("add", "src/new.js");
        Files.delete(repo.dir().resolve("src/a.js"));

        assertEquals(List.of("src/a.js", "src/x/y/b.js"), Pathspecs.filesAt(repo.dir(), base, "src/**/*.js"));
    }

    @Test
    void changedFilesAreJudgedAgainstAZoneAtTopLevelAndNested() throws GitException, IOException {
        TestRepo repo = repo();
        String base = repo.head();
        for (String file : List.of("src/a.js", "src/x/y/b.js", "src/a.ts", "lib/c.js", "README.md", "docs/x.md")) {
            repo.write(file, "changed\n");
        }
        repo.git("commit", "--quiet", "-am", "change");
        String head = repo.head();

        assertEquals(List.of("README.md", "docs/x.md", "lib/c.js"),
                Pathspecs.changedOutside(repo.dir(), base, head, List.of("src/**")));
        assertEquals(List.of("README.md", "docs/x.md", "lib/c.js", "src/a.ts"),
                Pathspecs.changedOutside(repo.dir(), base, head, List.of("src/**/*.js")));
        assertEquals(List.of("docs/x.md", "lib/c.js", "src/a.ts"),
                Pathspecs.changedOutside(repo.dir(), base, head, List.of("src/**/*.js", "*.md")),
                "a top-level *.md does not hold docs/x.md");
    }

    @Test
    void aDeletedOrAddedFileCountsAsChanged() throws GitException, IOException {
        TestRepo repo = repo();
        String base = repo.head();
        repo.git("rm", "--quiet", "lib/c.js");
        repo.write("src/new.js", "n\n");
        repo.git("add", "src/new.js");
        repo.git("commit", "--quiet", "-m", "move");

        assertEquals(List.of("lib/c.js"), Pathspecs.changedOutside(repo.dir(), base, repo.head(), List.of("src/**")));
    }
}
