package dev.troupe.testing;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waiting for a condition another process brings about (a file, a journal line), checked every 20 ms. */
public final class Await {

    private Await() {}

    /** Returns once {@code condition} holds; fails the test after 60 s, naming {@code what} was awaited. */
    public static void until(BooleanSupplier condition, String what) throws InterruptedException {
        until(condition, 60, () -> what);
    }

    /**
     * The same within {@code seconds}; {@code what} is asked only on failure, so that it can say what the awaited
     * process printed by then.
     */
    public static void until(BooleanSupplier condition, int seconds, Supplier<String> what)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + seconds + " s: " + what.get());
            }
            Thread.sleep(20);
        }
    }
}
