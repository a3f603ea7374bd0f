package dev.troupe.team.rules;

import dev.troupe.goal.Goal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * What an agent is told: the task's own prompt, then what troupe knows that the agent cannot: the outcome of
 * the tasks it comes after (their work is in its starting point, but not their reasons), and why an earlier
 * attempt of the same task failed. The task's prompt comes first and is never changed.
 */
public final class Prompts {

    /** What a dependency left, for its dependents. */
    record Handoff(String taskId, String resultText, List<String> filesChanged, Path resultFile) {}

    /** Heads the messages of {@code troupe tell} in a prompt. */
    static final String TOLD = "While the team worked, the person running it told this task:\n";
    private static final int MAX_RESULT_CHARS = 2000;
    private static final int MAX_FILES = 50;
    /**
     * The most a reviewer's prompt holds, in UTF-8 bytes: it is one command-line argument, and Linux takes at
     * most 128 KiB there. The diff is cut to fit.
     */
    static final int MAX_PROMPT_BYTES = 100_000;

    private Prompts() {}

    static String prompt(Goal.TaskSpec task, List<Handoff> after, String lastFailure) {
        return prompt(task, after, lastFailure, List.of(), List.of());
    }

    /**
     * @param heard the merged tasks it {@code hears} from, that it does not come after
     * @param told what {@code troupe tell} said to the task, in order
     */
    static String prompt(Goal.TaskSpec task, List<Handoff> after, String lastFailure, List<Handoff> heard,
            List<String> told) {
        if (after.isEmpty() && lastFailure == null && heard.isEmpty() && told.isEmpty()) {
            return task.prompt();
        }
        StringBuilder prompt = new StringBuilder(task.prompt().strip()).append("\n\n---\nFrom troupe, which runs this team:\n");
        if (!after.isEmpty()) {
            prompt.append("\nThis task comes after ").append(String.join(", ", after.stream().map(Handoff::taskId).toList()))
                    .append(". Their work is already in your starting point. What they reported:\n");
            after.forEach(done -> appendHandoff(prompt, done));
        }
        if (!heard.isEmpty()) {
            prompt.append("\nThis task hears from ").append(String.join(", ", heard.stream().map(Handoff::taskId).toList()))
                    .append(", merged already; their work is in your starting point. What they reported:\n");
            heard.forEach(done -> appendHandoff(prompt, done));
        }
        if (lastFailure != null) {
            prompt.append("\nAn earlier attempt at this task did not make it: ").append(lastFailure).append('\n');
            if (lastFailure.startsWith("merge conflict")) {
                prompt.append("Its changes clashed with work merged since; your starting point holds that work, so"
                        + " build on it rather than undo it.\n");
            }
        }
        appendTold(prompt, told);
        return prompt.toString();
    }

    /**
     * What a resumed session is told ({@code retry: resume}): why its work did not make it in, and where it stands
     * now. The session knows the task and what it did; its workspace does not hold that work any more.
     */
    static String resumed(String reason, String base, String keptOn, List<String> told) {
        StringBuilder message = new StringBuilder("From troupe, which runs this team: your work on this task did not"
                + " make it into the integration branch: ").append(reason.strip()).append("\n\n")
                .append("Your workspace has been reset onto the integration branch's head (").append(base)
                .append("), which holds the work merged since. Your earlier change is not in it; it is kept on branch ")
                .append(keptOn).append(" (`git diff HEAD...").append(keptOn).append("` shows it). Do the task again"
                        + " on this base, taking the above into account.\n");
        if (reason.startsWith("merge conflict")) {
            message.append("Your changes clashed with work merged since; build on that work rather than undo it.\n");
        }
        appendTold(message, told);
        return message.toString();
    }

    /**
     * What a reviewer is asked: the task as the writer got it, what the writer reported and changed, and for a
     * verdict. The change itself follows, added by the worker that checks it out ({@link #withDiff}).
     */
    static String review(Goal.TaskSpec task, int attempt, String resultText, List<String> filesChanged) {
        return "You are reviewing another agent's change before it is merged. Do not change any file: read, judge,"
                + " and answer with your verdict.\n\nThe task it was given:\n\n<task>\n" + task.prompt().strip()
                + "\n</task>\n\nWhat it reported (attempt " + attempt + "): " + shorten(resultText) + "\n\nFiles it changed: "
                + (filesChanged.isEmpty() ? "(none)" : listed(filesChanged)) + "\n\nApprove the change if it does the task"
                + " correctly and completely and breaks nothing; otherwise request changes, and say precisely what is"
                + " wrong and what to do, since the writer starts again from your comments.\n";
    }

