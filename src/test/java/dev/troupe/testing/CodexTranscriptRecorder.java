package dev.troupe.testing;

import static dev.troupe.testing.ResponsesApiStandIn.commandThenText;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.agent.AgentCall;
import dev.troupe.agent.AgentKind;
import dev.troupe.journal.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Records the pinned Codex CLI's stdout for each {@link #CASES case} against the {@link ResponsesApiStandIn}
 * (src/test/resources/codex-transcripts), one run per case in a fresh git repository with a CODEX_HOME of its own,
 * for CodexReaderTest to read. The recorder's directories are written as generic paths, and a run whose output
 * holds the stand-in's key fails the recording. Run by src/test/scripts/record-codex-transcripts.sh.
 */
public final class CodexTranscriptRecorder {

    public static final Path SOURCE_DIR = Path.of("src/test/resources/codex-transcripts");
    /** Stands for the run's directory (repository, scratch) in what is written. */
    public static final String GENERIC_ROOT = "/tmp/codex-transcript";
    /** Stands for the run's CODEX_HOME in what is written. */
    public static final String GENERIC_HOME = "/codex-home";
    private static final long DEADLINE_SECONDS = 120;
    private static final AgentKind CODEX = AgentKind.named("codex").orElseThrow();

    /**
     * One run of {@code codex} with troupe's command line ({@link AgentKind#arguments}) for the call {@code call} makes
     * of the case's scratch directory. With {@code before}, that run is made first in the same CODEX_HOME and the call
     * resumes its thread: the case is the resumed run.
     */
    public record Case(String name, String api, ResponsesApiStandIn.Script script, int streamRetries,
            Optional<Case> before, Call call) {}

    @FunctionalInterface
    public interface Call {
        AgentCall of(Path scratch, Optional<String> threadBefore);
    }

    private static Call call(String permissionMode, String prompt, Optional<String> schema) {
        return (scratch, thread) -> new AgentCall(prompt, Optional.empty(), permissionMode, List.of(), Optional.empty(),
                Optional.empty(), schema, thread, "unused-by-codex", false, scratch);
    }

    private static Call writer(String prompt) {
        return call("acceptEdits", prompt, Optional.empty());
    }

    public static final String SCHEMA = "{\"type\":\"object\",\"properties\":{\"verdict\":{\"type\":\"string\"},"
            + "\"notes\":{\"type\":\"string\"}},\"required\":[\"verdict\",\"notes\"],\"additionalProperties\":false}";

    private static final Case WRITES_FILE = new Case("writes-file", "exec_command writes hello.txt, then a text answer",
            commandThenText("printf 'hello from codex' > hello.txt", "Done: I wrote hello.txt."), 1, Optional.empty(),
            writer("Write hello.txt"));

    public static final List<Case> CASES = List.of(
            WRITES_FILE,
            new Case("json-answer", "the JSON object the schema asks for, as the message", request -> request.asksForSchema()
                    ? ResponsesApiStandIn.text("{\"verdict\":\"approve\",\"notes\":\"looks fine\"}")
                    : ResponsesApiStandIn.text("no schema was asked for"), 1, Optional.empty(),
                    call("plan", "Review the change", Optional.of(SCHEMA))),
            new Case("http429-exhausted", "429 with Retry-After: 1 on every request; stream_max_retries = 1",
                    request -> ResponsesApiStandIn.rateLimited(1), 1, Optional.empty(), writer("Say hi")),
            new Case("http500-exhausted", "500 on every request; stream_max_retries = 1",
                    request -> ResponsesApiStandIn.serverError(), 1, Optional.empty(), writer("Say hi")),
            new Case("resumed", "writes-file first; resumed, a text answer naming how many user messages it got",
                    request -> ResponsesApiStandIn.text("Resumed with " + request.userTexts().size() + " messages."), 1,
                    Optional.of(WRITES_FILE), writer("Now say bye")),
            new Case("command-fails", "exec_command runs a command that exits 2, then a text answer",
                    commandThenText("ls no-such-file", "The file is not there."), 1, Optional.empty(),
                    writer("List no-such-file")));

    public static Case named(String name) {
        return CASES.stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no codex case " + name));
    }

    private final CodexRunner codex;
    private final ResponsesApiStandIn api;
    private int runs;

    public CodexTranscriptRecorder(CodexRunner codex, ResponsesApiStandIn api) {
        this.codex = codex;
        this.api = api;
    }

