package dev.troupe.cluster;

import akka.actor.typed.ActorSystem;
import akka.stream.IOResult;
import akka.stream.SourceRef;
import akka.stream.javadsl.FileIO;
import akka.stream.javadsl.StreamRefs;
import akka.util.ByteString;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Files between nodes (git bundles, both ways) as Akka Stream Refs: the sender offers a file as a
 * {@link SourceRef} of chunks, to be put in a {@link ClusterMessage} with its size; the receiver spools it to disk as
 * it arrives, never whole in memory, backpressured end to end. A transfer cut short (the sender's node lost, its
 * file shorter than it said) fails, and leaves nothing at the target.
 */
public final class FileTransfer {

    /** The size of the chunks a file travels in. */
    static final int CHUNK = 64 * 1024;

    private FileTransfer() {}

    /** A ref that streams {@code file} to the one receiver that takes it (within Akka's subscription timeout). */
    public static SourceRef<ByteString> offer(Path file, ActorSystem<?> system) {
        return FileIO.fromPath(file, CHUNK).runWith(StreamRefs.sourceRef(), system);
    }

    /**
     * Writes what {@code ref} streams to {@code target}: into a partial file beside it, moved into place once all
     * {@code expectedBytes} arrived.
     */
    public static CompletionStage<Path> spool(SourceRef<ByteString> ref, long expectedBytes, Path target,
            ActorSystem<?> system) {
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        CompletionStage<IOResult> written;
        try {
            Files.createDirectories(target.getParent());
            written = ref.getSource().runWith(FileIO.toPath(partial), system);
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return written.handleAsync((result, failure) -> {
            try {
                if (failure != null) {
                    Files.deleteIfExists(partial);
                    throw new IOException("the transfer of " + target.getFileName() + " broke off: " + failure.getMessage(),
                            failure);
                }
                if (result.count() != expectedBytes) {
                    Files.deleteIfExists(partial);
                    throw new IOException("the transfer of " + target.getFileName() + " ended after " + result.count()
                            + " of " + expectedBytes + " bytes");
                }
                return Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, system.executionContext());
    }
}
