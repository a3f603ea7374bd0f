package dev.troupe.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.journal.Json;
import dev.troupe.testing.GeminiTranscripts.Case;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Records the real Gemini CLI's output for each {@link GeminiTranscripts} case against the {@link GeminiApiStandIn},
 * run by {@link GeminiRun} as troupe runs it, each in a fresh git repository with a home of its own ({@link GeminiHome})
 * but a resumed case, which goes on in its first run's. Run by src/test/scripts/record-gemini-transcripts.sh; writes
 * nothing unless every case recorded, and fails a run whose output holds the key.
 */
public final class GeminiTranscriptRecorder {

    public static final Path SOURCE_DIR = Path.of("src/test/resources/gemini-transcripts");
    /** Stands for the recorder's temporary directory in what is written, so recordings do not differ by it. */
    public static final String GENERIC_ROOT = "/tmp/gemini-transcript";
    private static final long DEADLINE_SECONDS = 120;

    /** What one case's run printed, with the recorder's paths made generic. */
    public record Recording(Case recorded, String version, GeminiRun run) {}

    private final Path gemini;
    private final GeminiApiStandIn api;
    private final String version;
    /** The home and repository of each case recorded so far, for a case that resumes it. */
    private final Map<String, Path> roots = new HashMap<>();

    public GeminiTranscriptRecorder(Path gemini, GeminiApiStandIn api) throws IOException, InterruptedException {
        this.gemini = gemini.toAbsolutePath();
        this.api = api;
        this.version = HeadlessCli.version(gemini);
    }

    /** Runs the case in a new directory under {@code scratch}, or in that of the case it resumes. */
    public Recording record(Case recorded, Path scratch) throws IOException, InterruptedException {
        Path root = recorded.resumes().map(roots::get).orElse(null);
        if (root == null) {
            if (recorded.resumes().isPresent()) {
                throw new IllegalArgumentException(recorded.name() + " resumes " + recorded.resumes().get()
                        + ": record that case first, in the same run");
            }
            root = Files.createDirectories(scratch.resolve(recorded.name())).toRealPath();
            GeminiHome.write(root.resolve("home"));
            TestRepo.create(root.resolve("repo"), Map.of("README.md", "A repository for a recorded run.\n"));
        }
        roots.put(recorded.name(), root);
        Path tmp = Files.createDirectories(root.resolve("tmp"));
        Map<String, String> env = GeminiHome.env(root.resolve("home"), api.baseUrl(recorded.name(), recorded.script()), tmp);
        GeminiRun run = GeminiRun.run(gemini, recorded.call(Files.createDirectories(root.resolve("scratch"))),
                root.resolve("repo"), env, tmp, DEADLINE_SECONDS);
        List<String> argv = new ArrayList<>(generic(run.argv(), root));
        argv.set(0, "gemini");
        GeminiRun generic = new GeminiRun(argv, generic(run.stdout(), root), generic(run.stderr(), root),
                run.exitCode(), run.seconds());
        Recordings.checkNoKey(recorded.name(), GeminiHome.KEY, List.of(generic.argv(), generic.stdout(), generic.stderr()));
        return new Recording(recorded, version, generic);
    }

    /** The run's own directory and the CLI's install directory become generic names. */
    private List<String> generic(List<String> lines, Path root) {
        String install = gemini.getParent().getParent().toString();
        return lines.stream().map(l -> l.replace(root.toString(), GENERIC_ROOT).replace(install, "<gemini-cli>/node_modules"))
                .toList();
    }

    /** Writes {@code <case>.stdout.jsonl}, {@code <case>.meta.json} and, when the CLI said anything there, stderr. */
    static void write(Recording recording, Path dir) throws IOException {
        Files.createDirectories(dir);
        String name = recording.recorded().name();
        GeminiRun run = recording.run();
        Files.writeString(dir.resolve(name + ".stdout.jsonl"), Recordings.lines(run.stdout()));
        Path stderr = dir.resolve(name + ".stderr.txt");
        Files.deleteIfExists(stderr);
        if (!run.stderr().isEmpty()) {
            Files.writeString(stderr, Recordings.lines(run.stderr()));
        }
        ObjectNode meta = Json.MAPPER.createObjectNode().put("case", name).put("gemini_cli_version", recording.version());
        run.argv().forEach(meta.putArray("argv")::add);
        ObjectNode env = meta.putObject("env");
        GeminiRun.KIND.environment().forEach(env::put);
        env.put("HOME", GENERIC_ROOT + "/home").put("GOOGLE_GEMINI_BASE_URL", "http://127.0.0.1:<port>/s/" + name)
                .put("GEMINI_API_KEY", "<the stand-in's key>").put("TMPDIR", GENERIC_ROOT + "/tmp");
        meta.put("api", recording.recorded().api());
        recording.recorded().resumes().ifPresent(first -> meta.put("resumes", first));
        meta.put("exit_code", run.exitCode()).put("seconds_to_exit", run.seconds())
                .put("stdout_lines", run.stdout().size()).put("stderr_lines", run.stderr().size());
        Recordings.writeMeta(dir, name, meta);
    }

    /** {@code GeminiTranscriptRecorder --gemini PATH [--out DIR] [CASE...]}: every case when none is named. */
    public static void main(String[] args) throws Exception {
        Recordings.Args<Case> parsed = Recordings.Args.parse("GeminiTranscriptRecorder", "gemini", SOURCE_DIR,
                GeminiTranscripts::named, args);
        System.exit(recordAll(parsed.executable(), parsed.casesOr(GeminiTranscripts.ALL), parsed.out()));
    }

    private static int recordAll(Path gemini, List<Case> cases, Path out) throws IOException, InterruptedException {
        Path scratch = Files.createTempDirectory("troupe-gemini-transcripts");
        try (GeminiApiStandIn api = GeminiApiStandIn.start()) {
            GeminiTranscriptRecorder recorder = new GeminiTranscriptRecorder(gemini, api);
            List<Recording> recordings = new ArrayList<>();
            for (Case recorded : cases) {
                Recording recording = recorder.record(recorded, scratch);
                recordings.add(recording);
                System.out.printf("%-16s exit %3d  %3d lines  %5.1f s%n", recorded.name(), recording.run().exitCode(),
                        recording.run().stdout().size(), recording.run().seconds());
            }
            for (Recording recording : recordings) {
                write(recording, out);
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
