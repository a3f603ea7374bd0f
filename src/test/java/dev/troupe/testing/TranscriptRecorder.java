package dev.troupe.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.troupe.journal.Json;
import dev.troupe.testing.TranscriptCases.Case;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Records the real Claude Code CLI's output for each {@link TranscriptCases} case against the
 * {@link MessagesApiStandIn}: one run per case in a fresh git repository, with a private HOME and config, stdin
 * closed (or, for a case that takes stdin, written as its steps say) and nothing of the caller's environment but PATH. Run by src/test/scripts/record-transcripts.sh; a run
 * that does not end within two minutes, or whose output holds the API key, fails the recording.
 */
public final class TranscriptRecorder {

    /** The committed recordings, in the sources; the tests read them from the test classpath. */
    public static final Path SOURCE_DIR = Path.of("src/test/resources/claude-transcripts");
    /** Stands for the recorder's temporary directory in what is written, so recordings do not differ by it. */
    public static final String GENERIC_ROOT = "/tmp/claude-transcript";
    public static final String KEY_PREFIX = "sk-ant-troupe-standin-";
    private static final long DEADLINE_MS = 120_000;
    private static final Object EOF = new Object();
    private static final Object REQUEST = new Object();
    private static final AtomicInteger RUNS = new AtomicInteger();

    /** What one run printed, with the recorder's paths made generic. */
    public record Recording(Case recorded, String version, List<String> argv, List<String> stdout, List<String> stderr,
            int exitCode, double seconds, List<Integer> stdinWrittenAfter) {

        public String stdoutFile() {
            return recorded.name() + (recorded.args().contains("stream-json") ? ".stdout.jsonl" : ".stdout.txt");
        }
    }

    private final Path claude;
    private final String key;
    private final MessagesApiStandIn api;
    private final String version;

    public TranscriptRecorder(Path claude, String key, MessagesApiStandIn api) throws IOException, InterruptedException {
        if (key == null || !key.startsWith(KEY_PREFIX)) {
            throw new IllegalArgumentException("ANTHROPIC_API_KEY must be the stand-in's key from pom.xml (" + KEY_PREFIX
                    + "...), never a real one: record-transcripts.sh sets it");
        }
        this.claude = claude.toAbsolutePath();
        this.key = key;
        this.api = api;
        this.version = HeadlessCli.version(claude).split(" ")[0];
    }

    /** Runs the case in a new directory under {@code scratch}. */
    public Recording record(Case recorded, Path scratch) throws IOException, InterruptedException {
        Path root = Files.createDirectories(scratch.resolve(recorded.name())).toRealPath();
        TestRepo repo = TestRepo.create(root.resolve("repo"), Map.of("README.md", "A repository for a recorded run.\n"));
        List<String> argv = new ArrayList<>(List.of(claude.toString(), "-p"));
        if (!recorded.takesStdin()) {
            argv.add(recorded.prompt());
        }
        argv.addAll(recorded.args());
        argv.addAll(List.of("--session-id", recorded.sessionId()));

        BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        String scenario = recorded.name() + "-" + RUNS.incrementAndGet();
        String baseUrl = api.baseUrl(scenario, request -> {
            events.add(REQUEST);
            return recorded.script().reply(request);
        });
        ProcessBuilder builder = new ProcessBuilder(argv).directory(repo.dir().toFile())
                .redirectInput(recorded.takesStdin() ? ProcessBuilder.Redirect.PIPE
                        : ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectError(root.resolve("stderr.txt").toFile());
        Map<String, String> env = builder.environment();
        String path = env.get("PATH");
        env.clear();
        env.put("PATH", path);
        env.put("LANG", "C.UTF-8");
        env.put("HOME", Files.createDirectories(root.resolve("home")).toString());
        env.put("CLAUDE_CONFIG_DIR", Files.createDirectories(root.resolve("config")).toString());
        env.put("CLAUDE_CODE_TMPDIR", Files.createDirectories(root.resolve("tmp")).toString());
        env.put("ANTHROPIC_API_KEY", key);
        env.put("ANTHROPIC_BASE_URL", baseUrl);
        env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
        env.put("DISABLE_AUTOUPDATER", "1");
        env.putAll(recorded.env());

        long start = System.nanoTime();
        Process process = builder.start();
        Thread reader = new Thread(() -> readLines(process, events), "transcript-" + recorded.name());
        reader.start();
        List<String> stdout = new ArrayList<>();
        List<JsonNode> parsed = new ArrayList<>();
        List<ProcessHandle> tree = new ArrayList<>();
        int requests = 0;
        boolean signalled = false;
        StdinSteps stdin = new StdinSteps(recorded.stdin(), process.getOutputStream());
        try {
            stdin.advance(parsed, requests);
            for (Object event = next(events, start); event != EOF; event = next(events, start)) {
                if (event == REQUEST) {
                    requests++;
                } else {
                    stdout.add((String) event);
                    parsed.add(parse((String) event));
                }
                if (!signalled && recorded.kill().isPresent() && recorded.kill().get().ready().test(parsed, requests)) {
                    // The Bash tool's children run in their own session: only a snapshot taken now finds them later.
                    tree.addAll(process.descendants().toList());
                    signal(process, recorded.kill().get().signal());
                    signalled = true;
                }
                if (stdin.advance(parsed, requests)) {
                    // An interrupt may leave a Bash command's children running, out of the CLI's process group.
                    tree.addAll(process.descendants().toList());
                }
            }
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException(recorded.name() + ": the CLI closed its stdout but did not exit");
            }
        } finally {
            process.destroyForcibly();
            tree.forEach(ProcessHandle::destroyForcibly);
            reader.join(5_000);
        }
        double seconds = Math.round((System.nanoTime() - start) / 1e8) / 10.0;
        if (recorded.kill().isPresent() && !signalled) {
            throw new IllegalStateException(recorded.name() + ": the CLI ended before the moment to signal it ("
                    + recorded.kill().get().when() + ") came:\n" + String.join("\n", stdout));
        }
        if (!stdin.done()) {
            throw new IllegalStateException(recorded.name() + ": the CLI ended before the moment to write to its stdin ("
                    + stdin.waitingFor() + ") came:\n" + String.join("\n", stdout));
        }
        List<String> stderr = Files.readAllLines(root.resolve("stderr.txt"));
        Recording recording = new Recording(recorded, version, generic(argv, root), generic(stdout, root),
                generic(stderr, root), process.exitValue(), seconds, stdin.writtenAfter());
        checkNoKey(recording);
        return recording;
    }

