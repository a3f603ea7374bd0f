package dev.troupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.journal.Json;
import dev.troupe.testing.FakeAgent;
import dev.troupe.testing.Journals;
import dev.troupe.testing.TestRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** {@code troupe run} end to end: real git repositories, real agent processes (the fake agent), the real CLI entry. */
class RunCommandTest {

    @TempDir
    Path tmp;

    record Run(int exitCode, String out, String err, TestRepo repo) {

        String integrationBranch() {
            List<String> branches = repo.branches("troupe/*").stream()
                    .filter(b -> !b.startsWith("troupe/tasks/") && !b.startsWith("troupe/failed/")
                            && !b.startsWith("troupe/variants/")).toList();
            assertEquals(1, branches.size(), "one integration branch: " + branches);
            return branches.get(0);
        }

        String runId() {
            return integrationBranch().substring("troupe/".length());
        }

        Path runDir() {
            return repo.dir().resolve(".troupe/runs/" + runId());
        }

        List<JsonNode> events() {
            return Journals.read(runDir().resolve("events.jsonl"));
        }

        List<JsonNode> events(String type) {
            return Journals.ofType(events(), type);
        }
    }

    private TestRepo repo(Map<String, String> files) {
        return TestRepo.create(tmp.resolve("repo"), files);
    }

    private Path goal(TestRepo repo, String teamAndLimits, String tasks) throws IOException {
        String yaml = "goal: test\n"
                + "repo: " + repo.dir() + "\n"
                + "agent:\n  command: " + FakeAgent.yamlCommand() + "\n  isolate-config: true\n"
                + teamAndLimits
                + "tasks:\n" + tasks;
        Path file = tmp.resolve("goal.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private static Run run(TestRepo repo, String... args) {
        Invocation troupe = Invocation.troupe(args);
        return new Run(troupe.exitCode(), troupe.out(), troupe.err(), repo);
    }

    private static final String FAST_TEAM = "team:\n  size: 3\n  stagger: 10ms\n";
    /** For tests of how one failure is handled: no second attempt. */
    private static final String ONE_ATTEMPT = FAST_TEAM + "limits:\n  attempts: 1\n";

    @Test
    void fiveTasksWithADependencyAreAllMergedOnceWithTrailers() throws IOException {
        TestRepo repo = repo(Map.of("README.md", "hello\n"));
        String mainBefore = repo.head();
        Path goal = goal(repo, FAST_TEAM, """
                  - id: a
                    prompt: write a.txt alpha
                  - id: b
                    prompt: write b.txt beta
                  - id: c
                    prompt: write c.txt gamma
                  - id: d
                    prompt: write d.txt delta
                  - id: e
                    prompt: |
                      write e.txt epsilon
                      argv e-args.txt
                    after: [a, b]
                """);

        Run run = run(repo, "run", goal.toString());

        assertEquals(0, run.exitCode(), run.err());
        String branch = run.integrationBranch();
        List<String> merged = repo.mergedTasks(branch);
        assertEquals(5, merged.size(), "one merge per task: " + merged);
        assertEquals(List.of("a", "b", "c", "d", "e"), merged.stream().sorted().toList());
        assertTrue(merged.indexOf("e") > merged.indexOf("a") && merged.indexOf("e") > merged.indexOf("b"),
                "e merges after what it comes after: " + merged);
        assertEquals("alpha", repo.show(branch, "a.txt"));
        assertEquals("epsilon", repo.show(branch, "e.txt"));
        assertEquals("hello", repo.show(branch, "README.md"));
        // e started on a base that already held a and b.
        String eBranch = "troupe/tasks/" + run.runId() + "/e";
        assertEquals("alpha", repo.show(eBranch, "a.txt"));
        assertEquals("beta", repo.show(eBranch, "b.txt"));
        // ...and was told what they did.
        String ePrompt = repo.show(branch, "e-args.txt");
        assertTrue(ePrompt.contains("This task comes after a, b."), ePrompt);
        assertTrue(ePrompt.contains("- a: Did as told.") && ePrompt.contains("Files it changed: a.txt"), ePrompt);
        assertTrue(ePrompt.contains(run.runDir().resolve("results/b.md").toString()), ePrompt);

        assertEquals(mainBefore, repo.head(), "the user's branch never moves");
        assertEquals("", repo.status(), "the user's working tree is untouched");
        assertFalse(Files.exists(repo.workspaces()), "the run's workspaces, beside the repository, are removed");
        assertFalse(Files.exists(repo.dir().resolve(".troupe/worktrees")), "none was in the repository");
        assertTrue(run.out().contains("5 of 5 tasks merged into " + branch), run.out());

        List<JsonNode> finished = run.events("run-finished");
        assertEquals(1, finished.size());
        assertEquals(5, finished.get(0).path("merged").asInt());
        assertEquals(0.0625, finished.get(0).path("costUsd").asDouble(), 1e-9, "cost summed from the result events");
        assertEquals(5, run.events("merge-done").size());
        JsonNode succeeded = run.events("task-succeeded").get(0);
        assertEquals(125, succeeded.path("usage").path("inputTokens").asLong() + succeeded.path("usage").path("outputTokens").asLong()
                + succeeded.path("usage").path("cacheReadInputTokens").asLong());
        assertTrue(Files.isRegularFile(run.runDir().resolve("agents/a-1.jsonl")));
        String plan = Files.readString(run.runDir().resolve("plan.md"));
        assertTrue(plan.contains("Finished (exit 0). 5 of 5 merged"), plan);
        assertTrue(plan.contains("| e | a, b | merged | 1 | $0.0125 |"), plan);
        assertTrue(Files.readString(run.runDir().resolve("results/e.md")).contains("e.txt"));
        assertEquals("test", Files.readString(run.runDir().resolve("goal.yaml")).lines().findFirst().orElseThrow()
                .substring("goal: ".length()));
    }

    @Test
    void everyAgentGetsClaudeCodesHeadlessArguments() throws IOException {
        TestRepo repo = repo(Map.of("README.md", "hello\n"));
        Path goal = tmp.resolve("goal.yaml");
        Files.writeString(goal, "repo: " + repo.dir() + "\n"
                + "team: {size: 1, stagger: 0ms}\n"
                + "agent:\n  command: " + FakeAgent.yamlCommand() + "\n  model: sonnet\n  max-turns: 7\n"
                + "  permission-mode: acceptEdits\n  allowed-tools: [Read, Write, \"Bash(mvn -q test)\"]\n"
                + "tasks:\n  - id: look\n    prompt: argv args.txt\n"
                + "  - id: special\n    prompt: argv special.txt\n    model: opus\n    permission-mode: plan\n"
                + "    allowed-tools: [Read]\n    max-turns: 2\n    append-system-prompt: Be brief.\n");

        Run run = run(repo, "run", goal.toString());

        assertEquals(0, run.exitCode(), run.err());
        List<String> special = repo.show(run.integrationBranch(), "special.txt").lines().toList();
        assertEquals(List.of("-p", "--output-format", "stream-json", "--verbose", "--permission-mode", "plan",
                "--allowedTools", "Read", "--model", "opus", "--max-turns", "2", "--append-system-prompt", "Be brief.",
                "--session-id"), special.subList(0, 15), "a task's own settings win over agent:");
        List<String> argv = repo.show(run.integrationBranch(), "args.txt").lines().toList();
        assertEquals(List.of("-p", "--output-format", "stream-json", "--verbose",
                "--permission-mode", "acceptEdits", "--allowedTools", "Read,Write,Bash(mvn -q test)",
                "--model", "sonnet", "--max-turns", "7", "--session-id"), argv.subList(0, 13));
        assertTrue(argv.get(13).matches("[0-9a-f-]{36}"), "a UUID session id: " + argv);
        assertEquals(List.of("--", "argv args.txt"), argv.subList(14, argv.size()), "the prompt comes last, after --");
    }

    @Test
    void anAgentThatExitsNonZeroFailsItsTaskOthersMergeAndDependentsAreSkipped() throws IOException {
        TestRepo repo = repo(Map.of("README.md", "hello\n"));
        Path goal = goal(repo, ONE_ATTEMPT, """
                  - id: good
                    prompt: write good.txt fine
                  - id: bad
                    prompt: |
                      write bad.txt never committed
                      exit 3
                  - id: later
                    prompt: write later.txt never
                    after: [bad]
                  - id: last
                    prompt: write last.txt never
                    after: [later]
                  - id: also-good
                    prompt: write also.txt fine
                """);

        Run run = run(repo, "run", goal.toString());

        assertEquals(1, run.exitCode(), run.err());
        assertEquals(List.of("also-good", "good"), repo.mergedTasks(run.integrationBranch()).stream().sorted().toList());
        JsonNode failed = run.events("task-failed").get(0);
        assertEquals("bad", failed.path("task").asText());
        assertTrue(failed.path("reason").asText().startsWith("agent exited with code 3 without a result"), failed.toString());
        assertEquals(List.of("later", "last"), run.events("task-skipped").stream().map(e -> e.path("task").asText()).toList());
        assertTrue(run.out().contains("2 of 5 tasks merged"), run.out());
        assertTrue(run.out().contains("1 failed, 2 skipped"), run.out());
        assertTrue(run.err().contains("[bad] FAILED: agent exited with code 3"), run.err());
    }

    @Test
    void twoTasksChangingTheSameLineGiveOneMergeAndOneConflictWithoutMarkers() throws IOException {
        TestRepo repo = repo(Map.of("shared.txt", "original\n"));
        Path goal = goal(repo, "team:\n  size: 2\n  stagger: 0ms\nlimits:\n  attempts: 1\n", """
                  - id: left
                    prompt: write shared.txt from left
                  - id: right
                    prompt: write shared.txt from right
                """);

        Run run = run(repo, "run", goal.toString());

        assertEquals(1, run.exitCode(), run.err());
        String branch = run.integrationBranch();
        List<String> merged = repo.mergedTasks(branch);
        assertEquals(1, merged.size(), "exactly one of the two merged: " + merged);
        String winner = merged.get(0);
        assertEquals("from " + winner, repo.show(branch, "shared.txt"));
        List<JsonNode> conflicts = run.events("merge-conflict");
        assertEquals(1, conflicts.size());
        assertEquals("shared.txt", conflicts.get(0).path("paths").get(0).asText());
        assertTrue(run.events("task-failed").get(0).path("reason").asText().contains("merge conflict in shared.txt"));
        repo.tree(branch).forEach((path, content) ->
                assertFalse(content.contains("<<<<<<<") || content.contains(">>>>>>>"), path + " has conflict markers"));
    }

    @Test
    void anErrorResultFailsTheAttemptWithTheAgentsReason() throws IOException {
        TestRepo repo = repo(Map.of("README.md", "hello\n"));
        Path goal = goal(repo, ONE_ATTEMPT, """
                  - id: flaky
                    prompt: |
                      write half.txt done
                      error Internal server error
                """);

        Run run = run(repo, "run", goal.toString());

        assertEquals(1, run.exitCode());
        String reason = run.events("task-failed").get(0).path("reason").asText();
        assertTrue(reason.contains("API status 500") && reason.contains("Internal server error"), reason);
        assertEquals(List.of(), repo.mergedTasks(run.integrationBranch()));
    }

    @Test
    void anAgentThatLingersAfterItsResultIsStoppedAndItsWorkMerged() throws IOException {
        TestRepo repo = repo(Map.of("README.md", "hello\n"));
        Path goal = goal(repo, FAST_TEAM + "limits:\n  task-timeout: 2m\n  idle-timeout: 1m\n", """
                  - id: lingers
                    prompt: |
                      write done.txt yes
                      linger
                """);

        Run run = run(repo, "run", goal.toString());

        assertEquals(0, run.exitCode(), run.err());
        assertEquals("yes", repo.show(run.integrationBranch(), "done.txt"));
        long pid = run.events("agent-started").get(0).path("pid").asLong();
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the agent process is gone");
    }

    @Test
    void aSilentAgentIsStoppedByTheIdleTimeout() throws IOException {
        TestRepo repo = repo(Map.of("README.md", "hello\n"));
        Path goal = goal(repo, ONE_ATTEMPT + "  idle-timeout: 1s\n", """
                  - id: silent
                    prompt: hang
                """);

        Run run = run(repo, "run", goal.toString());

        assertEquals(1, run.exitCode());
        assertEquals("idle: no output for 1.0s", run.events("task-failed").get(0).path("reason").asText());
    }

    @Test
    void aTaskPastItsTimeoutIsStopped() throws IOException {
        TestRepo repo = repo(Map.of("README.md", "hello\n"));
        Path goal = goal(repo, ONE_ATTEMPT + "  task-timeout: 1s\n", """
                  - id: slow
                    prompt: sleep 600
                """);

        Run run = run(repo, "run", goal.toString());

        assertEquals(1, run.exitCode());
        assertTrue(run.events("task-failed").get(0).path("reason").asText().startsWith("timeout"));
    }

    @Test
    void garbageOnAnAgentsStdoutIsJournaledAndDoesNotFailTheTask() throws IOException {
        TestRepo repo = repo(Map.of("README.md", "hello\n"));
        Path goal = goal(repo, FAST_TEAM, """
                  - id: noisy
                    prompt: |
                      garbage
                      write ok.txt fine
                """);

        Run run = run(repo, "run", goal.toString());

        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.events("agent-output").stream()
                .anyMatch(e -> e.path("text").asText().equals("this is not json {")));
    }

