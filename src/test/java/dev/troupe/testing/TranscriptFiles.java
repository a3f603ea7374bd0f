package dev.troupe.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.journal.Json;
import dev.troupe.testing.TranscriptCases.Case;
import dev.troupe.testing.TranscriptRecorder.Recording;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The files a {@link Recording} is kept in: what the CLI printed, and a meta file of how it was run. */
final class TranscriptFiles {

    private TranscriptFiles() {
    }

    /** Writes {@code <case>.stdout.jsonl} (or {@code .stdout.txt}), {@code <case>.meta.json}, and stderr if any. */
    static void write(Recording recording, Path dir) throws IOException {
        Files.createDirectories(dir);
        String name = recording.recorded().name();
        Files.writeString(dir.resolve(recording.stdoutFile()), Recordings.lines(recording.stdout()));
        Path stderr = dir.resolve(name + ".stderr.txt");
        Files.deleteIfExists(stderr);
        if (!recording.stderr().isEmpty()) {
            Files.writeString(stderr, Recordings.lines(recording.stderr()));
        }
        Recordings.writeMeta(dir, name, meta(recording));
    }

    private static ObjectNode meta(Recording recording) {
        Case recorded = recording.recorded();
        List<String> argv = new ArrayList<>(recording.argv());
        argv.set(0, "claude");
        ObjectNode meta = Json.MAPPER.createObjectNode().put("case", recorded.name())
                .put("claude_code_version", recording.version())
                .put("command", String.join(" ", argv.stream().map(TranscriptFiles::quoted).toList()));
        argv.forEach(meta.putArray("argv")::add);
        ObjectNode env = meta.putObject("env");
        recorded.env().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> env.put(e.getKey(), e.getValue()));
        meta.put("api", recorded.api());
        stdin(recording, meta);
        recorded.kill().ifPresentOrElse(k -> meta.put("signal", "SIG" + k.signal()).put("signal_when", k.when()),
                () -> meta.putNull("signal"));
        return meta.put("exit_code", recording.exitCode()).put("seconds_to_exit", recording.seconds())
                .put("stdout_file", recording.stdoutFile()).put("stdout_lines", recording.stdout().size())
                .put("stderr_lines", recording.stderr().size());
    }

    /** Each line written to stdin, when, and after how many lines of stdout; a null line for the end of input. */
    private static void stdin(Recording recording, ObjectNode meta) {
        if (!recording.recorded().takesStdin()) {
            return;
        }
        ArrayNode steps = meta.putArray("stdin");
        for (int i = 0; i < recording.recorded().stdin().size(); i++) {
            TranscriptCases.Step step = recording.recorded().stdin().get(i);
            steps.addObject().put("when", step.when()).put("after_stdout_lines", recording.stdinWrittenAfter().get(i))
                    .put("line", step.input().line().orElse(null));
        }
    }

    private static String quoted(String arg) {
        return arg.matches("[\\w./:=,@-]+") ? arg : "'" + arg.replace("'", "'\\''") + "'";
    }
}
