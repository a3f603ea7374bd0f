package dev.troupe.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.journal.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * What the transcript recorders of the four CLIs share: their command line, the check that a stand-in's key is
 * nowhere in what is written, and how a recording's files are written and old ones removed.
 */
public final class Recordings {

    private Recordings() {
    }

    /** A recorder's command line: the CLI's executable, where to write, and the cases named (none: every case). */
    public record Args<C>(Path executable, Path out, List<C> cases) {

        /**
         * Parses {@code --<cli> PATH [--out DIR] [CASE...]}, each case looked up by {@code named}; bad usage prints
         * how to use {@code recorder} and exits with 2.
         */
        public static <C> Args<C> parse(String recorder, String cli, Path defaultOut, Function<String, C> named,
                String[] args) {
            Path executable = null;
            Path out = defaultOut;
            List<C> cases = new ArrayList<>();
            try {
                for (int i = 0; i < args.length; i++) {
                    if (args[i].equals("--" + cli)) {
                        executable = Path.of(args[++i]);
                    } else if (args[i].equals("--out")) {
                        out = Path.of(args[++i]);
                    } else {
                        cases.add(named.apply(args[i]));
                    }
                }
                if (executable == null || !Files.isExecutable(executable)) {
                    throw new IllegalArgumentException("--" + cli + " must name the CLI's executable: " + executable);
                }
            } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
                System.err.println("usage: " + recorder + " --" + cli + " PATH [--out DIR] [CASE...]: " + e.getMessage());
                System.exit(2);
            }
            return new Args<>(executable, out, cases);
        }

        /** The cases named, or {@code all} when none is. */
        public List<C> casesOr(List<C> all) {
            return cases.isEmpty() ? all : cases;
        }
    }

    /**
     * Fails the recording of {@code caseName} when a line holds the key, or its last 16 characters (a CLI may print
     * a key cut short).
     */
    public static void checkNoKey(String caseName, String key, List<List<String>> outputs) {
        String tail = key.substring(key.length() - 16);
        for (List<String> lines : outputs) {
            for (String line : lines) {
                if (line.contains(tail)) {
                    throw new IllegalStateException(caseName + ": the stand-in's key is in the output: " + line);
                }
            }
        }
    }

    /** The lines as a file holds them: each ended by a newline. */
    public static String lines(List<String> lines) {
        return lines.isEmpty() ? "" : String.join("\n", lines) + "\n";
    }

    /** Writes {@code <name>.meta.json}, pretty-printed. */
    public static void writeMeta(Path dir, String name, ObjectNode meta) throws IOException {
        Files.writeString(dir.resolve(name + ".meta.json"),
                Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(meta) + "\n");
    }

    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }

    /** Removes every recording in {@code dir}: recording all cases anew drops those of cases that are gone. */
    public static void removeRecordings(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().matches(".+\\.(stdout\\.jsonl|stdout\\.txt|stderr\\.txt|meta\\.json)"))
                    .toList()) {
                Files.delete(file);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
