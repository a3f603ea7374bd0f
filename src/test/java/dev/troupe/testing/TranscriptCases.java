package dev.troupe.testing;

import static dev.troupe.testing.MessagesApiStandIn.bash;
import static dev.troupe.testing.MessagesApiStandIn.text;
import static dev.troupe.testing.MessagesApiStandIn.write;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.agent.AgentInput;
import dev.troupe.testing.MessagesApiStandIn.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The Claude Code runs the project keeps as recorded transcripts (src/test/resources/claude-transcripts), each
 * with the stand-in's answers that produce it. {@link TranscriptRecorder} runs them; the tests read what it wrote.
 */
public final class TranscriptCases {

    private TranscriptCases() {
    }

    /** When to signal the CLI: at the first moment {@code ready} holds for what it has printed and asked so far. */
    public record Kill(String signal, String when, Ready ready) {}

    @FunctionalInterface
    public interface Ready {
        boolean test(List<JsonNode> linesSoFar, int requestsSoFar);
    }

    /** What the recorder writes to the CLI's stdin ({@code --input-format stream-json}), with {@link AgentInput}. */
    public sealed interface Input {
        /** The line to write; none for the end of input. */
        Optional<String> line();

        /** A user message; the CLI echoes it under {@code uuid} when it takes it in. */
        record Say(String text, String uuid) implements Input {
            @Override
            public Optional<String> line() {
                return Optional.of(AgentInput.userMessage(text, uuid));
            }
        }

        record Interrupt(String requestId) implements Input {
            @Override
            public Optional<String> line() {
                return Optional.of(AgentInput.interrupt(requestId));
            }
        }

        /** The end of input: the CLI finishes what it is doing and exits. */
        record Close() implements Input {
            @Override
            public Optional<String> line() {
                return Optional.empty();
            }
        }
    }

    /** Written at the first moment {@code ready} holds, once the steps before it are written. */
    public record Step(String when, Ready ready, Input input) {}

    /**
     * One run of {@code claude -p PROMPT ARGS...}, stdin closed; or, when {@code stdin} has steps, of
     * {@code claude -p ARGS...} (with {@code --input-format stream-json}) that takes its prompt and what follows on
     * stdin.
     *
     * @param api what the stand-in does, for the reader of the meta file
     * @param env more environment for this case, on top of the recorder's own
     */
    public record Case(String name, String prompt, List<String> args, Map<String, String> env, String api,
            MessagesApiStandIn.Script script, Optional<Kill> kill, List<Step> stdin) {

        /** Fixed per case, so that a re-recording differs from the last only where the CLI changed. */
        public String sessionId() {
            return fixedUuid("troupe transcript " + name);
        }

        public boolean takesStdin() {
            return !stdin.isEmpty();
        }
    }

