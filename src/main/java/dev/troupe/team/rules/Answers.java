package dev.troupe.team.rules;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the agents that answer rather than edit are asked for: the JSON schemas given to the CLI with
 * {@code --json-schema}, and the reading of a reviewer's answer. The CLI checks an answer against its schema
 * before it ends the run, so an answer that arrives has the shape asked for.
 */
public final class Answers {

    /** A reviewer's verdict on one attempt's change. */
    static final String VERDICT_SCHEMA = """
            {"type":"object","additionalProperties":false,"required":["verdict","comments"],"properties":{\
            "verdict":{"type":"string","enum":["approve","request-changes"],\
            "description":"approve: merge the change as it is; request-changes: the writer must do it again"},\
            "comments":{"type":"string","description":"what is wrong and what to change; for an approval, any remarks"}}}""";

    /** One task of a plan: the keys of a task in a goal file. */
    private static final String TASK = """
            {"type":"object","additionalProperties":false,"required":["id","prompt"],\
            "properties":{\
            "id":{"type":"string","description":"short, unique, lowercase-with-dashes"},\
            "prompt":{"type":"string","description":"everything an agent needs to do this task on its own"},\
            "zone":{"type":"array","items":{"type":"string"},"description":"globs of the files this task owns"},\
            "after":{"type":"array","items":{"type":"string"},"description":"ids of the tasks that must be done first"},\
            "hears":{"type":"array","items":{"type":"string"},"description":"ids of other tasks of the plan whose\s\
            report and changed files this task is told as each merges, without waiting for them"},\
            "review":{"type":"boolean","description":"true: a second agent reviews the change before it merges"},\
            "model":{"type":"string","description":"a model for this task, when it needs another than the default"}}}""";

    /** The planner's task list, for a goal planned once. */
    static final String PLAN_SCHEMA = """
            {"type":"object","additionalProperties":false,"required":["tasks"],"properties":{"tasks":{\
            "type":"array","minItems":1,"items":""" + TASK + "}}}";

    /**
     * The planner's answer when it plans in rounds ({@code plan: {rounds: N}}): the goal is met, or the tasks of
     * the next round; either way a summary of where the goal stands.
     */
    static final String ROUND_SCHEMA = """
            {"type":"object","additionalProperties":false,"required":["met","summary","tasks"],"properties":{\
            "met":{"type":"boolean","description":"true: the goal is met and nothing more is to be done;\
             false: tasks holds the next round's work"},\
            "summary":{"type":"string","description":"where the goal stands: what is done, what failed, what is left,\
             and what the next round does"},\
            "tasks":{"type":"array","items":""" + TASK + "}}}";

    /** A planner's answer in rounds: {@code met}, the goal is met; otherwise its tasks are the next round. */
    record Round(boolean met, String summary) {}

    /** @param approved the change may merge; otherwise {@code comments} say what the writer must change */
    record Verdict(boolean approved, String comments) {}

    private Answers() {}

    /** @param inRounds the goal is planned in rounds, so the planner may also say the goal is met */
    static String schema(Assignment.Role role, boolean inRounds) {
        return switch (role) {
            case REVIEWER -> VERDICT_SCHEMA;
            case PLANNER -> inRounds ? ROUND_SCHEMA : PLAN_SCHEMA;
            case JUDGE -> throw new IllegalArgumentException("a judge's schema names its candidates: see schema(Assignment)");
            case WRITER -> throw new IllegalArgumentException("a writer does not answer");
        };
    }

    /** A planner's answer read as a round's: without {@code met} (a plan made once), it is a plan. */
    static Round round(JsonNode answer) {
        return new Round(answer.path("met").asBoolean(false), answer.path("summary").asText("").strip());
    }

    /** The schema of the answer {@code assignment} asks for. */
    public static String schema(Assignment assignment, boolean inRounds) {
        return assignment.role() == Assignment.Role.JUDGE ? Judging.schema(assignment.candidates().keySet())
                : schema(assignment.role(), inRounds);
    }

    static Verdict verdict(JsonNode answer) {
        return new Verdict("approve".equals(answer.path("verdict").asText()), answer.path("comments").asText("").strip());
    }
}
