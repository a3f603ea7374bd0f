package dev.troupe.agent;

import static dev.troupe.testing.ChatCompletionsStandIn.bash;
import static dev.troupe.testing.ChatCompletionsStandIn.json;
import static dev.troupe.testing.ChatCompletionsStandIn.rateLimited;
import static dev.troupe.testing.ChatCompletionsStandIn.text;
import static dev.troupe.testing.ChatCompletionsStandIn.write;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.journal.Json;
import dev.troupe.testing.ChatCompletionsStandIn;
import dev.troupe.testing.HeadlessCli;
import dev.troupe.testing.OpenCodeHome;
import dev.troupe.testing.Recordings;
import dev.troupe.testing.TestRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Records the real OpenCode CLI's output for each {@link #CASES case} against the {@link ChatCompletionsStandIn}:
 * one run per case in a fresh git repository and a fresh {@link OpenCodeHome}, with the command line and environment
 * {@link OpenCodeKind} gives, stdin closed, and nothing of the caller's environment but PATH. Run by
 * src/test/scripts/record-opencode-transcripts.sh; {@link OpenCodeReaderTest} reads what it wrote. A run that does
 * not end within two minutes, or whose output holds the stand-in's key, fails the recording.
 */
public final class OpenCodeTranscriptRecorder {

    /** The committed recordings, in the sources; the tests read them from the test classpath. */
    public static final Path SOURCE_DIR = Path.of("src/test/resources/opencode-transcripts");
    /** Stands for the recorder's temporary directory in what is written, so recordings do not differ by it. */
    public static final String GENERIC_ROOT = "/tmp/opencode-transcript";
    public static final String GENERIC_PORT = "127.0.0.1:PORT";
    private static final long DEADLINE_SECONDS = 120;
    private static final AtomicInteger RUNS = new AtomicInteger();

    /** The schema the JSON-answer case asks for, and the object the stand-in answers with. */
    static final String VERDICT_SCHEMA = "{\"type\":\"object\",\"properties\":{\"verdict\":{\"type\":\"string\"},"
            + "\"notes\":{\"type\":\"string\"}},\"required\":[\"verdict\"]}";
    static final JsonNode VERDICT = Json.MAPPER.createObjectNode().put("verdict", "approve").put("notes", "Looks right.");

    /**
     * One {@code opencode run}: the call troupe would make, and the stand-in's answers to it. {@code resumes}: a
     * case run first in the same home and repository, whose session this one continues.
     */
    public record Case(String name, String prompt, String permissionMode, Optional<String> jsonSchema,
            ChatCompletionsStandIn.Script script, Optional<Case> resumes) {}

    private static final ChatCompletionsStandIn.Script WRITE_THEN_DONE = request -> request.afterToolResult()
            ? text("Done: I wrote hello.txt.") : write("hello.txt", "hello from the stand-in\n");

    public static final List<Case> CASES = List.of(
            new Case("write-file", "Create hello.txt", "acceptEdits", Optional.empty(), WRITE_THEN_DONE, Optional.empty()),
            new Case("run-command", "Run the command", "acceptEdits", Optional.empty(),
                    request -> request.afterToolResult() ? text("Done: the command ran.")
                            : bash("echo ran > ran.txt && echo ran"), Optional.empty()),
            // Starts with "-", as a markdown list does: it must not be read as an option.
            new Case("text-only", "- say hi", "acceptEdits", Optional.empty(), request -> text("Hi."), Optional.empty()),
            new Case("json-answer", "Review the change", "plan", Optional.of(VERDICT_SCHEMA), request -> json(VERDICT),
                    Optional.empty()),
            // Retry-After: 0, so OpenCode's six attempts take seconds, not the 9-20 s of real waits.
            new Case("http429-exhausted", "say hi", "acceptEdits", Optional.empty(), request -> rateLimited(0),
                    Optional.empty()),
            new Case("resume", "Now say bye", "acceptEdits", Optional.empty(),
                    request -> text(request.assistantMessages() > 0 ? "Bye, with the history." : "Bye, without history."),
                    Optional.of(new Case("resume-first", "say hi", "acceptEdits", Optional.empty(),
                            request -> text("Hi."), Optional.empty()))));

    /** What one run printed, with the recorder's paths and the stand-in's port made generic. */
    public record Recording(Case recorded, String version, List<String> argv, List<String> stdout, List<String> stderr,
            int exitCode, double seconds, int agentRequests, int titleRequests, String resumedSession) {}

    private final Path opencode;
    private final ChatCompletionsStandIn api;
    private final String version;

    public OpenCodeTranscriptRecorder(Path opencode, ChatCompletionsStandIn api) throws IOException, InterruptedException {
        this.opencode = opencode.toAbsolutePath();
        this.api = api;
        this.version = HeadlessCli.version(opencode);
    }

    public static Case named(String name) {
        return CASES.stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no case " + name));
    }

