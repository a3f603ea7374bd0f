package dev.troupe.team;

import dev.troupe.agent.AgentMessage;
import dev.troupe.git.Branches;
import dev.troupe.git.Commits;
import dev.troupe.git.GitException;
import dev.troupe.git.LastWords;
import dev.troupe.git.Pathspecs;
import dev.troupe.git.Repositories;
import dev.troupe.team.rules.AgentSession;
import dev.troupe.team.rules.Assignment;
import dev.troupe.team.rules.AttemptResult;
import dev.troupe.team.rules.RunContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;

/**
 * Settles a decided attempt off the actor (blocking: git and files): commits a writer's work and writes its
 * result file, or keeps what a failed writer left on a failed branch and says why it failed.
 */
final class AttemptSettlement {

    /**
     * An attempt as it was decided: {@code failure} is null for success; {@code result} is the agent's
     * {@code result} line and {@code exitCode} its exit, each null if there was none.
     */
    record Decided(Assignment assignment, Instant started, AgentMessage.Result result, Integer exitCode,
            String failure) {}

    /** How an attempt settled: its result for success, else the reason it failed. */
    record Outcome(AttemptResult result, String failure) {}

    private final RunContext run;

    AttemptSettlement(RunContext run) {
        this.run = run;
    }

    /**
     * Blocking: commits a writer's success, or keeps what a failed writer left, and says why it failed. An agent
     * that answers succeeds only with an answer; what it may have left in the worktree is not kept.
     */
    Outcome settle(Decided attempt, Path worktree, List<String> leaveOut) throws Exception {
        Assignment assignment = attempt.assignment();
        if (attempt.failure() == null && assignment.role().answers()) {
            return answer(attempt);
        }
        if (attempt.failure() == null) {
            return new Outcome(commit(attempt, worktree, leaveOut), null);
        }
        String reason = attempt.failure();
        if (attempt.exitCode() != null && attempt.result() == null) {
            reason += lastStderrLine(assignment).map(line -> ": " + line).orElse("");
        }
        if (assignment.role().answers()) {
            return new Outcome(null, reason);
        }
        try {
            ObjectId kept = Commits.commitTask(worktree, "troupe: unfinished work of " + assignment.task().id()
                    + ", attempt " + assignment.attempt() + "\n\nThe attempt failed: " + attempt.failure() + "\n", leaveOut,
                    assignment.base());
            if (!kept.equals(assignment.base())) {
                // Apart from the task branch, which the next attempt starts afresh; a variant's on its own branch.
                String keptOn = assignment.branch().equals(run.variantBranch(assignment.task(), assignment.attempt()))
                        ? assignment.branch() : run.failedBranch(assignment.task(), assignment.attempt());
                Branches.force(run.repo(), keptOn, kept);
                reason += " (what it left is kept on " + keptOn + ")";
            }
        } catch (GitException e) {
            reason += " (what it left could not be kept: " + LastWords.firstLine(e.getMessage(), LastWords.MAX) + ")";
        }
        return new Outcome(null, reason);
    }

    private Outcome answer(Decided attempt) {
        AgentMessage.Result result = attempt.result();
        if (result.structuredOutput().isEmpty()) {
            // The CLI reports success when the model answered twice with text instead of the structured output.
            return new Outcome(null, "the agent answered in text, not with the structured output it was asked for");
        }
        long duration = Duration.between(attempt.started(), Instant.now()).toMillis();
        return new Outcome(new AttemptResult("", attempt.assignment().base(), result.costUsd(), result.usage(),
                result.turns(), duration, List.of(), List.of(), result.text(), result.permissionDenials(),
                result.structuredOutput()),
                null);
    }

    private Optional<String> lastStderrLine(Assignment assignment) throws IOException {
        Path stderr = run.agentOutput(assignment, ".stderr");
        if (!Files.exists(stderr) || Files.size(stderr) > 1 << 20) {
            return Optional.empty();
        }
        List<String> lines = Files.readAllLines(stderr, StandardCharsets.UTF_8);
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (!lines.get(i).isBlank()) {
                String line = run.secrets().redact(lines.get(i).strip());
                return Optional.of(line.length() > 300 ? line.substring(0, 297) + "..." : line);
            }
        }
        return Optional.empty();
    }

    /** Blocking: commits the agent's work, lists what changed and writes {@code results/<task>.md}. */
    private AttemptResult commit(Decided attempt, Path worktree, List<String> leaveOut) throws Exception {
        Assignment assignment = attempt.assignment();
        AgentMessage.Result result = attempt.result();
        String title = assignment.task().id() + ": " + firstLine(assignment.task().prompt());
        ObjectId head = Commits.commitTask(worktree, "troupe: " + title + "\n\nWork of the agent on attempt "
                + assignment.attempt() + ".\n", leaveOut, assignment.base());
        Branches.force(run.repo(), assignment.branch(), head);
        List<String> files;
        try (Repository repo = Repositories.shared(worktree)) {
            files = Commits.changedPaths(repo, assignment.base(), head);
        }
        List<String> zone = assignment.task().zone();
        List<String> outside = zone.isEmpty() ? List.of()
                : Pathspecs.changedOutside(worktree, assignment.base().name(), head.name(), zone);
        long duration = Duration.between(attempt.started(), Instant.now()).toMillis();
        AttemptResult done = new AttemptResult(assignment.branch(), head, result.costUsd(), result.usage(),
                result.turns(), duration, files, outside, result.text(), result.permissionDenials(), Optional.empty(),
                result.sessionId().isEmpty() ? Optional.empty() : Optional.of(new AgentSession(result.sessionId(), worktree)));
        writeResultFile(assignment, done);
        return done;
    }

    private void writeResultFile(Assignment assignment, AttemptResult done) throws IOException {
        Path file = run.resultFile(assignment);
        Files.createDirectories(file.getParent());
        StringBuilder md = new StringBuilder();
        md.append("# ").append(assignment.task().id()).append("\n\n");
        md.append("Attempt ").append(assignment.attempt()).append(", branch `").append(done.branch())
                .append("`, commit `").append(done.commit().name()).append("`.\n\n");
        md.append("## Prompt\n\n").append(assignment.task().prompt()).append("\n\n");
        md.append("## Result\n\n").append(done.text() == null || done.text().isBlank() ? "(no text)" : done.text())
                .append("\n\n");
        md.append("## Files changed\n\n");
        if (done.filesChanged().isEmpty()) {
            md.append("(none)\n");
        }
        done.filesChanged().forEach(f -> md.append("- ").append(f).append('\n'));
        Files.writeString(file, md, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    }

    /** A failure's first line, short enough for a one-line reason. */
    static String firstLine(String text) {
        String first = text.strip().lines().findFirst().orElse("");
        return first.length() > 72 ? first.substring(0, 69) + "..." : first;
    }
}
