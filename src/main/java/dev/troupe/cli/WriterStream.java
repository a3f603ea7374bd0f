package dev.troupe.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A command line's {@link PrintWriter} (picocli's out or err) as the {@link PrintStream} the run's views and the
 * launcher print to: bytes are decoded as UTF-8 and written on, flushed at every write, so what a view draws shows
 * at once. A character split across two writes is held until its last byte comes.
 */
final class WriterStream extends OutputStream {

    /** The longest UTF-8 sequence, less the byte that completes it. */
    private static final int MAX_HELD = 3;

    private final PrintWriter writer;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    private final ByteBuffer held = ByteBuffer.allocate(MAX_HELD);

    private WriterStream(PrintWriter writer) {
        this.writer = writer;
    }

    /** A UTF-8 PrintStream onto {@code writer}. */
    static PrintStream printStream(PrintWriter writer) {
        return new PrintStream(new WriterStream(writer), true, StandardCharsets.UTF_8);
    }

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        ByteBuffer in;
        if (held.position() == 0) {
            in = ByteBuffer.wrap(bytes, offset, length);
        } else {
            in = ByteBuffer.allocate(held.position() + length).put(held.flip()).put(bytes, offset, length).flip();
            held.clear();
        }
        // UTF-8 never decodes to more chars than it has bytes (a replaced malformed byte is one char).
        CharBuffer chars = CharBuffer.allocate(in.remaining());
        decoder.decode(in, chars, false);
        writer.write(chars.array(), 0, chars.position());
        held.put(in);
    }

    @Override
    public void flush() {
        writer.flush();
    }

    @Override
    public void close() {
        writer.flush();
    }
}
