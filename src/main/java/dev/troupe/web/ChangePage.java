package dev.troupe.web;

import dev.troupe.journal.RunHistory;
import dev.troupe.journal.TaskLife;
import dev.troupe.report.Html;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a task changed: the diff of its last finished attempt's commit against the base it started from, and once
 * merged, what its merge brought into the integration branch. Read from the repository's objects by commit id (ids
 * from the journal, checked to be ids), and cut at {@link #MOST_CHARS}.
 */
final class ChangePage {

    static final int MOST_CHARS = 2_000_000;
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

    private ChangePage() {}

    /** The page of {@code task}'s change, read from the repository {@code repo} (the one served, not the journal's word). */
    static String html(RunHistory history, TaskLife task, Path repo, String token) throws IOException {
        String run = history.started().run();
        StringBuilder body = new StringBuilder("<header><h1>The change of <code>").append(Html.escape(task.id()))
                .append("</code></h1></header>\n");
        if (!COMMIT.matcher(task.commit()).matches() || !COMMIT.matcher(task.commitBase()).matches()) {
            body.append("<p class=\"note\" id=\"no-change\">No attempt of this task has finished yet: an attempt's work"
                    + " is committed on its branch when it ends.</p>\n");
        } else {
            String own = diff(repo, task.commitBase(), task.commit());
            body.append("<section><h2>Attempt ").append(task.commitAttempt()).append(" against its base <code>")
                    .append(task.commitBase(), 0, 7).append("</code></h2>\n").append(own).append("</section>\n");
            if (COMMIT.matcher(task.mergeCommit()).matches()) {
                String merged = diff(repo, task.mergeCommit() + "^1", task.mergeCommit());
                body.append("<section><h2>What merged into <code>").append(Html.escape(history.started().integrationBranch()))
                        .append("</code> (<code>").append(task.mergeCommit(), 0, 7).append("</code>)</h2>\n")
                        .append(merged.equals(own) ? "<p class=\"note\">The same change.</p>\n" : merged)
                        .append("</section>\n");
            }
        }
        return Pages.page("troupe " + run + " · " + task.id() + " · change", " › <a href=\"/runs/" + run + "\"><code>"
                + Html.escape(run) + "</code></a> › <a href=\"" + Html.escape(Pages.taskHref(run, task.id())) + "\"><code>"
                + Html.escape(task.id()) + "</code></a> › change", token, null, Map.of(), body.toString());
    }

    /**
     * {@code git diff from to}, read no further than {@link #MOST_CHARS}: no external diff or text conversion the
     * repository's settings name is run for a page.
     */
    private static String diff(Path repo, String from, String to) throws IOException {
        Process git = new ProcessBuilder("git", "-C", repo.toString(), "diff", "--no-color", "--no-ext-diff",
                "--no-textconv", "--stat", "--patch", from, to, "--")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] read;
        try (InputStream out = git.getInputStream()) {
            read = out.readNBytes(MOST_CHARS + 1);
        } finally {
            git.destroy();
        }
        int exit;
        try {
            exit = git.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while git read the change");
        }
        boolean cut = read.length > MOST_CHARS;
        if (!cut && exit != 0) {
            return "<p class=\"note\">git cannot show it (exit " + exit + "): the commits may be gone (troupe cleanup).</p>\n";
        }
        String text = new String(read, 0, Math.min(read.length, MOST_CHARS), StandardCharsets.UTF_8);
        if (text.isBlank()) {
            return "<p class=\"note\">No change.</p>\n";
        }
        StringBuilder html = new StringBuilder("<pre class=\"diff\">");
        text.lines().forEach(line -> {
            String kind = line.startsWith("diff --git") ? "file" : line.startsWith("@@") ? "hunk"
                    : line.startsWith("+") && !line.startsWith("+++") ? "add"
                    : line.startsWith("-") && !line.startsWith("---") ? "del" : "";
            html.append(kind.isEmpty() ? "" : "<span class=\"" + kind + "\">").append(Html.escape(line))
                    .append(kind.isEmpty() ? "" : "</span>").append('\n');
        });
        html.append("</pre>\n");
        if (cut) {
            html.append("<p class=\"note\">Cut at ").append(MOST_CHARS / 1_000_000).append(" MB: <code>git diff ")
                    .append(Html.escape(from)).append(' ').append(Html.escape(to)).append("</code> shows the rest.</p>\n");
        }
        return html.toString();
    }
}
