package dev.troupe.testing;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Waiting for a condition another process brings about (a file, a journal line), checked every 20 ms. */
public final class Await {

    private Await() {}

    /** Returns once {@code condition} holds; fails the test after 60 s, naming {@code what} was awaited. */
    public static void until(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 60 s: " + what);
            }
            Thread.sleep(20);
        }
    }
}