    /** The reviewer's prompt with the change under review, the diff cut so the whole fits {@link #MAX_PROMPT_BYTES}. */
    public static String withDiff(String prompt, String diff) {
        int room = Math.max(0, MAX_PROMPT_BYTES - 1_000 - prompt.getBytes(StandardCharsets.UTF_8).length);
        String shown = diff.getBytes(StandardCharsets.UTF_8).length > room
                ? cutToBytes(diff, room) + "\n[... the diff goes on; read the changed files for the rest]\n"
                : diff;
        return prompt + "\nThe change (git diff from the commit it started at):\n\n```diff\n" + shown
                + (shown.endsWith("\n") ? "" : "\n") + "```\n";
    }

    /**
     * What the planner is asked: to break the goal into tasks for a team, as structured output. {@code problems}:
     * why its last plan was refused, for a second try.
     */
    static String plan(String goal, int teamSize, String problems) {
        StringBuilder prompt = new StringBuilder("You are planning work for a team of ").append(teamSize)
                .append(" coding agents that work in parallel, each in its own git worktree of this repository; their"
                        + " work is merged into one branch. Look at the repository as you need to (do not change it),"
                        + " then break the goal below into tasks and answer with the task list.\n\n<goal>\n")
                .append(goal.strip()).append("\n</goal>\n\n")
                .append("Each task needs a short unique id (lowercase words joined by dashes) and a prompt that says"
                        + " everything an agent needs, since it sees nothing else. Give each task a zone (globs of the"
                        + " files it owns) where you can: tasks with overlapping zones never run at the same time. Use"
                        + " after (ids of earlier tasks) only where a task really needs another's work; the rest run in"
                        + " parallel. Use hears (ids of other tasks) where a task does its own work but should be told"
                        + " what another reported and changed as soon as it merges. Set review: true for changes that"
                        + " deserve a second look. Prefer a few tasks of substance over many small ones.\n");
        if (problems != null) {
            prompt.append("\nYour last plan could not be used: ").append(problems).append("\nFix this in the new plan.\n");
        }
        return prompt.toString();
    }

    /**
     * What the running agent of a task that hears from {@code done} is told when it merges. Its work is not in the
     * agent's workspace: it is on the integration branch.
     */
    static String heard(Handoff done) {
        StringBuilder message = new StringBuilder("From troupe, which runs this team: task ").append(done.taskId())
                .append(", which this task hears from, has just merged into the integration branch (its work is not in"
                        + " your workspace). What it reported:\n");
        appendHandoff(message, done);
        return message.toString();
    }

    private static void appendHandoff(StringBuilder prompt, Handoff done) {
        prompt.append("\n- ").append(done.taskId()).append(": ").append(shorten(done.resultText())).append('\n');
        if (!done.filesChanged().isEmpty()) {
            prompt.append("  Files it changed: ").append(listed(done.filesChanged())).append('\n');
        }
        prompt.append("  Its full report: ").append(done.resultFile()).append('\n');
    }

    /** What {@code troupe tell} said, one message an item. */
    private static void appendTold(StringBuilder prompt, List<String> told) {
        if (!told.isEmpty()) {
            prompt.append("\n").append(TOLD);
            told.forEach(message -> prompt.append("- ").append(message.strip().replace("\n", "\n  ")).append('\n'));
        }
    }

    /** A task of an earlier round as the planner of the next one sees it. */
    record Outcome(String taskId, String state, String report, String reason, Path resultFile) {}

    /** An earlier round: what the planner said when it planned it, and how its tasks ended. */
    record PastRound(int number, String summary, List<Outcome> tasks) {}

    private static final int MAX_ROUND_REPORT_CHARS = 600;

