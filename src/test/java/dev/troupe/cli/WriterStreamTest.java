package dev.troupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WriterStreamTest {

    @Test
    void whatIsPrintedReachesTheWriterAtOnce() {
        StringWriter text = new StringWriter();
        PrintStream stream = WriterStream.printStream(new PrintWriter(text));

        stream.print("troupe: résumé ✓");

        assertEquals("troupe: résumé ✓", text.toString());
    }

    @Test
    void aCharacterSplitAcrossWritesIsWrittenWhole() {
        StringWriter text = new StringWriter();
        PrintStream stream = WriterStream.printStream(new PrintWriter(text));
        byte[] check = "✓".getBytes(StandardCharsets.UTF_8);

        stream.write(check, 0, 1);
        stream.write(check, 1, 1);
        assertEquals("", text.toString());
        stream.write(check, 2, 1);

        assertEquals("✓", text.toString());
    }
}
