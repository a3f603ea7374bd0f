package dev.troupe.team;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the agents that answer rather than edit are asked for: the JSON schemas given to the CLI with
 * {@code --json-schema}, and the reading of a reviewer's answer. The CLI checks an answer against its schema
 * before it ends the run, so an answer that arrives has the shape asked for.
 */
final class Answers {

    /** A reviewer's verdict on one attempt's change. */
    static final String VERDICT_SCHEMA = """
            {"type":"object","additionalProperties":false,"required":["verdict","comments"],"properties":{\
            "verdict":{"type":"string","enum":["approve","request-changes"],\
            "description":"approve: merge the change as it is; request-changes: the writer must do it again"},\
            "comments":{"type":"string","description":"what is wrong and what to change; for an approval, any remarks"}}}""";

    /** The planner's task list; each task has the keys of a task in a goal file. */
    static final String PLAN_SCHEMA = """
            {"type":"object","additionalProperties":false,"required":["tasks"],"properties":{"tasks":{\
            "type":"array","minItems":1,"items":{"type":"object","additionalProperties":false,"required":["id","prompt"],\
            "properties":{\
            "id":{"type":"string","description":"short, unique, lowercase-with-dashes"},\
            "prompt":{"type":"string","description":"everything an agent needs to do this task on its own"},\
            "zone":{"type":"array","items":{"type":"string"},"description":"globs of the files this task owns"},\
            "after":{"type":"array","items":{"type":"string"},"description":"ids of the tasks that must be done first"},\
            "review":{"type":"boolean","description":"true: a second agent reviews the change before it merges"},\
            "model":{"type":"string","description":"a model for this task, when it needs another than the default"}}}}}}""";

    /** @param approved the change may merge; otherwise {@code comments} say what the writer must change */
    record Verdict(boolean approved, String comments) {}

    private Answers() {}

    static String schema(Assignment.Role role) {
        return switch (role) {
            case REVIEWER -> VERDICT_SCHEMA;
            case PLANNER -> PLAN_SCHEMA;
            case WRITER -> throw new IllegalArgumentException("a writer does not answer");
        };
    }

    static Verdict verdict(JsonNode answer) {
        return new Verdict("approve".equals(answer.path("verdict").asText()), answer.path("comments").asText("").strip());
    }
}
