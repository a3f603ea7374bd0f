package dev.troupe.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.testing.TranscriptCases.Input;
import dev.troupe.testing.TranscriptCases.Step;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a case's {@link Step}s to the CLI's stdin as the recorder sees its output: each step once its moment has
 * come and the steps before it are written, each line made by troupe's own {@link AgentInput}. A write that fails (the
 * CLI has exited) fails the recording.
 */
final class StdinSteps {

    private final List<Step> steps;
    private final OutputStream stdin;
    /** How many stdout lines the CLI had printed when each step written so far was written. */
    private final List<Integer> writtenAfter = new ArrayList<>();

    StdinSteps(List<Step> steps, OutputStream stdin) {
        this.steps = steps;
        this.stdin = stdin;
    }

    /** Writes every step whose moment has come; true when one was written. */
    boolean advance(List<JsonNode> linesSoFar, int requestsSoFar) {
        boolean wrote = false;
        while (!done() && steps.get(writtenAfter.size()).ready().test(linesSoFar, requestsSoFar)) {
            write(steps.get(writtenAfter.size()).input());
            writtenAfter.add(linesSoFar.size());
            wrote = true;
        }
        return wrote;
    }

    boolean done() {
        return writtenAfter.size() == steps.size();
    }

    /** The step the CLI's output never made ready, for the recording's failure. */
    String waitingFor() {
        return done() ? "nothing" : steps.get(writtenAfter.size()).when();
    }

    List<Integer> writtenAfter() {
        return List.copyOf(writtenAfter);
    }

    private void write(Input input) {
        try {
            if (input.line().isPresent()) {
                stdin.write((input.line().get() + "\n").getBytes(StandardCharsets.UTF_8));
                stdin.flush();
            } else {
                stdin.close();
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + input + " to the CLI's stdin: " + e.getMessage(), e);
        }
    }
}