    /**
     * What the planner is asked when it plans in rounds ({@code plan: {rounds: N}}): the goal, how the rounds so far
     * ended (each task's state, report or reason, and result file), and for either the goal met or the next round's
     * tasks. The integration branch's diff stat follows, added by the worker that checks it out ({@link #withDiffStat}).
     */
    static String round(String goal, int teamSize, int round, int rounds, List<PastRound> before, String problems) {
        StringBuilder prompt = new StringBuilder(plan(goal, teamSize, null))
                .append("\nThe goal is planned in rounds, and this is round ").append(round).append(" of at most ")
                .append(rounds).append(". Plan only this round's work; once it is done you are asked again, with its"
                        + " results. If the goal is met already, answer met: true, a summary of what was done, and no"
                        + " tasks. Otherwise answer met: false, a summary of where the goal stands and what this round"
                        + " does, and the round's tasks.");
        if (round == rounds) {
            prompt.append(" This is the last round: plan what completes the goal.");
        }
        prompt.append('\n');
        if (!before.isEmpty()) {
            prompt.append("\nWhat the rounds so far did (a task's full report is in its result file):\n");
            List<String> used = new java.util.ArrayList<>();
            for (PastRound past : before) {
                prompt.append("\nRound ").append(past.number())
                        .append(past.summary().isBlank() ? "" : " (planned as: " + past.summary().strip() + ")").append(":\n");
                for (Outcome task : past.tasks()) {
                    used.add(task.taskId());
                    String said = task.state().equals("merged") ? task.report() : task.reason();
                    prompt.append("- ").append(task.taskId()).append(": ").append(task.state()).append(". ")
                            .append(cut(said == null || said.isBlank() ? "(nothing said)" : said.strip()))
                            .append("\n  Result file: ").append(task.resultFile()).append('\n');
                }
            }
            prompt.append("\nThese task ids are taken; a new task needs an id of its own: ").append(String.join(", ", used))
                    .append(". A new task may come after any of them (after: [id]); the work of merged ones is in your"
                            + " starting point already.\n");
        }
        if (problems != null) {
            prompt.append("\nYour last plan could not be used: ").append(problems).append("\nFix this in the new plan.\n");
        }
        String text = prompt.toString();
        return text.getBytes(StandardCharsets.UTF_8).length <= MAX_PROMPT_BYTES - 20_000 ? text
                : cutToBytes(text, MAX_PROMPT_BYTES - 20_000) + "\n[... cut; read the result files for the rest]\n";
    }

    /** A later round's planner prompt with what the run changed so far, file by file ({@code git diff --stat}). */
    public static String withDiffStat(String prompt, String stat) {
        int room = Math.max(0, MAX_PROMPT_BYTES - 1_000 - prompt.getBytes(StandardCharsets.UTF_8).length);
        String shown = stat.isBlank() ? "(nothing changed yet)\n" : stat.getBytes(StandardCharsets.UTF_8).length > room
                ? cutToBytes(stat, room) + "\n[... more files]\n" : stat;
        return prompt + "\nWhat the integration branch holds since the run began (git diff --stat):\n\n```\n" + shown
                + (shown.endsWith("\n") ? "" : "\n") + "```\n";
    }

    private static String cut(String text) {
        String flat = text.replace('\n', ' ');
        return flat.length() > MAX_ROUND_REPORT_CHARS ? flat.substring(0, MAX_ROUND_REPORT_CHARS) + " [...]" : flat;
    }

    /** The longest start of {@code text} whose UTF-8 form fits {@code bytes}, never splitting a character. */
    static String cutToBytes(String text, int bytes) {
        int used = 0;
        int end = 0;
        while (end < text.length()) {
            int codePoint = text.codePointAt(end);
            int size = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
            if (used + size > bytes) {
                break;
            }
            used += size;
            end += Character.charCount(codePoint);
        }
        return text.substring(0, end);
    }

    private static String listed(List<String> files) {
        return String.join(", ", files.subList(0, Math.min(MAX_FILES, files.size())))
                + (files.size() > MAX_FILES ? " and " + (files.size() - MAX_FILES) + " more" : "");
    }

    private static String shorten(String text) {
        String plain = text == null || text.isBlank() ? "(no report)" : text.strip();
        return plain.length() > MAX_RESULT_CHARS ? plain.substring(0, MAX_RESULT_CHARS) + " [...]" : plain;
    }
}
