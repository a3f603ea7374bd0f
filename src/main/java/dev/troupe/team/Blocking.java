package dev.troupe.team;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/** Runs blocking work (processes, git, files) off the actors' threads, for {@code pipeToSelf}. */
public final class Blocking {

    private Blocking() {}

    public static <T> CompletableFuture<T> call(Executor blocking, Callable<T> work) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return work.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        }, blocking);
    }

    /** The exception a blocking call failed with, without the future's wrapping. */
    public static Throwable cause(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    /** A one-line description of a failure for journals and summaries. */
    public static String describe(Throwable failure) {
        Throwable cause = cause(failure);
        return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
    }
}
