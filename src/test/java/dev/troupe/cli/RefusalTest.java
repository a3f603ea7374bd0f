package dev.troupe.cli;

import static dev.troupe.cli.Invocation.troupe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.troupe.testing.FakeAgent;
import dev.troupe.testing.TestRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input is refused before anything starts: one line naming the problem, exit code 2, no stack trace, and
 * nothing created in (or changed of) the user's repository.
 */
class RefusalTest {

    @TempDir
    Path tmp;

    private Path goal(Path repo, String extra) throws IOException {
        Path file = tmp.resolve("goal.yaml");
        Files.writeString(file, "repo: " + repo + "\nagent:\n  command: " + FakeAgent.yamlCommand() + "\n" + extra
                + "tasks:\n  - id: one\n    prompt: write one.txt 1\n");
        return file;
    }

    private static void assertRefused(Invocation result, String expected) {
        assertEquals(ExitCodes.BAD_INPUT, result.exitCode(), result.err());
        assertTrue(result.err().contains(expected), "expected '" + expected + "' in: " + result.err());
        assertFalse(result.err().contains("Exception") || result.err().contains("\tat "), "no stack trace: " + result.err());
    }

    private static void assertUntouched(TestRepo repo, String headBefore) {
        assertFalse(Files.exists(repo.dir().resolve(".troupe")), ".troupe/ must not be created");
        assertEquals(List.of(), repo.branches("troupe/**"), "no branch may be created");
        assertEquals(headBefore, repo.head());
    }

    @Test
    void aDirectoryThatIsNotAGitRepositoryIsRefused() throws IOException {
        Path plain = Files.createDirectories(tmp.resolve("plain"));

        Invocation result = troupe("run", goal(plain, "").toString());

        assertRefused(result, plain + " is not a git repository");
        try (var files = Files.list(plain)) {
            assertEquals(0, files.count(), "nothing created");
        }
    }

    @Test
    void workspacesInsideTheRepositoryAreRefused() throws IOException {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("README.md", "hi\n"));
        String head = repo.head();

        Invocation result = troupe("run", goal(repo.dir(), "workspace: {root: " + repo.dir().resolve("work") + "}\n")
                .toString());