    @Test
    void aLineOfMegabytesIsCutToTheCapAndTheTaskGoesOn() throws IOException {
        TestRepo repo = repo(Map.of("README.md", "hello\n"));
        Path goal = goal(repo, FAST_TEAM, """
                  - id: verbose
                    prompt: |
                      bigline 3072
                      write ok.txt fine
                """);

        Run run = run(repo, "run", goal.toString());

        assertEquals(0, run.exitCode(), run.err());
        JsonNode cut = run.events("agent-output").stream().filter(e -> e.path("truncated").asBoolean())
                .findFirst().orElseThrow(() -> new AssertionError("no truncated line"));
        assertEquals(65536, cut.path("text").asText().length(), "cut to troupe.journal.max-line-bytes of the test config");
        assertTrue(Files.size(run.runDir().resolve("events.jsonl")) < 1 << 20, "the rest of the line was not kept");
    }

    @Test
    void aHundredMegabytesOfBinaryNoiseWithoutNewlinesDoesNotStopTheRunOrFillTheJournal() throws IOException {
        TestRepo repo = repo(Map.of("README.md", "hello\n"));
        Path goal = goal(repo, FAST_TEAM, """
                  - id: noisy
                    prompt: |
                      noise 100
                      write ok.txt fine
                """);

        Run run = run(repo, "run", goal.toString());

        assertEquals(0, run.exitCode(), run.err());
        assertEquals("fine", repo.show(run.integrationBranch(), "ok.txt"), "judged by its result");
        assertEquals(1, run.events("agent-output").stream().filter(e -> e.path("truncated").asBoolean()).count());
        assertTrue(Files.size(run.runDir().resolve("events.jsonl")) < 1 << 20, "the noise was cut, not kept");
        assertTrue(Files.size(run.runDir().resolve("agents/noisy-1.jsonl")) < 1 << 20);
        Invocation tail = Invocation.troupe("results", "-C", repo.dir().toString(), "--task", "noisy", "--tail", "50");
        assertEquals(0, tail.exitCode(), "the output file holds the agent's bytes, not UTF-8: " + tail.err() + tail.out());
        assertTrue(tail.out().contains("\uFFFD"), "its bad bytes are shown as replacement characters");
    }

    @Test
    void quietPrintsOnlyTheSummary() throws IOException {
        TestRepo repo = repo(Map.of("README.md", "hello\n"));
        Path goal = goal(repo, FAST_TEAM, """
                  - id: one
                    prompt: write one.txt 1
                """);

        Run run = run(repo, "run", goal.toString(), "--quiet");

        assertEquals(0, run.exitCode(), run.err());
        assertEquals("", run.err(), "no progress lines");
        assertTrue(run.out().contains("1 of 1 tasks merged"), run.out());
        assertEquals(ExitCodes.BAD_INPUT, run(repo, "run", goal.toString(), "--quiet", "--json").exitCode());
    }

    @Test
    void jsonPrintsEveryEventAsJsonLinesOnStdout() throws IOException {
        TestRepo repo = repo(Map.of("README.md", "hello\n"));
        Path goal = goal(repo, FAST_TEAM, """
                  - id: one
                    prompt: write one.txt 1
                """);

        Run run = run(repo, "run", goal.toString(), "--json");

        assertEquals(0, run.exitCode(), run.err());
        List<JsonNode> lines = new ArrayList<>();
        for (String line : run.out().lines().toList()) {
            lines.add(Json.MAPPER.readTree(line));
        }
        assertEquals("run-started", lines.get(0).path("type").asText());
        assertEquals("run-finished", lines.get(lines.size() - 1).path("type").asText());
        assertEquals(run.events().size(), lines.size(), "stdout carries exactly the journal");
    }