    /** The same id for the same seed, shaped as a version-4 id, the kind the CLI makes itself. */
    static String fixedUuid(String seed) {
        UUID id = UUID.nameUUIDFromBytes(seed.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return new UUID((id.getMostSignificantBits() & ~0xF000L) | 0x4000L, id.getLeastSignificantBits()).toString();
    }

    static final List<String> STREAM_JSON = List.of("--output-format", "stream-json", "--verbose");
    /** What a bash case runs: long enough that only a signal ends it. */
    public static final String LONG_COMMAND = "echo start; sleep 1000; echo end";

    static boolean has(List<JsonNode> lines, String type, String subtype) {
        return lines.stream().anyMatch(l -> type.equals(l.path("type").asText())
                && (subtype == null || subtype.equals(l.path("subtype").asText())));
    }

    /** The Bash tool reports its command as a task once it has run a while: the command is surely under way. */
    private static final Ready BASH_RUNNING = (lines, requests) -> has(lines, "system", "task_started");
    /** The CLI has said it started and its request is at the stand-in, which never answers it. */
    private static final Ready WAITING_ON_API = (lines, requests) -> has(lines, "system", "init") && requests >= 1;

    private static MessagesApiStandIn.Script writeThenDone() {
        return request -> request.turn() == 0
                ? write(request.workingDirectory() + "/hello.txt", "hello from the stand-in\n")
                : text("Done.");
    }

    private static Case streamJson(String name, String prompt, List<String> more, Map<String, String> env, String api,
            MessagesApiStandIn.Script script, Optional<Kill> kill) {
        List<String> args = new ArrayList<>(STREAM_JSON);
        args.addAll(more);
        return new Case(name, prompt, List.copyOf(args), env, api, script, kill, List.of());
    }

    private static Case bashKilled(String name, String signal) {
        return streamJson(name, "sleep", List.of("--allowedTools", "Bash"), Map.of(),
                "Bash: " + LONG_COMMAND + ", then text", request -> request.turn() == 0 ? bash(LONG_COMMAND) : text("Slept."),
                Optional.of(new Kill(signal, "once system/task_started says the Bash command runs", BASH_RUNNING)));
    }

    /** Each error as the API sends it, twice: retried twice by the CLI, and not retried. */
    private static List<Case> httpErrors(int status, String type, String message, int retryAfterSeconds) {
        Reply error = new Reply.Error(status, type, message, retryAfterSeconds);
        String api = "HTTP " + status + " " + type + " to every request"
                + (retryAfterSeconds > 0 ? ", retry-after: " + retryAfterSeconds : "");
        return List.of(
                streamJson("http" + status + "-retries", "say hello", List.of(), Map.of("CLAUDE_CODE_MAX_RETRIES", "2"),
                        api, request -> error, Optional.empty()),
                streamJson("http" + status + "-no-retry", "say hello", List.of(), Map.of("CLAUDE_CODE_MAX_RETRIES", "0"),
                        api, request -> error, Optional.empty()));
    }

    public static final List<Case> ALL = all();

    private static List<Case> all() {
        List<Case> cases = new ArrayList<>();
        cases.add(streamJson("success-write-tool", "write hello.txt",
                List.of("--permission-mode", "acceptEdits", "--allowedTools", "Write,Edit,Bash"), Map.of(),
                "Write hello.txt in the working directory, then text", writeThenDone(), Optional.empty()));
        cases.add(streamJson("success-text", "say hello", List.of(), Map.of(), "text", request -> text("Hello."),
                Optional.empty()));
        cases.add(bashKilled("sigterm-during-bash", "TERM"));
        cases.add(bashKilled("sigkill-during-bash", "KILL"));
        cases.add(streamJson("sigterm-during-api", "say hello", List.of(), Map.of(), "never answers",
                request -> new Reply.Hang(),
                Optional.of(new Kill("TERM", "once system/init is out and the request is at the stand-in", WAITING_ON_API))));
        cases.addAll(httpErrors(429, "rate_limit_error", "Number of request tokens has exceeded your rate limit", 1));
        cases.addAll(httpErrors(529, "overloaded_error", "Overloaded", 0));
        cases.addAll(httpErrors(500, "api_error", "Internal server error", 0));
        cases.addAll(httpErrors(401, "authentication_error", "invalid x-api-key", 0));
        cases.add(streamJson("max-turns", "loop forever", List.of("--allowedTools", "Bash", "--max-turns", "3"), Map.of(),
                "Bash: echo turn N, every turn", request -> bash("echo turn " + (request.turn() + 1)), Optional.empty()));
        cases.add(new Case("output-text-api-error", "say hello", List.of("--output-format", "text"),
                Map.of("CLAUDE_CODE_MAX_RETRIES", "0"), "HTTP 529 overloaded_error to every request",
                request -> new Reply.Error(529, "overloaded_error", "Overloaded", 0), Optional.empty(), List.of()));
        cases.addAll(LiveInputCases.all());
        return List.copyOf(cases);
    }

    public static Case named(String name) {
        return ALL.stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no transcript case " + name + "; there are "
                        + ALL.stream().map(Case::name).toList()));
    }
}