    /** Runs the case (and the run it resumes) with a new CODEX_HOME; the paths in the run are made generic. */
    public HeadlessCli.Run record(Case recorded, Path scratch) throws IOException, InterruptedException {
        Path home = CodexHome.newDir();
        try {
            Optional<String> thread = Optional.empty();
            if (recorded.before().isPresent()) {
                HeadlessCli.Run before = run(recorded.before().get(), scratch, home, Optional.empty());
                for (String line : before.stdout()) {
                    if (line.contains("\"thread.started\"")) {
                        thread = Optional.of(Json.MAPPER.readTree(line).path("thread_id").asText());
                    }
                }
                if (thread.isEmpty()) {
                    throw new IllegalStateException(recorded.name() + ": the run before it started no thread");
                }
            }
            return run(recorded, scratch, home, thread);
        } finally {
            CodexHome.delete(home);
        }
    }

    private HeadlessCli.Run run(Case recorded, Path scratch, Path home, Optional<String> thread)
            throws IOException, InterruptedException {
        Path root = Files.createDirectories(scratch.resolve(recorded.name() + "-" + ++runs)).toRealPath();
        Path repo = root.resolve("repo");
        if (!Files.exists(repo)) {
            TestRepo.create(repo, Map.of("README.md", "A repository for a recorded codex run.\n"));
        }
        CodexHome.write(home, api.baseUrl(recorded.name() + "-" + runs, recorded.script()), recorded.streamRetries());
        List<String> arguments = CODEX.arguments(recorded.call().of(root, thread));
        HeadlessCli.Run run = codex.run(arguments, repo, home, root, DEADLINE_SECONDS);
        Function<List<String>, List<String>> generic = lines -> lines.stream()
                .map(l -> l.replace(root.toString(), GENERIC_ROOT).replace(home.toString(), GENERIC_HOME)
                        .replace(codex.executable().toString(), "codex"))
                .toList();
        HeadlessCli.Run written = new HeadlessCli.Run(generic.apply(run.argv()), generic.apply(run.stdout()),
                generic.apply(run.stderr()), run.exitCode(), run.seconds());
        Recordings.checkNoKey(recorded.name(), CodexHome.KEY, List.of(written.stdout(), written.stderr()));
        return written;
    }

    /** Writes {@code <case>.stdout.jsonl} and {@code <case>.meta.json}. */
    static void write(Case recorded, HeadlessCli.Run run, String version, Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(recorded.name() + ".stdout.jsonl"), Recordings.lines(run.stdout()));
        ObjectNode meta = Json.MAPPER.createObjectNode().put("case", recorded.name()).put("codex_version", version)
                .put("api", recorded.api()).put("stream_max_retries", recorded.streamRetries())
                .put("resumes", recorded.before().map(Case::name).orElse(null));
        run.argv().forEach(meta.putArray("argv")::add);
        meta.put("exit_code", run.exitCode()).put("seconds_to_exit", run.seconds())
                .put("stdout_lines", run.stdout().size());
        run.stderr().forEach(meta.putArray("stderr")::add);
        Recordings.writeMeta(dir, recorded.name(), meta);
    }

    /**
     * {@code CodexTranscriptRecorder --codex PATH [--out DIR] [CASE...]}: records the cases named, or all of them.
     * Writes nothing unless every case recorded. Exit code 2 for bad usage, 1 if a recording failed.
     */
    public static void main(String[] args) throws Exception {
        Recordings.Args<Case> parsed = Recordings.Args.parse("CodexTranscriptRecorder", "codex", SOURCE_DIR,
                CodexTranscriptRecorder::named, args);
        System.exit(recordAll(new CodexRunner(parsed.executable()), parsed.casesOr(CASES), parsed.out()));
    }

    private static int recordAll(CodexRunner codex, List<Case> cases, Path out) throws IOException, InterruptedException {
        Path scratch = Files.createTempDirectory("troupe-codex-transcripts");
        try (ResponsesApiStandIn api = ResponsesApiStandIn.start()) {
            CodexTranscriptRecorder recorder = new CodexTranscriptRecorder(codex, api);
            List<HeadlessCli.Run> runs = new ArrayList<>();
            for (Case recorded : cases) {
                HeadlessCli.Run run = recorder.record(recorded, scratch);
                runs.add(run);
                System.out.printf("%-20s exit %3d  %3d lines  %5.1f s%n", recorded.name(), run.exitCode(),
                        run.stdout().size(), run.seconds());
            }
            String version = codex.version();
            for (int i = 0; i < cases.size(); i++) {
                write(cases.get(i), runs.get(i), version, out);
            }
            return 0;
        } catch (IllegalStateException e) {
            System.err.println("recording failed, nothing written: " + e.getMessage());
            return 1;
        } finally {
            Recordings.deleteTree(scratch);
        }
    }
}