    @Test
    void moreAgentsThanBlockingThreadsAreAllReadWhileTheyRun() throws IOException {
        TestRepo repo = repo(Map.of("README.md", "hello\n"));
        StringBuilder tasks = new StringBuilder();
        for (int i = 1; i <= 24; i++) {
            tasks.append("  - id: t").append(i).append("\n    prompt: |\n      tick 15\n      write t").append(i)
                    .append(".txt ").append(i).append("\n");
        }
        Path goal = goal(repo, "team:\n  size: 24\n  stagger: 0ms\nlimits:\n  idle-timeout: 2s\n", tasks.toString());

        Run run = run(repo, "run", goal.toString());

        assertEquals(0, run.exitCode(), run.err());
        assertEquals(24, repo.mergedTasks(run.integrationBranch()).size());
    }

    @Test
    void aFailedAttemptKeepsWhatTheAgentLeftOnItsTaskBranch() throws IOException {
        TestRepo repo = repo(Map.of("README.md", "hello\n"));
        Path goal = goal(repo, ONE_ATTEMPT + "  idle-timeout: 1s\n", """
                  - id: halfway
                    prompt: |
                      write big-work.txt an hour of it
                      hang
                """);

        Run run = run(repo, "run", goal.toString());

        assertEquals(1, run.exitCode());
        String branch = "troupe/failed/" + run.runId() + "/halfway-1";
        assertTrue(run.events("task-failed").get(0).path("reason").asText().endsWith("(what it left is kept on " + branch + ")"));
        assertEquals("an hour of it", repo.show(branch, "big-work.txt"));
        assertEquals(List.of(), repo.mergedTasks(run.integrationBranch()));
    }

    @Test
    void anUnfinishedMergeInTheWorktreeFailsTheTaskInsteadOfMergingConflictMarkers() throws IOException {
        TestRepo repo = repo(Map.of("README.md", "hello\n"));
        Path goal = goal(repo, ONE_ATTEMPT, """
                  - id: tangled
                    prompt: leave-merge
                """);

        Run run = run(repo, "run", goal.toString());

        assertEquals(1, run.exitCode());
        String reason = run.events("task-failed").get(0).path("reason").asText();
        assertTrue(reason.contains("unfinished merge (conflicts in clash.txt)"), reason);
        repo.tree(run.integrationBranch()).values().forEach(content -> assertFalse(content.contains("<<<<<<<")));
    }

    @Test
    @Timeout(60)
    void aChildHoldingTheAgentsStdoutOpenDoesNotHoldTheRun() throws IOException {
        TestRepo repo = repo(Map.of("README.md", "hello\n"));
        // A duration no other run of this test shares, so a survivor is recognised as this one's.
        String seconds = Integer.toString(100_000 + new java.util.Random().nextInt(900_000));
        Path goal = goal(repo, ONE_ATTEMPT, "  - id: leaves-a-child\n    prompt: |\n      spawn " + seconds + "\n      exit 3\n");

        Run run = run(repo, "run", goal.toString());

        assertEquals(1, run.exitCode());
        assertTrue(run.events("task-failed").get(0).path("reason").asText().startsWith("agent exited with code 3"));
        assertFalse(ProcessHandle.allProcesses().anyMatch(p -> p.info().commandLine().orElse("").contains("sleep " + seconds)),
                "the child was stopped with the agent");
    }

