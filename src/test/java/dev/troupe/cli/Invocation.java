package dev.troupe.cli;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** One {@code troupe} command run in this JVM through the real entry point, with what it printed. */
record Invocation(int exitCode, String out, String err) {

    static Invocation troupe(String... args) {
        return troupe(System.in, args);
    }

    /** The same, the command reading what is typed from {@code in} ({@code troupe attach}). */
    static Invocation troupe(InputStream in, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.execute(args, in, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Invocation(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
