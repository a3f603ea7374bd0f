package dev.troupe.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Follows a file another process appends lines to: each call returns the whole lines written since the last
 * one (a line still being written waits for its newline), at most {@link #MAX_READ} bytes at a time.
 */
public final class FileTail {

    private static final int MAX_READ = 8 << 20;

    private final Path file;
    private long offset;

    /** @param offset where to start: 0 for the whole file, its size for what comes next */
    public FileTail(Path file, long offset) {
        this.file = file;
        this.offset = offset;
    }

    public static long sizeOf(Path file) throws IOException {
        try {
            return Files.size(file);
        } catch (NoSuchFileException notYet) {
            return 0;
        }
    }

    public Path file() {
        return file;
    }

    public List<String> newLines() throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        try (SeekableByteChannel channel = Files.newByteChannel(file)) {
            long available = channel.size() - offset;
            if (available <= 0) {
                return List.of();
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(available, MAX_READ));
            channel.position(offset);
            while (buffer.hasRemaining() && channel.read(buffer) > 0) {
                // Fill what is there.
            }
            byte[] bytes = buffer.array();
            int end = buffer.position();
            int lastNewline = -1;
            for (int i = end - 1; i >= 0; i--) {
                if (bytes[i] == '\n') {
                    lastNewline = i;
                    break;
                }
            }
            if (lastNewline < 0) {
                // One line longer than a read, or one still being written: a long one is shown cut.
                if (end < MAX_READ) {
                    return List.of();
                }
                lastNewline = end - 1;
            }
            offset += lastNewline + 1;
            return new ArrayList<>(new String(bytes, 0, lastNewline, StandardCharsets.UTF_8).lines().toList());
        }
    }
}