    /** Runs the case (and the one it resumes) in a new directory under {@code scratch}. */
    public Recording record(Case recorded, Path scratch) throws IOException, InterruptedException {
        Path root = Files.createDirectories(scratch.resolve(recorded.name())).toRealPath();
        TestRepo repo = TestRepo.create(root.resolve("repo"), Map.of("README.md", "A repository for a recorded run.\n"));
        String scenario = recorded.name() + "-" + RUNS.incrementAndGet();
        OpenCodeHome home = OpenCodeHome.create(root, api.baseUrl(scenario, request -> script(recorded, request)));
        String resumed = "";
        if (recorded.resumes().isPresent()) {
            HeadlessCli.Run first = run(recorded.resumes().get(), Optional.empty(), root, repo, home, "first-");
            resumed = Json.MAPPER.readTree(first.stdout().get(0)).path("sessionID").asText();
        }
        int before = api.requests(scenario).size();
        HeadlessCli.Run run = run(recorded, resumed.isEmpty() ? Optional.empty() : Optional.of(resumed), root, repo, home, "");
        List<ChatCompletionsStandIn.Request> requests = api.requests(scenario);
        int agent = (int) requests.stream().skip(before).filter(r -> !r.title()).count();
        List<String> argv = new ArrayList<>(run.argv());
        argv.set(0, "opencode");
        Recording recording = new Recording(recorded, version, generic(argv, root), generic(run.stdout(), root),
                generic(run.stderr(), root), run.exitCode(), run.seconds(), agent, requests.size() - before - agent,
                resumed);
        checkNoKey(recording);
        return recording;
    }

    /** The stand-in's answer: the resumed case's first run has its own script. */
    private static ChatCompletionsStandIn.Reply script(Case recorded, ChatCompletionsStandIn.Request request) {
        boolean first = recorded.resumes().isPresent()
                && request.lastUserText().contains(recorded.resumes().get().prompt())
                && !request.lastUserText().contains(recorded.prompt());
        return (first ? recorded.resumes().get() : recorded).script().reply(request);
    }

    private HeadlessCli.Run run(Case recorded, Optional<String> resume, Path root, TestRepo repo, OpenCodeHome home,
            String prefix) throws IOException, InterruptedException {
        AgentCall call = new AgentCall(recorded.prompt(), Optional.of(OpenCodeHome.MODEL), recorded.permissionMode(),
                List.of(), Optional.empty(), Optional.empty(), recorded.jsonSchema(), resume, "", false, root);
        try {
            return HeadlessCli.of(opencode, new OpenCodeKind(), call, repo.dir(), home.env())
                    .run(root.resolve(prefix + "stdout.jsonl"), root.resolve(prefix + "stderr.txt"), DEADLINE_SECONDS);
        } catch (IllegalStateException e) {
            throw new IllegalStateException(recorded.name() + ": " + e.getMessage(), e);
        }
    }

    /** The run's own directory becomes {@link #GENERIC_ROOT}, the stand-in's port {@link #GENERIC_PORT}. */
    private List<String> generic(List<String> lines, Path root) {
        return lines.stream().map(l -> l.replace(root.toString(), GENERIC_ROOT)
                .replaceAll("127\\.0\\.0\\.1:\\d+", GENERIC_PORT)).toList();
    }

    private static void checkNoKey(Recording recording) {
        Recordings.checkNoKey(recording.recorded().name(), OpenCodeHome.KEY,
                List.of(recording.stdout(), recording.stderr(), recording.argv()));
    }

    /** Writes {@code NAME.stdout.jsonl} and {@code NAME.meta.json}. */
    static void save(Recording recording, Path out) throws IOException {
        String name = recording.recorded().name();
        Files.writeString(out.resolve(name + ".stdout.jsonl"), Recordings.lines(recording.stdout()));
        ObjectNode meta = Json.MAPPER.createObjectNode().put("case", name).put("opencode_version", recording.version())
                .put("stdout_file", name + ".stdout.jsonl").put("exit_code", recording.exitCode())
                .put("seconds", recording.seconds()).put("agent_requests", recording.agentRequests())
                .put("title_requests", recording.titleRequests()).put("resumed_session", recording.resumedSession());
        recording.argv().forEach(meta.putArray("argv")::add);
        recording.stderr().forEach(meta.putArray("stderr")::add);
        Recordings.writeMeta(out, name, meta);
    }

    /**
     * {@code OpenCodeTranscriptRecorder --opencode PATH [--out DIR] [CASE...]}: records the cases named, or all of
     * them (and then removes recordings of cases that no longer exist). Writes nothing unless every case recorded.
     * Exit code 2 for bad usage, 1 if a recording failed.
     */
    public static void main(String[] args) throws Exception {
        Recordings.Args<Case> parsed = Recordings.Args.parse("OpenCodeTranscriptRecorder", "opencode", SOURCE_DIR,
                OpenCodeTranscriptRecorder::named, args);
        Path opencode = parsed.executable();
        Path out = parsed.out();
        List<Case> cases = parsed.cases();
        boolean everything = cases.isEmpty();
        List<Recording> recordings = new ArrayList<>();
        Path scratch = Files.createTempDirectory("troupe-opencode-transcripts");
        try (ChatCompletionsStandIn api = ChatCompletionsStandIn.start()) {
            OpenCodeTranscriptRecorder recorder = new OpenCodeTranscriptRecorder(opencode, api);
            for (Case recorded : everything ? CASES : cases) {
                Recording recording = recorder.record(recorded, scratch);
                System.err.println(recorded.name() + ": exit " + recording.exitCode() + ", " + recording.stdout().size()
                        + " lines, " + recording.seconds() + " s");
                recordings.add(recording);
            }
        } catch (RuntimeException e) {
            System.err.println("recording failed, nothing written: " + e.getMessage());
            System.exit(1);
        }
        Files.createDirectories(out);
        if (everything) {
            Recordings.removeRecordings(out);
        }
        for (Recording recording : recordings) {
            save(recording, out);
        }
        System.exit(0);
    }
}
