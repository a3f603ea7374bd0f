package dev.troupe.report;

import java.util.Locale;

/** How the report names an agent run: its anchor on the page, its label, and the CSS class of how it ended. */
final class SpanNames {

    private SpanNames() {}

    /** The id of the run's transcript, which the timeline's bars and the tasks' chips link to. */
    static String anchor(RunRecord.Span s) {
        return switch (s.role()) {
            case PLANNER -> "plan-" + s.attempt();
            case WRITER -> "a-" + s.slug() + "-" + s.attempt();
            case REVIEWER -> "r-" + s.slug() + "-" + s.attempt();
            case JUDGE -> "j-" + s.slug() + "-" + s.attempt();
        };
    }

    static String label(RunRecord.Span s) {
        return switch (s.role()) {
            case PLANNER -> "planner #" + s.attempt();
            case WRITER -> s.task() + " #" + s.attempt();
            case REVIEWER -> s.task() + " review #" + s.attempt();
            case JUDGE -> s.task() + " judge of variants";
        };
    }

    static String cssName(RunRecord.Outcome outcome) {
        return outcome.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The agent CLI that ran it and the model it was asked for: {@code claude}, {@code codex gpt-5.5}. */
    static String agent(RunRecord.Span span) {
        return span.model().isEmpty() ? span.cli() : span.cli() + " " + span.model();
    }
}
