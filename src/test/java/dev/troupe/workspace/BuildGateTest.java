package dev.troupe.workspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import dev.troupe.testing.Await;
import org.junit.jupiter.api.Test;

/** The run's build gate, in plain threads: who goes first, and what a turn given up unused does. */
class BuildGateTest {

    @Test
    void aTurnTakenFirstIsLetThroughFirstThoughItsBuildAsksLater() throws Exception {
        BuildGate gate = new BuildGate(1);
        List<String> order = new CopyOnWriteArrayList<>();
        BuildGate.Turn first = gate.take();
        CompletableFuture<String> second = new CompletableFuture<>();
        Thread asker = new Thread(() -> second.complete(build(gate, gate.take(), order, "second")));

        asker.start();
        // The second build asks first, and waits at the gate for the turn taken before its own.
        Await.until(() -> asker.getState() == Thread.State.WAITING, "the second build waits at the gate");
        build(gate, first, order, "first");

        assertEquals("second", second.get());
        assertEquals(List.of("first", "second"), order);
    }

    @Test
    void aTurnGivenUpUnusedLetsThoseBehindItThrough() {
        BuildGate gate = new BuildGate(1);
        List<String> order = new CopyOnWriteArrayList<>();
        BuildGate.Turn unused = gate.take();

        unused.close();

        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> build(gate, gate.take(), order, "next"));
        assertEquals(List.of("next"), order);
    }

    @Test
    void aWiderGateLetsSeveralBuildsAtOnce() {
        BuildGate gate = new BuildGate(2);
        List<String> order = new CopyOnWriteArrayList<>();

        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> gate.through(gate.take(), () -> {
            // Inside the first build, a second one runs to its end: with room for one only, this would wait forever.
            return CompletableFuture.supplyAsync(() -> build(gate, gate.take(), order, "inner")).join();
        }));
        assertEquals(List.of("inner"), order);
    }

    private static String build(BuildGate gate, BuildGate.Turn turn, List<String> order, String name) {
        try {
            return gate.through(turn, () -> {
                order.add(name);
                return name;
            });
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
