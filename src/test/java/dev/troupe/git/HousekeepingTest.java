package dev.troupe.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
        fillObjectsSeventeen(repo);

        String head = repo.head();
        Path looseHead = repo.dir().resolve(".git/objects/" + head.substring(0, 2) + "/" + head.substring(2));
        assertTrue(Files.exists(looseHead), "the first commit is a loose object");

        Housekeeping.run(repo.dir());

        // prune-packed, gc's last step of these, removed the commit's loose copy once its pack was written.
        assertFalse(Files.exists(looseHead), "gc packed the commit and removed its loose copy before run returned");
        try (Stream<Path> packs = Files.list(repo.dir().resolve(".git/objects/pack"))) {
            assertTrue(packs.anyMatch(file -> file.toString().endsWith(".idx")), "a pack with its index");
        }
    }

    @Test
    void aGcInTheMiddleOfARunLeavesTheTaskBranchesLooseAndTheRunsEndPacksThemThoughNoGcIsDueThen() throws Exception {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hi\n"));
        repo.git("config", "gc.auto", "1");
        fillObjectsSeventeen(repo);
        repo.git("branch", "troupe/tasks/r1/t1");
        Path loose = repo.dir().resolve(".git/refs/heads/troupe/tasks/r1/t1");

        Housekeeping.runMidway(repo.dir());

        try (Stream<Path> packs = Files.list(repo.dir().resolve(".git/objects/pack"))) {
            assertTrue(packs.anyMatch(file -> file.toString().endsWith(".idx")), "gc ran: a pack with its index");
        }
        assertTrue(Files.exists(loose), "the task branch is still a loose ref");
        repo.git("config", "--unset", "gc.auto");
        repo.git("branch", "troupe/tasks/r1/t2");

        Housekeeping.run(repo.dir());

        assertFalse(Files.exists(loose), "packed at the run's end, though git's thresholds call for no gc");
        assertFalse(Files.exists(repo.dir().resolve(".git/refs/heads/troupe/tasks/r1/t2")));
        assertTrue(Files.readString(repo.dir().resolve(".git/packed-refs")).contains("refs/heads/troupe/tasks/r1/t1"));
        assertEquals(repo.head(), repo.git("rev-parse", "troupe/tasks/r1/t1"));
    }

    @Test
    void theRunsEndLeavesTheRefsLooseWhenTheUserToldGitNotToPackThem() throws Exception {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hi\n"));
        repo.git("config", "gc.packRefs", "no");
        repo.git("branch", "troupe/tasks/r1/t1");

        Housekeeping.runMidway(repo.dir());
        Housekeeping.run(repo.dir());

        assertTrue(Files.exists(repo.dir().resolve(".git/refs/heads/troupe/tasks/r1/t1")), "gc.packRefs=no kept");
    }

    @Test
    void aRunWithNoGcInItsMiddleLeavesTheRefsAsTheyAreWhenNoGcIsDue() throws Exception {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hi\n"));
        repo.git("branch", "troupe/tasks/r1/t1");

        Housekeeping.run(repo.dir());

        assertTrue(Files.exists(repo.dir().resolve(".git/refs/heads/troupe/tasks/r1/t1")), "no pack-refs of its own");
    }

    /** Loose objects enough for {@code gc --auto} with {@code gc.auto=1}: git counts those in objects/17. */
    private static void fillObjectsSeventeen(TestRepo repo) throws Exception {
        Path seventeen = repo.dir().resolve(".git/objects/17");
        try (Git git = Git.open(repo.dir().toFile()); ObjectInserter inserter = git.getRepository().newObjectInserter()) {
            for (int n = 0; !Files.isDirectory(seventeen) || count(seventeen) < 3; n++) {
                inserter.insert(Constants.OBJ_BLOB, ("blob " + n + " " + System.nanoTime()).getBytes(StandardCharsets.UTF_8));
                inserter.flush();
            }
        }
    }

    private static long count(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.count();
        }
    }

    @Test
    void anAgentsGitIsToldNoHousekeepingAfterTheSettingsItsEnvironmentGaveAlready() throws Exception {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hi\n"));
        Map<String, String> inherited = Map.of("GIT_CONFIG_COUNT", "1", "GIT_CONFIG_KEY_0", "user.name",
                "GIT_CONFIG_VALUE_0", "Someone Else");
        Map<String, String> env = new java.util.HashMap<>(inherited);
        env.putAll(GitCli.noHousekeepingEnvironment(inherited));

        assertEquals("0", config(repo.dir(), env, "gc.auto"));
        assertEquals("false", config(repo.dir(), env, "maintenance.auto"));
        assertEquals("Someone Else", config(repo.dir(), env, "user.name"), "the user's own setting is kept");
    }

    /** What git, as an agent would run it, takes {@code key} to be. */
    private static String config(Path dir, Map<String, String> env, String key) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("git", "config", "--get", key).directory(dir.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("GIT_CONFIG_"));
        builder.environment().putAll(env);
        Process git = builder.redirectErrorStream(true).start();
        String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, git.waitFor(), out);
        return out;
    }
}