    @Test
    void credentialsAnAgentPrintsAreMaskedInTheJournalAndItsOutputFile() throws IOException {
        String key = System.getenv("ANTHROPIC_API_KEY");
        assertTrue(key != null && key.length() > 16, "the pom gives the tests a key");
        TestRepo repo = repo(Map.of("README.md", "hello\n"));
        Path goal = goal(repo, FAST_TEAM, """
                  - id: leaky
                    prompt: |
                      env ANTHROPIC_API_KEY
                      write ok.txt fine
                """);

        Run run = run(repo, "run", goal.toString());

        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.events("agent-output").stream().anyMatch(e -> e.toString().contains("ANTHROPIC_API_KEY=[redacted]")));
        assertFalse(Files.readString(run.runDir().resolve("events.jsonl")).contains(key));
        assertFalse(Files.readString(run.runDir().resolve("agents/leaky-1.jsonl")).contains(key));
    }

    @Test
    void aRelativeAgentCommandIsFoundNextToTheGoalFile() throws IOException {
        TestRepo repo = repo(Map.of("README.md", "hello\n"));
        Path tools = Files.createDirectories(tmp.resolve("tools"));
        Path agent = tools.resolve("agent.sh");
        Files.writeString(agent, "#!/usr/bin/env bash\nexec bash " + FakeAgent.SCRIPT + " \"$@\"\n");
        agent.toFile().setExecutable(true);
        Path goal = tmp.resolve("goal.yaml");
        Files.writeString(goal, "repo: " + repo.dir() + "\nteam: {stagger: 0ms}\nagent:\n  command: [./tools/agent.sh]\n"
                + "tasks:\n  - id: one\n    prompt: write one.txt 1\n");

        Run run = run(repo, "run", goal.toString());

        assertEquals(0, run.exitCode(), run.err());
        assertEquals("1", repo.show(run.integrationBranch(), "one.txt"));
    }

    @Test
    void aFailedAttemptIsReassignedToAnotherWorker() throws IOException {
        TestRepo repo = repo(Map.of("README.md", "hello\n"));
        Path marker = tmp.resolve("failed-once");
        Path goal = goal(repo, "team:\n  size: 2\n  stagger: 0ms\nlimits:\n  attempts: 2\n",
                "  - id: shaky\n    prompt: |\n      fail-first " + marker + "\n      write shaky.txt fine\n      argv args.txt\n");

        Run run = run(repo, "run", goal.toString());

        assertEquals(0, run.exitCode(), run.err());
        assertEquals(List.of("shaky"), repo.mergedTasks(run.integrationBranch()));
        List<JsonNode> assigned = run.events("task-assigned");
        assertEquals(2, assigned.size());
        assertEquals(2, assigned.get(1).path("attempt").asInt());
        assertFalse(assigned.get(0).path("worker").asText().equals(assigned.get(1).path("worker").asText()),
                "the second attempt goes to another worker: " + assigned);
        JsonNode failed = run.events("attempt-failed").get(0);
        assertTrue(failed.path("reason").asText().startsWith("agent exited with code 4"));
        assertTrue(failed.path("retryInMs").asLong() >= 0);
        assertTrue(run.events("task-failed").isEmpty());
        String retryPrompt = repo.show(run.integrationBranch(), "args.txt");
        assertTrue(retryPrompt.contains("An earlier attempt at this task did not make it: agent exited with code 4"),
                retryPrompt);
    }

    @Test
    void aWorktreeLeftLockedByAFailedAgentIsReplacedForTheNextAttempt() throws IOException {
        TestRepo repo = repo(Map.of("README.md", "hello\n"));
        Path marker = tmp.resolve("locked-once");
        Path goal = goal(repo, "team:\n  size: 1\n  stagger: 0ms\nlimits:\n  attempts: 2\n",
                "  - id: locker\n    prompt: |\n      lock-first " + marker + "\n      write locker.txt fine\n");

        Run run = run(repo, "run", goal.toString());

        assertEquals(0, run.exitCode(), run.err());
        assertEquals(List.of("locker"), repo.mergedTasks(run.integrationBranch()));
        assertEquals(2, run.events("task-assigned").size(), "the second attempt ran, on the worker's new worktree");
    }

    @Test
    void aTaskThatAlwaysFailsIsTriedOnDifferentWorkersUntilItsAttemptsAreSpentThenItsDependentsSkipped()
            throws IOException {
        TestRepo repo = repo(Map.of("README.md", "hello\n"));
        Path goal = goal(repo, "team:\n  size: 3\n  stagger: 0ms\nlimits:\n  attempts: 3\n", """
                  - id: doomed
                    prompt: exit 2
                  - id: after-doomed
                    prompt: write never.txt no
                    after: [doomed]
                """);

        Run run = run(repo, "run", goal.toString());

        assertEquals(1, run.exitCode());
        List<String> workers = run.events("task-assigned").stream().map(e -> e.path("worker").asText()).toList();
        assertEquals(3, workers.size(), "three attempts: " + workers);
        assertEquals(3, new java.util.HashSet<>(workers).size(), "each on another worker: " + workers);
        assertEquals(3, run.events("attempt-failed").size());
        JsonNode failed = run.events("task-failed").get(0);
        assertEquals(3, failed.path("attempts").asInt());
        assertTrue(failed.path("reason").asText().startsWith("agent exited with code 2"));
        assertEquals("after-doomed", run.events("task-skipped").get(0).path("task").asText());
    }

    @Test
    void aMergeConflictIsRetriedOnTheNewHeadAndBothTasksMerge() throws IOException {
        TestRepo repo = repo(Map.of("shared.txt", "original\n"));
        Path goal = goal(repo, "team:\n  size: 2\n  stagger: 0ms\nlimits:\n  attempts: 2\n", """
                  - id: left
                    prompt: |
                      write shared.txt from left
                      argv args-left.txt
                  - id: right
                    prompt: |
                      write shared.txt from right
                      argv args-right.txt
                """);

        Run run = run(repo, "run", goal.toString());

        assertEquals(0, run.exitCode(), run.err());
        List<String> merged = repo.mergedTasks(run.integrationBranch());
        assertEquals(2, merged.size(), merged.toString());
        assertEquals(1, run.events("merge-conflict").size());
        assertEquals("from " + merged.get(1), repo.show(run.integrationBranch(), "shared.txt"), "the re-run went last");
        String rerun = repo.show(run.integrationBranch(), "args-" + merged.get(1) + ".txt");
        assertTrue(rerun.contains("merge conflict in shared.txt, which work merged meanwhile changed too: task '"
                + merged.get(0) + "' changed shared.txt and reported: Did as told."), "the other task's change is described: " + rerun);
    }

    // Review, sync points and planning.

    private static final String APPROVE = "answer {\"verdict\": \"approve\", \"comments\": \"fine\"}";

    @Test
    void aReviewedChangeMergesOnlyOnceAFreshReadOnlyReviewerApprovesIt() throws IOException {
        TestRepo repo = repo(Map.of("README.md", "hello\n"));
        Path reviewerArgs = tmp.resolve("reviewer-args.txt");
        Path goal = goal(repo, FAST_TEAM, """
                  - id: a
                    review: true
                    prompt: |
                      write a.txt alpha
                      %s
                      consult-argv %s
                """.formatted(APPROVE, reviewerArgs));

        Run run = run(repo, "run", goal.toString());

        assertEquals(0, run.exitCode(), run.err());
        assertEquals(List.of("a"), repo.mergedTasks(run.integrationBranch()));
        List<String> argv = Files.readAllLines(reviewerArgs);
        assertEquals("plan", argv.get(argv.indexOf("--permission-mode") + 1), "the reviewer cannot write: " + argv);
        assertEquals("Read,Glob,Grep", argv.get(argv.indexOf("--allowedTools") + 1));
        assertTrue(argv.get(argv.indexOf("--json-schema") + 1).contains("\"verdict\""), argv.toString());
        String prompt = String.join("\n", argv.subList(argv.indexOf("--") + 1, argv.size()));
        assertTrue(prompt.contains("Files it changed: a.txt") && prompt.contains("+alpha"), "it sees the change: " + prompt);
        JsonNode review = run.events("review-done").get(0);
        assertTrue(review.path("approved").asBoolean());
        assertEquals(0.0125, review.path("costUsd").asDouble(), 1e-9);
        List<JsonNode> events = run.events();
        assertTrue(indexOf(events, "review-done") < indexOf(events, "merge-done"), "reviewed before merged");
        assertEquals(0.025, run.events("run-finished").get(0).path("costUsd").asDouble(), 1e-9, "the review is paid for");
        assertTrue(Files.isRegularFile(run.runDir().resolve("agents/a-1.review.jsonl")));
    }

    @Test
    void changesRequestedByTheReviewerRunTheTaskAgainWithTheComments() throws IOException {
        TestRepo repo = repo(Map.of("README.md", "hello\n"));
        Path goal = goal(repo, FAST_TEAM, """
                  - id: a
                    review: true
                    prompt: |
                      write a.txt alpha
                      argv args-a.txt
                      %s
                      answer-once %s {"verdict": "request-changes", "comments": "say beta instead"}
                """.formatted(APPROVE, tmp.resolve("reviewed-once")));

        Run run = run(repo, "run", goal.toString());

        assertEquals(0, run.exitCode(), run.err());
        assertEquals(List.of("a"), repo.mergedTasks(run.integrationBranch()), "merged once, after the approval");
        List<JsonNode> reviews = run.events("review-done");
        assertEquals(List.of(false, true), reviews.stream().map(r -> r.path("approved").asBoolean()).toList());
        assertEquals(2, run.events("task-assigned").size(), "the writer ran twice");
        String second = repo.show(run.integrationBranch(), "args-a.txt");
        assertTrue(second.contains("the reviewer asked for changes: say beta instead"), second);
        assertTrue(repo.branches("troupe/failed").contains("troupe/failed/" + run.runId() + "/a-1"),
                "the refused change is kept");
    }

    @Test
    void withMergeAtTheEndNothingMergesWhileTasksRunAndDependentsWaitForTheSyncPoint() throws IOException {
        TestRepo repo = repo(Map.of("README.md", "hello\n"));
        Path goal = goal(repo, FAST_TEAM + "sync:\n  merge: end\n", """
                  - id: a
                    prompt: write a.txt alpha
                  - id: b
                    prompt: |
                      sleep 1
                      write b.txt beta
                  - id: c
                    prompt: write c.txt gamma
                  - id: d
                    prompt: write d.txt delta
                    after: [a]
                """);

        Run run = run(repo, "run", goal.toString());

        assertEquals(0, run.exitCode(), run.err());
        List<JsonNode> events = run.events();
        int lastOfFirstWave = 0;
        for (String task : List.of("a", "b", "c")) {
            lastOfFirstWave = Math.max(lastOfFirstWave, indexOf(events, "task-succeeded", task));
        }
        int firstMerge = indexOf(events, "merge-done");
        assertTrue(firstMerge > lastOfFirstWave, "the first sync point comes when a, b and c are all done");
        assertTrue(indexOf(events, "task-assigned", "d") > indexOf(events, "merge-done", "a"), "d starts on a merged a");
        assertEquals(List.of("a", "b", "c", "d"), repo.mergedTasks(run.integrationBranch()), "merged in goal order");
        assertEquals("alpha", repo.show("troupe/tasks/" + run.runId() + "/d", "a.txt"));
    }

    /** A goal without tasks, for the planner; {@code text} goes under {@code goal:}. */
    private Path plannedGoal(TestRepo repo, String text) throws IOException {
        String yaml = "repo: " + repo.dir() + "\n"
                + "agent:\n  command: " + FakeAgent.yamlCommand() + "\n  isolate-config: true\n"
                + FAST_TEAM
                + "goal: |\n" + text.indent(2);
        Path file = tmp.resolve("goal.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private static final String PLAN = "answer {\"tasks\": ["
            + "{\"id\": \"a\", \"prompt\": \"write a.txt alpha\", \"zone\": [\"a.txt\"]},"
            + "{\"id\": \"b\", \"prompt\": \"write b.txt beta\"},"
            + "{\"id\": \"c\", \"prompt\": \"write c.txt gamma\\nargv args-c.txt\", \"after\": [\"a\", \"b\"]}]}";

    @Test
    void aGoalWithoutTasksIsPlannedByAReadOnlyPlannerAndItsTasksRunAsADag() throws IOException {
        TestRepo repo = repo(Map.of("README.md", "hello\n"));
        Path plannerArgs = tmp.resolve("planner-args.txt");
        Path goal = plannedGoal(repo, "Greet in three files.\n" + PLAN + "\nconsult-argv " + plannerArgs + "\n");

        Run run = run(repo, "run", goal.toString());

        assertEquals(0, run.exitCode(), run.err());
        List<String> merged = repo.mergedTasks(run.integrationBranch());
        assertEquals(List.of("a", "b", "c"), merged.stream().sorted().toList());
        assertEquals("c", merged.get(2), "c comes after a and b");
        assertTrue(repo.show(run.integrationBranch(), "args-c.txt").contains("This task comes after a, b."));
        List<String> argv = Files.readAllLines(plannerArgs);
        assertEquals("plan", argv.get(argv.indexOf("--permission-mode") + 1), "the planner cannot write: " + argv);
        assertTrue(argv.get(argv.indexOf("--json-schema") + 1).contains("\"tasks\""));
        assertTrue(String.join("\n", argv).contains("<goal>\nGreet in three files."), "it is given the goal");
        JsonNode plan = run.events("plan-made").get(0);
        assertEquals(List.of("a", "b", "c"), Json.MAPPER.convertValue(plan.path("tasks"), List.class));
        Path saved = run.runDir().resolve("plan.yaml");
        assertTrue(Files.readString(saved).contains("id: c"), "the plan is saved as a goal file");
        assertEquals(0, Invocation.troupe("validate", saved.toString()).exitCode(), "and it is a valid one");
        assertTrue(Files.readString(run.runDir().resolve("plan.md")).contains("| c | a, b | merged |"));
    }

    @Test
    void aPlanThatFailsTheGoalChecksIsAskedForOnceMoreWithTheProblem() throws IOException {
        TestRepo repo = repo(Map.of("README.md", "hello\n"));
        Path plannerArgs = tmp.resolve("planner-args.txt");
        Path goal = plannedGoal(repo, PLAN + "\nanswer-once " + tmp.resolve("planned-once")
                + " {\"tasks\": [{\"id\": \"a\", \"prompt\": \"p\", \"after\": [\"nope\"]}]}\nconsult-argv " + plannerArgs + "\n");

        Run run = run(repo, "run", goal.toString());

        assertEquals(0, run.exitCode(), run.err());
        JsonNode rejected = run.events("plan-rejected").get(0);
        assertTrue(rejected.path("problem").asText().contains("task 'a' comes after unknown task 'nope'"), rejected.toString());
        assertTrue(rejected.path("retrying").asBoolean());
        assertTrue(String.join("\n", Files.readAllLines(plannerArgs)).contains("Your last plan could not be used: "),
                "the second try is told why");
        assertEquals(3, repo.mergedTasks(run.integrationBranch()).size());
        assertTrue(Files.isRegularFile(run.runDir().resolve("planner/plan-1.yaml")), "the refused plan is kept");
    }

    @Test
    void aPlannerThatNeverGivesAUsablePlanStopsTheRunWithExit2AndNothingRuns() throws IOException {
        TestRepo repo = repo(Map.of("README.md", "hello\n"));
        String base = repo.head();
        Path goal = plannedGoal(repo, "Do it.\nno-answer\n");

        Run run = run(repo, "run", goal.toString());

        assertEquals(2, run.exitCode(), run.out());
        assertEquals(2, run.events("plan-rejected").size());
        assertTrue(run.events("plan-rejected").get(1).path("problem").asText().contains("answered in text"));
        assertEquals(0, run.events("task-assigned").size());
        assertEquals(base, repo.git("rev-parse", run.integrationBranch()).strip(), "the integration branch did not move");
        assertTrue(run.out().contains("the planner gave no usable plan"), run.out());
        assertTrue(Files.isRegularFile(run.runDir().resolve("planner/plan-2.jsonl")), "its output is kept");
    }

    @Test
    void planOnlyWritesThePlanBesideTheGoalToEditAndRunLater() throws IOException {
        TestRepo repo = repo(Map.of("README.md", "hello\n"));
        Path goal = plannedGoal(repo, PLAN + "\n");

        assertTrue(Invocation.troupe("validate", goal.toString()).out()
                .contains("valid: no tasks: the planner makes them from the goal text"));
        Invocation planned = Invocation.troupe("run", goal.toString(), "--plan-only");

        assertEquals(0, planned.exitCode(), planned.err());
        Path plan = tmp.resolve("goal.plan.yaml");
        assertTrue(planned.out().contains("troupe run " + plan), planned.out());
        assertEquals(List.of(), repo.branches("troupe/*"), "nothing ran and no branch was made");
        Invocation again = Invocation.troupe("run", goal.toString(), "--plan-only");
        assertEquals(2, again.exitCode(), "an existing plan is never overwritten");
        assertTrue(again.err().contains(plan + " exists"), again.err());

        Run run = run(repo, "run", plan.toString());

        assertEquals(0, run.exitCode(), run.err());
        assertEquals(3, repo.mergedTasks(run.integrationBranch()).size());
        assertEquals(0, run.events("plan-started").size(), "a planned goal is not planned again");
    }

    @Test
    void theNotifyCommandHearsOfFailuresBlockedAgentsAndTheEndWithTheEventOnStdin() throws IOException {
        TestRepo repo = repo(Map.of("README.md", "hello\n"));
        Path heard = tmp.resolve("heard.txt");
        Path lines = tmp.resolve("heard.jsonl");
        Path goal = goal(repo, ONE_ATTEMPT + "notify:\n  bell: true\n  command: |\n"
                + "    cat >> " + lines + "\n"
                + "    printf '%s|%s|%s|%s\\n' \"$TROUPE_EVENT\" \"$TROUPE_RUN\" \"$TROUPE_TASK\" \"$TROUPE_MESSAGE\" >> " + heard + "\n", """
                  - id: fine
                    prompt: write fine.txt ok
                  - id: blocked
                    prompt: |
                      denied Bash
                      write blocked.txt partly
                  - id: broken
                    prompt: exit 3
                """);

        Run run = run(repo, "run", goal.toString());

        assertEquals(1, run.exitCode());
        List<String> notes = Files.readAllLines(heard);
        assertEquals(3, notes.size(), notes.toString());
        assertTrue(notes.stream().anyMatch(n -> n.startsWith("agent-blocked|" + run.runId() + "|blocked|[blocked] done in ")
                && n.endsWith("1 tool calls were denied (see allowed-tools)")), notes.toString());
        assertTrue(notes.stream().anyMatch(n -> n.startsWith("task-failed|" + run.runId() + "|broken|[broken] FAILED")), notes.toString());
        assertTrue(notes.get(2).startsWith("run-finished|" + run.runId() + "||run " + run.runId() + " finished: 2 merged, 1 failed"),
                "the end comes last: " + notes);
        List<String> events = Journals.read(lines).stream().map(line -> line.path("type").asText()).toList();
        assertEquals(List.of("run-finished", "task-failed", "task-succeeded"), events.stream().sorted().toList(),
                "each got its journal line on stdin");
        assertEquals(3, run.err().chars().filter(c -> c == 7).count(), "the bell rang for each");
    }

    @Test
    void resultsFollowShowsALiveAgentsOutputAsItComesUntilTheTaskMerges() throws Exception {
        TestRepo repo = repo(Map.of("README.md", "hello\n"));
        Path goal = goal(repo, FAST_TEAM, """
                  - id: slow
                    prompt: |
                      sleep 1
                      write slow.txt at last
                """);
        java.util.concurrent.CompletableFuture<Invocation> running =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> Invocation.troupe("run", goal.toString()));
        Path runs = repo.dir().resolve(".troupe/runs");
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (!agentStarted(runs)) {
            assertTrue(System.nanoTime() < deadline, "the agent never started");
            Thread.sleep(20);
        }

        Invocation followed = Invocation.troupe("results", "-C", repo.dir().toString(), "--task", "slow", "--follow");

        assertEquals(0, followed.exitCode(), followed.err());
        String out = followed.out();
        assertTrue(out.contains("## Following slow"), out);
        String after = out.substring(out.indexOf("## Following slow"));
        assertTrue(after.contains("tool Write") && after.contains("at last"), "what the agent did after: " + out);
        assertTrue(after.contains("result: success - Did as told."), out);
        assertTrue(out.strip().endsWith("(slow is merged)"), out);
        assertEquals(0, running.get().exitCode());
    }

    private static boolean agentStarted(Path runs) throws IOException {
        if (!Files.isDirectory(runs)) {
            return false;
        }
        try (Stream<Path> dirs = Files.list(runs)) {
            Path events = dirs.findFirst().map(d -> d.resolve("events.jsonl")).orElse(null);
            return events != null && Files.exists(events) && Files.readString(events).contains("\"type\":\"agent-started\"");
        }
    }

    private static int indexOf(List<JsonNode> events, String type) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).path("type").asText().equals(type)) {
                return i;
            }
        }
        throw new AssertionError("no " + type + " event");
    }

    private static int indexOf(List<JsonNode> events, String type, String task) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).path("type").asText().equals(type) && events.get(i).path("task").asText().equals(task)) {
                return i;
            }
        }
        throw new AssertionError("no " + type + " event of " + task);
    }

    @Test
    void chaosAgentsThatKillThemselvesOrHangStillGetEveryTaskMergedExactlyOnce() throws IOException {
        TestRepo repo = repo(Map.of("README.md", "hello\n"));
        StringBuilder tasks = new StringBuilder();
        for (int i = 1; i <= 30; i++) {
            tasks.append("  - id: c").append(i).append("\n    prompt: |\n      chaos\n      write c").append(i)
                    .append(".txt ").append(i).append("\n");
        }
        Path goal = goal(repo, "team:\n  size: 4\n  stagger: 0ms\nlimits:\n  attempts: 15\n  idle-timeout: 1s\n",
                tasks.toString());

        Run run = run(repo, "run", goal.toString());

        assertEquals(0, run.exitCode(), run.err());
        List<String> merged = repo.mergedTasks(run.integrationBranch());
        assertEquals(30, merged.size());
        assertEquals(30, new java.util.HashSet<>(merged).size(), "no task merged twice");
        assertFalse(run.events("attempt-failed").isEmpty(), "the chaos did strike");
        for (int i = 1; i <= 30; i++) {
            assertEquals(Integer.toString(i), repo.show(run.integrationBranch(), "c" + i + ".txt"));
        }
    }

    @Test
    void tasksWithOverlappingZonesNeverRunAtOnce() throws IOException {
        TestRepo repo = repo(Map.of("README.md", "hello\n"));
        Path goal = goal(repo, "team:\n  size: 3\n  stagger: 0ms\n", """
                  - id: wide
                    prompt: |
                      sleep 0.5
                      write src/wide.txt w
                    zone: ["src/**"]
                  - id: narrow
                    prompt: |
                      sleep 0.5
                      write src/ui/narrow.txt n
                    zone: ["src/ui/**"]
                  - id: apart
                    prompt: |
                      sleep 0.5
                      write docs/apart.txt a
                    zone: ["docs/**"]
                """);

        Run run = run(repo, "run", goal.toString());

        assertEquals(0, run.exitCode(), run.err());
        List<JsonNode> events = run.events();
        int wideMerged = indexOf(events, "merge-done", "wide");
        int narrowStarted = indexOf(events, "task-assigned", "narrow");
        int narrowMerged = indexOf(events, "merge-done", "narrow");
        int wideStarted = indexOf(events, "task-assigned", "wide");
        assertTrue(narrowStarted > wideMerged || wideStarted > narrowMerged, "src/** and src/ui/** one after the other");
        assertTrue(indexOf(events, "task-assigned", "apart") < Math.max(wideMerged, narrowMerged),
                "docs/** ran alongside");
    }

    @Test
    void workOutsideItsZoneIsRejectedAndTheNextAttemptToldWhatIsOffLimits() throws IOException {
        TestRepo repo = repo(Map.of("README.md", "hello\n"));
        Path goal = goal(repo, "team:\n  size: 1\n  stagger: 0ms\nlimits:\n  attempts: 2\nsync:\n  zone-policy: reject\n", """
                  - id: trespasser
                    prompt: |
                      write auth/login.txt in
                      write ui/button.txt out
                      argv auth/args.txt
                    zone: ["auth/**"]
                """);

        Run run = run(repo, "run", goal.toString());

        assertEquals(1, run.exitCode());
        List<JsonNode> violations = run.events("zone-violation");
        assertEquals(2, violations.size());
        assertTrue(violations.get(0).path("rejected").asBoolean());
        assertEquals("ui/button.txt", violations.get(0).path("files").get(0).asText());
        assertEquals(List.of(), repo.mergedTasks(run.integrationBranch()));
        String secondPrompt = repo.show("troupe/failed/" + run.runId() + "/trespasser-2", "auth/args.txt");
        assertTrue(secondPrompt.contains("off-limits: ui/button.txt"), secondPrompt);
    }

    @Test
    void workOutsideItsZoneIsMergedWithAWarningByDefault() throws IOException {
        TestRepo repo = repo(Map.of("README.md", "hello\n"));
        Path goal = goal(repo, FAST_TEAM, """
                  - id: sprawling
                    prompt: |
                      write auth/login.txt in
                      write ui/button.txt out
                    zone: ["auth/**"]
                """);

        Run run = run(repo, "run", goal.toString());

        assertEquals(0, run.exitCode(), run.err());
        assertFalse(run.events("zone-violation").get(0).path("rejected").asBoolean());
        assertTrue(run.err().contains("[sprawling] changed files outside its zone: ui/button.txt"), run.err());
    }

    @Test
    void aZoneHoldsFilesAsGitsGlobsDo() throws IOException {
        TestRepo repo = repo(Map.of("README.md", "hello\n"));
        Path goal = goal(repo, FAST_TEAM, """
                  - id: scripts
                    prompt: |
                      write src/a.js top
                      write src/x/y/b.js nested
                      write NOTES.md top
                      write docs/x.md nested
                    zone: ["src/**/*.js", "*.md"]
                """);

        Run run = run(repo, "run", goal.toString());

        assertEquals(0, run.exitCode(), run.err());
        List<JsonNode> violations = run.events("zone-violation");
        assertEquals(1, violations.size(), violations.toString());
        assertEquals("[\"docs/x.md\"]", violations.get(0).path("files").toString(),
                "**/ holds src/a.js (zero directories); a top-level *.md does not hold docs/x.md");
    }

    private Path fanoutGoal(TestRepo repo, String extra) throws IOException {
        return fanoutGoal(repo, extra, "src/*.js");
    }

    private Path fanoutGoal(TestRepo repo, String extra, String files) throws IOException {
        Path file = tmp.resolve("goal.yaml");
        Files.writeString(file, "repo: " + repo.dir() + "\nteam: {size: 3, stagger: 0ms}\n"
                + "agent:\n  command: " + FakeAgent.yamlCommand() + "\n" + extra
                + "fanout:\n  files: \"" + files + "\"\n  canary: 1\n"
                + "  prompt: |\n    exit-if {file}.broken 3\n    write {file}.done migrated\n");
        return file;
    }

    @Test
    void aFanoutMakesOneTaskPerMatchingFileAndRunsTheCanaryFirst() throws IOException {
        TestRepo repo = repo(Map.of("src/a.js", "a\n", "src/b.js", "b\n", "src/c.js", "c\n", "src/d.js", "d\n",
                "lib/x.py", "x\n"));

        Run run = run(repo, "run", fanoutGoal(repo, "").toString());

        assertEquals(0, run.exitCode(), run.err());
        String branch = run.integrationBranch();
        assertEquals(List.of("src/a.js", "src/b.js", "src/c.js", "src/d.js"), repo.mergedTasks(branch).stream().sorted().toList());
        assertEquals("migrated", repo.show(branch, "src/c.js.done"));
        List<JsonNode> events = run.events();
        int canaryMerged = indexOf(events, "merge-done", "src/a.js");
        for (String other : List.of("src/b.js", "src/c.js", "src/d.js")) {
            assertTrue(indexOf(events, "task-assigned", other) > canaryMerged, other + " waited for the canary");
        }
    }

    @Test
    void aFanoutOverDoubleStarTakesTopLevelAndNestedFiles() throws IOException {
        TestRepo repo = repo(Map.of("src/a.js", "a\n", "src/x/y/b.js", "b\n", "src/a.ts", "t\n", "lib/c.js", "c\n"));

        Run run = run(repo, "run", fanoutGoal(repo, "", "src/**/*.js").toString());

        assertEquals(0, run.exitCode(), run.err());
        assertEquals(List.of("src/a.js", "src/x/y/b.js"), repo.mergedTasks(run.integrationBranch()));
    }

    @Test
    void aFailedCanaryStopsTheFanoutBeforeTheRestStart() throws IOException {
        TestRepo repo = repo(Map.of("src/a.js", "a\n", "src/a.js.broken", "!\n", "src/b.js", "b\n", "src/c.js", "c\n"));

        Run run = run(repo, "run", fanoutGoal(repo, "limits:\n  attempts: 1\n").toString());

        assertEquals(1, run.exitCode());
        assertEquals(List.of("src/a.js"), run.events("task-assigned").stream().map(e -> e.path("task").asText()).toList());
        assertEquals(2, run.events("task-skipped").size());
        assertTrue(run.events("task-skipped").get(0).path("reason").asText().contains("canary 'src/a.js' did not merge"));
    }

    private static Map<String, String> modules(int count) {
        Map<String, String> files = new java.util.HashMap<>();
        for (int i = 0; i < count; i++) {
            files.put(String.format("src/m%03d.js", i), "module " + i + "\n");
        }
        return files;
    }

    @Test
    void aFanoutOver300FilesMergesEveryOneExactlyOnce() throws IOException {
        TestRepo repo = repo(modules(300));

        Run run = run(repo, "run", fanoutGoal(repo, "").toString(), "--team", "4", "--quiet");

        assertEquals(0, run.exitCode(), run.out());
        List<String> merged = repo.mergedTasks(run.integrationBranch());
        assertEquals(300, merged.size());
        assertEquals(300, new java.util.HashSet<>(merged).size(), "none twice");
        assertEquals("src/m000.js", merged.get(0), "the canary first");
        assertEquals("migrated", repo.show(run.integrationBranch(), "src/m299.js.done"));
    }

    @Test
    void aFailingCanaryOf300FilesStopsTheOther299() throws IOException {
        Map<String, String> files = modules(300);
        files.put("src/m000.js.broken", "!\n");
        TestRepo repo = repo(files);

        Run run = run(repo, "run", fanoutGoal(repo, "limits:\n  attempts: 1\n").toString(), "--quiet");

        assertEquals(1, run.exitCode());
        assertEquals(List.of("src/m000.js"), run.events("task-assigned").stream().map(e -> e.path("task").asText()).toList());
        assertEquals(299, run.events("task-skipped").size());
        assertEquals(List.of(), repo.mergedTasks(run.integrationBranch()));
    }

    @Test
    void aFanoutThatMatchesNothingIsRefused() throws IOException {
        TestRepo repo = repo(Map.of("lib/x.py", "x\n"));

        Run run = run(repo, "run", fanoutGoal(repo, "").toString());

        assertEquals(ExitCodes.BAD_INPUT, run.exitCode());
        assertTrue(run.err().contains("fanout.files 'src/*.js' matches no file tracked at the base"), run.err());
        assertFalse(Files.exists(repo.dir().resolve(".troupe")));
    }

    @Test
    void aMergeThatFailsTheCheckIsNotMergedAndTheRetryIsToldTheChecksOutput() throws IOException {
        TestRepo repo = repo(Map.of("README.md", "hello\n"));
        Path marker = tmp.resolve("bad-once");
        Path goal = goal(repo, FAST_TEAM + "limits:\n  attempts: 2\nsync:\n  check: \"test ! -e bad.txt || { echo bad.txt must go; exit 7; }\"\n",
                "  - id: checked\n    prompt: |\n      once " + marker + " bad.txt oops\n      write good.txt fine\n      argv args.txt\n");

        Run run = run(repo, "run", goal.toString());

        assertEquals(0, run.exitCode(), run.err());
        String branch = run.integrationBranch();
        assertEquals("fine", repo.show(branch, "good.txt"));
        assertFalse(repo.tree(branch).containsKey("bad.txt"), "the change that failed the check never reached the branch");
        String reason = run.events("attempt-failed").get(0).path("reason").asText();
        assertTrue(reason.contains("the check failed") && reason.contains("exited with 7") && reason.contains("bad.txt must go"),
                reason);
        assertTrue(repo.show(branch, "args.txt").contains("bad.txt must go"), "the retry was told");
        assertEquals("oops", repo.show("troupe/failed/" + run.runId() + "/checked-1", "bad.txt"), "the rejected work is kept");
    }

    @Test
    @Timeout(120)
    void aCheckThatHangsIsKilledWithWhatItStartedAtItsTimeoutAndTheRunGoesOn() throws Exception {
        TestRepo repo = repo(Map.of("README.md", "hello\n"));
        Path escaped = tmp.resolve("escaped.pid");
        // With hang.txt in the merge the check never ends, and what it started left its tree (its parent gone) for a
        // session of its own, as a test runner's children may.
        String check = "if [ -e hang.txt ]; then (setsid bash -c 'echo $$ > " + escaped
                + "; exec sleep 1000' &); sleep 1000; fi";
        Path goal = goal(repo, FAST_TEAM + "limits:\n  attempts: 2\n  task-timeout: 10m\n"
                + "sync:\n  check: \"" + check + "\"\n  check-timeout: 5s\n", """
                  - id: hung
                    prompt: |
                      once %s hang.txt forever
                      write hung.txt done
                  - id: fine
                    prompt: write fine.txt ok
                """.formatted(tmp.resolve("hang-once")));
        java.util.concurrent.CompletableFuture<Run> running =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> run(repo, "run", goal.toString()));

        dev.troupe.testing.Await.until(() -> checkRunning(repo, "hung"), "the hanging check under way");
        Invocation status = Invocation.troupe("status", "-C", repo.dir().toString());
        Run run = running.get(100, java.util.concurrent.TimeUnit.SECONDS);

        assertTrue(status.out().lines().anyMatch(line -> line.strip().startsWith("hung ") && line.contains("checking")
                && line.contains("sync.check: " + check)), "troupe status shows the check under way:\n" + status.out());
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(List.of("fine", "hung"), repo.mergedTasks(run.integrationBranch()).stream().sorted().toList(),
                "the run went on: the other task merged, and the hung one on its next attempt");
        JsonNode killed = run.events("check-done").stream().filter(e -> e.path("timedOut").asBoolean())
                .findFirst().orElseThrow();
        assertEquals("hung", killed.path("task").asText());
        assertEquals(1, killed.path("attempt").asInt());
        assertEquals(-1, killed.path("exitCode").asInt());
        long took = killed.path("durationMs").asLong();
        assertTrue(took >= 5000 && took < 30_000, "it cost its own timeout, not the task's (10m): " + took + " ms");
        assertTrue(run.events("check-done").stream().filter(e -> !e.path("timedOut").asBoolean())
                .allMatch(e -> e.path("exitCode").asInt() == 0), "the other checks passed");
        assertEquals(3, run.events("check-started").size(), "hung twice and fine once: " + run.events("check-started"));
        String reason = run.events("attempt-failed").get(0).path("reason").asText();
        assertTrue(reason.contains("the check failed") && reason.contains("timed out")
                && reason.contains("sync.check-timeout (5.0s)"), reason);
        long pid = Long.parseLong(Files.readString(escaped).strip());
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                "what the check started in a session of its own is killed with it");
    }

    /** Whether the live run's journal says {@code task}'s merge is being checked now. */
    private static boolean checkRunning(TestRepo repo, String task) {
        Path runs = repo.dir().resolve(".troupe/runs");
        if (!Files.isDirectory(runs)) {
            return false;
        }
        try (Stream<Path> dirs = Files.list(runs)) {
            List<JsonNode> events = dirs.findFirst().map(dir -> Journals.readLive(dir.resolve("events.jsonl")))
                    .orElse(List.of());
            List<JsonNode> started = Journals.ofType(events, "check-started").stream()
                    .filter(e -> e.path("task").asText().equals(task)).toList();
            return started.size() == 1 && Journals.ofType(events, "check-done").stream()
                    .noneMatch(e -> e.path("task").asText().equals(task));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aRateLimitPausesTheTeamAndDoesNotUseUpAnAttempt() throws IOException {
        TestRepo repo = repo(Map.of("README.md", "hello\n"));
        Path marker = tmp.resolve("limited-once");
        Path goal = goal(repo, ONE_ATTEMPT,
                "  - id: limited\n    prompt: |\n      ratelimit " + marker + "\n      write limited.txt fine\n");

        Run run = run(repo, "run", goal.toString());

        assertEquals(0, run.exitCode(), run.err());
        assertEquals(List.of("limited"), repo.mergedTasks(run.integrationBranch()));
        assertFalse(run.events("attempt-failed").get(0).path("counted").asBoolean(), "attempts: 1, yet retried");
        assertFalse(run.events("team-paused").isEmpty());
        assertEquals("rate_limit", run.events("agent-retry").get(0).path("error").asText());
    }

    @Test
    void aReviewerIsNotStartedWhileTheTeamIsPausedForARateLimit() throws IOException {
        TestRepo repo = repo(Map.of("README.md", "hello\n"));
        Path marker = tmp.resolve("limited-once");
        Path goal = goal(repo, FAST_TEAM, """
                  - id: limited
                    prompt: |
                      sleep 0.3
                      ratelimit %s 6000
                      write limited.txt fine
                  - id: a
                    review: true
                    prompt: |
                      sleep 1.5
                      write a.txt alpha
                      %s
                """.formatted(marker, APPROVE));
        // a starts 10 ms after limited, well before limited's 429 (0.3 s) pauses the team; it is done at about
        // 1.5 s, in the middle of the 6 s pause, so its review is due while the team is paused.

        Run run = run(repo, "run", goal.toString());

        assertEquals(0, run.exitCode(), run.err());
        assertEquals(List.of("a", "limited"), repo.mergedTasks(run.integrationBranch()).stream().sorted().toList());
        java.time.Instant pausedUntil = run.events("team-paused").stream()
                .map(e -> java.time.Instant.parse(e.path("until").asText())).max(java.time.Instant::compareTo).orElseThrow();
        java.time.Instant written = java.time.Instant.parse(run.events("task-succeeded").stream()
                .filter(e -> e.path("task").asText().equals("a")).findFirst().orElseThrow().path("time").asText());
        java.time.Instant reviewed = java.time.Instant.parse(run.events("review-started").get(0).path("time").asText());
        assertTrue(written.isBefore(pausedUntil), "a's change was done during the pause (" + written + ", " + pausedUntil + ")");
        assertFalse(reviewed.isBefore(pausedUntil), "its reviewer waited for the pause to end: started " + reviewed
                + ", paused until " + pausedUntil);
    }

    @Test
    void aMergeStoppedByAHeldRefLockIsTriedAgainWithoutRunningTheAgentAgain() throws IOException {
        TestRepo repo = repo(Map.of("README.md", "hello\n"));
        // The check runs just before the branch moves: the first time, "another git" takes the branch's lock.
        Path lock = repo.dir().resolve(".git/refs/heads/integ.lock");
        Path once = tmp.resolve("locked-once");
        String check = "if [ -e " + once + " ]; then rm -f " + lock + "; else touch " + once + " " + lock + "; fi";
        Path goal = goal(repo, FAST_TEAM + "sync:\n  check: \"" + check + "\"\n", "  - id: a\n    prompt: write a.txt alpha\n");

        Invocation troupe = Invocation.troupe("run", goal.toString(), "--into", "integ");

        assertEquals(0, troupe.exitCode(), troupe.err());
        assertEquals(List.of("a"), repo.mergedTasks("integ"), "merged once");
        assertTrue(Files.exists(once), "the first merge did meet the lock");
        Path runs = repo.dir().resolve(".troupe/runs");
        List<JsonNode> events;
        try (Stream<Path> dirs = Files.list(runs)) {
            events = Journals.read(dirs.findFirst().orElseThrow().resolve("events.jsonl"));
        }
        assertEquals(1, Journals.ofType(events, "task-assigned").size(), "the agent ran once");
        assertEquals(List.of(), Journals.ofType(events, "attempt-failed"));
    }

    @Test
    void noAttemptStartsOnceTheBudgetIsSpent() throws IOException {
        TestRepo repo = repo(Map.of("README.md", "hello\n"));
        StringBuilder tasks = new StringBuilder();
        for (int i = 1; i <= 5; i++) {
            tasks.append("  - id: b").append(i).append("\n    prompt: write b").append(i).append(".txt ").append(i).append("\n");
        }
        // Each fake agent reports $0.0125: the third success reaches $0.0375, past the budget.
        Path goal = goal(repo, "team:\n  size: 1\n  stagger: 0ms\nlimits:\n  budget-usd: 0.03\n", tasks.toString());

        Run run = run(repo, "run", goal.toString());

        assertEquals(1, run.exitCode());
        assertEquals(List.of("b1", "b2", "b3"), repo.mergedTasks(run.integrationBranch()));
        assertEquals(List.of("b4", "b5"), run.events("task-skipped").stream().map(e -> e.path("task").asText()).toList());
        assertTrue(run.events("task-skipped").get(0).path("reason").asText().contains("budget of $0.0300 is spent"));
        assertEquals(1, run.events("budget-spent").size());
        assertTrue(run.out().contains("The budget (limits.budget-usd) was spent"), run.out());
    }

    @ParameterizedTest(name = "examples/{0}")
    @ValueSource(strings = {"hello", "fanout", "planned", "review", "steer", "retry", "tell", "rounds", "variants"})
    void everyExampleTeamFinishesWithEveryTaskMergedOnTheDemoAgent(String name) throws IOException {
        Path example = Path.of("examples", name).toAbsolutePath();
        Map<String, String> files;
        try (Stream<Path> walk = Files.walk(example.resolve("project"))) {
            files = walk.filter(Files::isRegularFile).collect(Collectors.toMap(
                    p -> example.resolve("project").relativize(p).toString(), RunCommandTest::read));
        }
        files.put("goal.yaml", read(example.resolve("goal.yaml")));
        TestRepo repo = repo(files);

        Run run = run(repo, "run", repo.dir().resolve("goal.yaml").toString(), "--team", "4");

        assertEquals(0, run.exitCode(), run.err());
        int tasks = (name.equals("planned") || name.equals("rounds") ? run.events("plan-made") : run.events("run-started"))
                .stream().mapToInt(e -> e.path("tasks").size()).sum();
        assertTrue(tasks >= (name.equals("variants") ? 2 : 4), "the example has work to do");
        assertEquals(tasks, repo.mergedTasks(run.integrationBranch()).size());
        String branch = run.integrationBranch();
        switch (name) {
            case "hello" -> assertEquals("Bonjour, le monde !", repo.show(branch, "greetings/fr.txt"));
            case "fanout" -> assertTrue(repo.show(branch, "src/search.js").endsWith("// reviewed by the troupe demo"));
            case "planned" -> {
                assertEquals("Bienvenue !", repo.show(branch, "messages/fr.txt"));
                assertEquals(List.of("readme"), run.events("merge-done").stream().skip(3).map(e -> e.path("task").asText()).toList(),
                        "the README task comes after the three messages");
                assertEquals(1, run.events("review-done").size(), "the item marked (reviewed) is reviewed");
            }
            case "review" -> {
                assertEquals("export function greet(name) { return 'Hello, ' + name + '!'; }", repo.show(branch, "src/greet.js"));
                assertEquals(3, run.events("review-done").size(), "every task but the docs is reviewed");
            }
            case "steer" -> {
                // examples/steer/demo.sh steers this team while it runs; unsteered, it simply finishes, slowly.
                assertEquals("Four.", repo.show(branch, "notes/four.txt"));
                assertTrue(Files.readString(repo.dir().resolve(".troupe/runs/" + branch.substring("troupe/".length())
                        + "/agents/one-1.jsonl")).contains("(4 of 4 s)"), "the demo agent took its time, saying so");
            }
            case "retry" -> {
                assertTrue(repo.show(branch, "greetings.txt").startsWith("Greetings:"), "its heading stays first");
                assertTrue(repo.show(branch, "greetings.txt").contains("Hello!")
                        && repo.show(branch, "greetings.txt").contains("Bonjour !"), repo.show(branch, "greetings.txt"));
                JsonNode conflict = run.events("merge-conflict").get(0);
                String task = conflict.path("task").asText();
                List<JsonNode> started = run.events("agent-started").stream()
                        .filter(e -> e.path("task").asText().equals(task)).toList();
                assertEquals(2, started.size(), "the conflicting task ran twice");
                assertFalse(started.get(0).has("resumed"), "its first attempt started fresh");
                assertEquals(started.get(0).path("sessionId").asText(), started.get(1).path("resumed").asText(),
                        "its retry continued the first attempt's session");
                assertNotEquals(started.get(0).path("sessionId").asText(), started.get(1).path("sessionId").asText(),
                        "forked into a session of its own");
                String slug = run.events("task-assigned").stream().filter(e -> e.path("task").asText().equals(task))
                        .findFirst().orElseThrow().path("branch").asText().replaceFirst(".*/", "");
                assertTrue(Files.readString(repo.dir().resolve(".troupe/runs/" + branch.substring("troupe/".length())
                        + "/agents/" + slug + "-2.jsonl")).contains("Picking up where I left off"),
                        "the demo agent knew its task from the session");
            }
            case "tell" -> {
                // examples/tell/demo.sh tells this team things while it runs; untold, it writes what the prompts say.
                assertEquals("Four.", repo.show(branch, "notes/four.txt"));
                assertEquals(List.of(), run.events("task-told"));
            }
            case "rounds" -> {
                assertEquals(3, run.events("plan-made").size(), "three rounds");
                assertEquals(3, run.events("goal-met").get(0).path("round").asInt(), "then the planner says it is met");
                assertEquals("Welcome messages in en, fr and de: see messages/.", repo.show(branch, "README.md")
                        .lines().reduce((first, second) -> second).orElseThrow());
            }
            case "variants" -> {
                assertEquals("Hello, world!", repo.show(branch, "greeting.txt"), "the judge took the smallest change");
                assertEquals("Goodbye!", repo.show(branch, "farewell.txt"));
                assertEquals(5, run.events("variant-done").size(), "three variants and two");
                assertEquals(Map.of("greeting", "agent", "farewell", "check"), run.events("variant-chosen").stream()
                        .collect(Collectors.toMap(e -> e.path("task").asText(), e -> e.path("by").asText())));
                assertEquals(5, repo.branches("troupe/variants/" + run.runId() + "/").size(), "every variant is kept");
            }
            default -> throw new AssertionError(name);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