        assertRefused(result, "workspace.root puts the workspaces inside the repository");
        assertUntouched(repo, head);
        assertFalse(Files.exists(repo.workspaces()), "nor is a folder made beside it");
    }

    @Test
    void aMissingRepositoryIsRefused() throws IOException {
        Invocation result = troupe("run", goal(tmp.resolve("nowhere"), "").toString());

        assertRefused(result, "does not exist");
    }

    @Test
    void aBaseBranchThatDoesNotExistIsRefused() throws IOException {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("a.txt", "a\n"));
        String head = repo.head();

        Invocation result = troupe("run", goal(repo.dir(), "base: nope\n").toString());

        assertRefused(result, "base branch 'nope' does not exist");
        assertUntouched(repo, head);
    }

    @Test
    void anAgentCommandThatIsNotInstalledIsRefused() throws IOException {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("a.txt", "a\n"));
        String head = repo.head();
        Path file = tmp.resolve("goal.yaml");
        Files.writeString(file, "repo: " + repo.dir() + "\nagent:\n  command: [no-such-agent-xyz]\n"
                + "tasks:\n  - id: one\n    prompt: do it\n");

        Invocation result = troupe("run", file.toString());

        assertRefused(result, "agent command 'no-such-agent-xyz' not found");
        assertUntouched(repo, head);
    }

    @Test
    void uncommittedChangesToTrackedFilesAreRefusedAndLeftAlone() throws IOException {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("a.txt", "a\n"));
        String head = repo.head();
        repo.write("a.txt", "work in progress\n");

        Invocation result = troupe("run", goal(repo.dir(), "").toString());

        assertRefused(result, "has uncommitted changes (a.txt)");
        assertTrue(result.err().contains("--allow-dirty"), result.err());
        assertUntouched(repo, head);
        assertEquals("work in progress\n", Files.readString(repo.dir().resolve("a.txt")));
    }

    @Test
    void allowDirtyRunsWithAWarningAndStillLeavesTheChangesAlone() throws IOException {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("a.txt", "a\n"));
        repo.write("a.txt", "work in progress\n");

        Invocation result = troupe("run", goal(repo.dir(), "team: {stagger: 0ms}\n").toString(), "--allow-dirty");

        assertEquals(ExitCodes.OK, result.exitCode(), result.err());
        assertTrue(result.err().contains("warning: uncommitted changes in a.txt"), result.err());
        assertEquals("work in progress\n", Files.readString(repo.dir().resolve("a.txt")));
        assertEquals(" M a.txt", repo.git("status", "--porcelain").lines().findFirst().map(l -> " " + l).orElse(""));
    }

    @Test
    void aMalformedGoalFileIsRefusedWithItsLineAndColumn() throws IOException {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("a.txt", "a\n"));
        String head = repo.head();
        Path file = tmp.resolve("goal.yaml");
        Files.writeString(file, "repo: " + repo.dir() + "\ntasks:\n  - id: one\n    prompt: hi\n    colour: blue\n");

        Invocation result = troupe("run", file.toString());

        assertRefused(result, file + ":5:5: unknown key 'colour'");
        assertUntouched(repo, head);
    }

    @Test
    void aMissingGoalFileIsRefused() {
        Invocation result = troupe("run", tmp.resolve("absent.yaml").toString());

        assertRefused(result, "absent.yaml: no such goal file");
    }

    @Test
    void mergingIntoACheckedOutBranchIsRefused() throws IOException {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("a.txt", "a\n"));
        String head = repo.head();

        Invocation result = troupe("run", goal(repo.dir(), "").toString(), "--into", "main");

        assertRefused(result, "branch 'main' is checked out at " + repo.dir());
        assertUntouched(repo, head);
    }

    @Test
    void anInvalidIntegrationBranchNameIsRefused() throws IOException {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("a.txt", "a\n"));

        Invocation result = troupe("run", goal(repo.dir(), "").toString(), "--into", "bad..name");

        assertRefused(result, "'bad..name' is not a valid branch name");
    }

    @Test
    void aBranchInTheWayOfTroupesBranchesIsRefused() throws IOException {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("a.txt", "a\n"));
        repo.git("branch", "troupe");
        String head = repo.head();

        Invocation result = troupe("run", goal(repo.dir(), "").toString());

        assertRefused(result, "branch 'troupe' is in the way");
        assertFalse(Files.exists(repo.dir().resolve(".troupe")), ".troupe/ must not be created");
        assertEquals(head, repo.head());
    }

    @Test
    void aTeamOfZeroIsRefused() throws IOException {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("a.txt", "a\n"));

        Invocation result = troupe("run", goal(repo.dir(), "").toString(), "--team", "0");

        assertRefused(result, "--team must be at least 1");
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertEquals(ExitCodes.BAD_INPUT, troupe().exitCode());
        assertEquals(ExitCodes.BAD_INPUT, troupe("run").exitCode());
        assertEquals(ExitCodes.BAD_INPUT, troupe("run", "g.yaml", "--no-such-option").exitCode());
        assertEquals(ExitCodes.BAD_INPUT, troupe("fly").exitCode());
    }

    @Test
    void everyCommandTellsItsUsageWithHelp() {
        for (String command : List.of("run", "status", "stop", "cancel", "add", "tell", "resume", "cleanup")) {
            Invocation help = troupe(command, "--help");
            assertEquals(ExitCodes.OK, help.exitCode(), command + ": " + help.err());
            assertTrue(help.out().contains("Usage: troupe " + command), help.out());
            assertTrue(help.out().contains("Exit codes:"), help.out());
        }
    }

    @Test
    void validateAcceptsAGoodGoalAndRefusesABadOneWithoutStartingAnything() throws IOException {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("a.txt", "a\n"));
        String head = repo.head();

        Invocation good = troupe("validate", goal(repo.dir(), "").toString());
        Files.writeString(tmp.resolve("bad.yaml"), "tasks:\n  - id: a\n    prompt: x\n    after: [b]\n");
        Invocation bad = troupe("validate", tmp.resolve("bad.yaml").toString());

        assertEquals(ExitCodes.OK, good.exitCode(), good.err());
        assertTrue(good.out().contains("valid: 1 task"), good.out());
        assertRefused(bad, "bad.yaml:4:13: task 'a' comes after unknown task 'b'");
        assertUntouched(repo, head);
    }

    @Test
    void validateRefusesARepositoryThatDoesNotExistAtItsRepoLine() throws IOException {
        Path file = goal(tmp.resolve("nowhere"), "");

        Invocation result = troupe("validate", file.toString());

        assertRefused(result, file + ":1:1: repository " + tmp.resolve("nowhere") + " does not exist");
    }

    @Test
    void validateReportsEveryProblemRunWouldMeetAtOnceEachAtItsKey() throws IOException {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("lib/x.py", "x\n"));
        Path file = tmp.resolve("goal.yaml");
        Files.writeString(file, "repo: " + repo.dir() + "\n"
                + "base: nope\n"
                + "agent:\n  command: [no-such-agent-xyz]\n"
                + "fanout:\n  files: \"src/**/*.js\"\n  prompt: do {file}\n");

        Invocation result = troupe("validate", file.toString(), "--into", "bad..name");

        assertRefused(result, "");
        assertEquals(List.of(
                "troupe: " + file + ":2:1: base branch 'nope' does not exist in " + repo.dir(),
                "troupe: " + file + ":4:3: agent command 'no-such-agent-xyz' not found; is it installed and on PATH?",
                "troupe: 'bad..name' is not a valid branch name"),
                result.err().lines().toList());
    }

    @Test
    void validateNamesAnUnknownKeyADependencyCycleAndAMissingRepositoryAtOnce() throws IOException {
        Path nowhere = tmp.resolve("nowhere");
        Path file = tmp.resolve("goal.yaml");
        Files.writeString(file, "repo: " + nowhere + "\n"
                + "colour: blue\n"
                + "agent:\n  command: " + FakeAgent.yamlCommand() + "\n"
                + "tasks:\n"
                + "  - id: a\n    prompt: p\n    after: [b]\n"
                + "  - id: b\n    prompt: p\n    after: [a]\n");

        Invocation result = troupe("validate", file.toString());

        assertRefused(result, "");
        assertEquals(List.of(
                "troupe: " + file + ":2:1: unknown key 'colour'; expected one of: agent, agents, base, fanout, goal, limits,"
                        + " notify, plan, repo, sync, tasks, team, workspace",
                "troupe: " + file + ":8:5: dependency cycle: a -> b -> a",
                "troupe: " + file + ":1:1: repository " + nowhere + " does not exist"),
                result.err().lines().toList());
    }

    @Test
    void runRefusesAGoalFileWithProblemsNamingTheRunsToo() throws IOException {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("a.txt", "a\n"));
        String head = repo.head();
        Path file = tmp.resolve("goal.yaml");
        Files.writeString(file, "repo: " + repo.dir() + "\nbase: nope\nagent:\n  command: [no-such-agent-xyz]\n"
                + "  colour: blue\ntasks:\n  - id: one\n    prompt: do it\n");

        Invocation result = troupe("run", file.toString());

        assertRefused(result, file + ":5:3: unknown key 'colour' in agent");
        assertTrue(result.err().contains(file + ":2:1: base branch 'nope' does not exist"), result.err());
        assertTrue(result.err().contains(file + ":4:3: agent command 'no-such-agent-xyz' not found"), result.err());
        assertUntouched(repo, head);
    }

    @Test
    void validateRefusesAFanoutThatMatchesNothingAtTheBase() throws IOException {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("lib/x.py", "x\n"));
        Path file = tmp.resolve("goal.yaml");
        Files.writeString(file, "repo: " + repo.dir() + "\nagent:\n  command: " + FakeAgent.yamlCommand() + "\n"
                + "fanout:\n  files: \"src/**/*.js\"\n  prompt: do {file}\n");
        repo.write("src/a.js", "not committed\n");

        Invocation result = troupe("validate", file.toString());

        assertRefused(result, file + ":5:3: fanout.files 'src/**/*.js' matches no file tracked at the base");
    }

    @Test
    void validatePointsAtTheFileForAProblemWithADefault() throws IOException {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("a.txt", "a\n"));
        repo.git("checkout", "--quiet", "--detach");

        Invocation result = troupe("validate", goal(repo.dir(), "").toString());

        assertRefused(result, "troupe: " + tmp.resolve("goal.yaml") + ": " + repo.dir()
                + " has a detached HEAD; name the branch to start from with base:");
    }

    @Test
    void validateOnlyWarnsOfUncommittedChangesAndCreatesNothing() throws IOException {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("a.txt", "a\n", "src/a.js", "a\n", "src/x/b.js", "b\n"));
        String head = repo.head();
        Path exclude = repo.dir().resolve(".git/info/exclude");
        String excludeBefore = Files.readString(exclude);
        repo.write("a.txt", "work in progress\n");

        Invocation result = troupe("validate", goal(repo.dir(), "fanout:\n  files: \"src/**/*.js\"\n  prompt: do {file}\n")
                .toString());

        assertEquals(ExitCodes.OK, result.exitCode(), result.err());
        assertTrue(result.out().contains("valid: 1 task and a fan-out over 'src/**/*.js' (2 files)"), result.out());
        assertTrue(result.err().contains("warning: " + repo.dir() + " has uncommitted changes (a.txt)"), result.err());
        assertUntouched(repo, head);
        assertEquals(excludeBefore, Files.readString(exclude), "no exclude entry");
        assertEquals(" M a.txt", " " + repo.status());
        assertEquals(List.of("main"), repo.branches("**"));
    }

    @Test
    void validateFindsEveryProfilesCliAndKeyAndWarnsOfWhatACliCannotHonour() throws IOException {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("a.txt", "a\n"));
        String head = repo.head();
        Path file = goal(repo.dir(), "  max-turns: 7\nagents:\n"
                + "  fast:\n    cli: codex\n    command: [" + tmp.resolve("no-codex-here") + "]\n"
                + "  paid:\n    key-env: TROUPE_TEST_KEY_THAT_IS_NOT_SET\n"
                + "  gem:\n    cli: gemini\n    command: " + FakeAgent.yamlCommand() + "\n    max-turns: 5\n");

        Invocation result = troupe("validate", file.toString());

        assertRefused(result, file + ":8:5: agents.fast.command: '" + tmp.resolve("no-codex-here")
                + "' (codex) not found; is it installed and on PATH?");
        assertTrue(result.err().contains(file + ":10:5: agents.paid.key-env: TROUPE_TEST_KEY_THAT_IS_NOT_SET is not set"),
                result.err());
        assertTrue(result.err().contains("warning: " + file + ":14:5: agents.gem.max-turns: gemini has no flag for it"), result.err());
        assertTrue(result.err().contains("warning: " + file + ":4:3: agents.fast.max-turns: codex has no turn limit"),
                "agent:'s key, which the codex profile inherits: " + result.err());
        assertUntouched(repo, head);
    }

    @Test
    void validateChecksTheIntegrationBranchRunWouldMake() throws IOException {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("a.txt", "a\n"));
        Path file = goal(repo.dir(), "");

        Invocation into = troupe("validate", file.toString(), "--into", "main");
        repo.git("branch", "troupe");
        Invocation inTheWay = troupe("validate", file.toString());

        assertRefused(into, "branch 'main' is checked out at " + repo.dir());
        assertRefused(inTheWay, "branch 'troupe' is in the way");
    }

    @Test
    void runAlsoReportsEveryProblemAtOnce() throws IOException {
        TestRepo repo = TestRepo.create(tmp.resolve("repo"), Map.of("a.txt", "a\n"));
        String head = repo.head();
        Path file = tmp.resolve("goal.yaml");
        Files.writeString(file, "repo: " + repo.dir() + "\nbase: nope\nagent:\n  command: [no-such-agent-xyz]\n"
                + "tasks:\n  - id: one\n    prompt: do it\n");

        Invocation result = troupe("run", file.toString());

        assertRefused(result, file + ":4:3: agent command 'no-such-agent-xyz' not found");
        assertTrue(result.err().contains(file + ":2:1: base branch 'nope' does not exist"), result.err());
        assertUntouched(repo, head);
    }
}