    private static void readLines(Process process, BlockingQueue<Object> events) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                events.add(line);
            }
        } catch (IOException e) {
            // The process was killed under us: what it printed until then is the recording.
        } finally {
            events.add(EOF);
        }
    }

    private static Object next(BlockingQueue<Object> events, long start) throws InterruptedException {
        long left = DEADLINE_MS - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        Object event = left > 0 ? events.poll(left, TimeUnit.MILLISECONDS) : null;
        if (event == null) {
            throw new IllegalStateException("the CLI did not end within " + DEADLINE_MS / 1000 + " s");
        }
        return event;
    }

    private static JsonNode parse(String line) {
        try {
            return Json.MAPPER.readTree(line);
        } catch (IOException e) {
            return MissingNode.getInstance();
        }
    }

    private static void signal(Process process, String signal) {
        switch (signal) {
            case "TERM" -> process.destroy();
            case "KILL" -> process.destroyForcibly();
            default -> throw new IllegalArgumentException("no way to send SIG" + signal);
        }
    }

    /** The run's own directory, as it is and as the CLI names projects after it, becomes {@link #GENERIC_ROOT}. */
    private static List<String> generic(List<String> lines, Path root) {
        String dashed = root.toString().replace('/', '-');
        return lines.stream().map(l -> l.replace(root.toString(), GENERIC_ROOT)
                .replace(dashed, GENERIC_ROOT.replace('/', '-'))).toList();
    }

    private void checkNoKey(Recording recording) {
        Recordings.checkNoKey(recording.recorded().name(), key,
                List.of(recording.stdout(), recording.stderr(), recording.argv()));
    }

    /**
     * {@code TranscriptRecorder --claude PATH [--out DIR] [CASE...]}: records the cases named, or all of them (and
     * then removes recordings of cases that no longer exist). Exit code 2 for bad usage, 1 if a recording failed.
     */
    public static void main(String[] args) throws Exception {
        Recordings.Args<Case> parsed = Recordings.Args.parse("TranscriptRecorder", "claude", SOURCE_DIR,
                TranscriptCases::named, args);
        System.exit(recordAll(parsed.executable(), parsed.casesOr(TranscriptCases.ALL), parsed.cases().isEmpty(),
                parsed.out()));
    }

    /** Writes nothing unless every case recorded, so a failed run leaves the recordings as they were. */
    private static int recordAll(Path claude, List<Case> cases, boolean everything, Path out)
            throws IOException, InterruptedException {
        Path scratch = Files.createTempDirectory("troupe-transcripts");
        try (MessagesApiStandIn api = MessagesApiStandIn.start()) {
            TranscriptRecorder recorder = new TranscriptRecorder(claude, System.getenv("ANTHROPIC_API_KEY"), api);
            List<Recording> recordings = new ArrayList<>();
            for (Case recorded : cases) {
                Recording recording = recorder.record(recorded, scratch);
                recordings.add(recording);
                System.out.printf("%-24s exit %3d  %3d lines  %5.1f s%n", recorded.name(), recording.exitCode(),
                        recording.stdout().size(), recording.seconds());
            }
            if (everything) {
                Recordings.removeRecordings(out);
            }
            for (Recording recording : recordings) {
                TranscriptFiles.write(recording, out);
            }
            return 0;
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return 2;
        } catch (IllegalStateException e) {
            System.err.println("recording failed, nothing written: " + e.getMessage());
            return 1;
        } finally {
            Recordings.deleteTree(scratch);
        }
    }
}
