package dev.troupe.git;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.troupe.testing.TestRepo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectInserter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HousekeepingTest {

    @TempDir
    Path tmp;

    @Test
    void aGcThatIsDueHasEndedWhenRunReturnsNotGoneOnInTheBackground() throws Exception {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hi\n"));
        repo.git("config", "gc.auto", "1");
        // git guesses how many loose objects there are from the folder objects/17: three there are more than 1.
        Path seventeen = repo.dir().resolve(".git/objects/17");
        try (Git git = Git.open(repo.dir().toFile()); ObjectInserter inserter = git.getRepository().newObjectInserter()) {
            for (int n = 0; !Files.isDirectory(seventeen) || count(seventeen) < 3; n++) {
                inserter.insert(Constants.OBJ_BLOB, ("blob " + n).getBytes(StandardCharsets.UTF_8));
                inserter.flush();
            }
        }

        Housekeeping.run(repo.dir());

        assertFalse(Files.exists(repo.dir().resolve(".git/gc.pid")), "no gc runs on");
        assertTrue(count(repo.dir().resolve(".git/objects/pack")) > 0, "the commit's objects are packed already");
    }

    private static long count(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.count();
        }
    }
}
