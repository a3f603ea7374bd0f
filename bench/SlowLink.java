import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP link of a given round trip on 127.0.0.1, in user space (this machine's kernel has no {@code tc netem}):
 * it accepts on {@code port} and relays each connection to {@code target}, holding every chunk of bytes
 * half the round trip before it passes it on, in both directions. Chunks are timed one by one, so the link
 * delays without slowing what streams through it. Used by ClusterBench (workload 7, `--latency`).
 */
final class SlowLink implements AutoCloseable {

    /** Bytes to pass on at {@code due} ({@link System#nanoTime()}); none: the sender ended. */
    private record Chunk(long due, byte[] bytes) {}

    private final ServerSocket server;
    private final int target;
    private final long oneWayNanos;
    private final List<Socket> sockets = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong carried = new AtomicLong();

    SlowLink(int port, int target, Duration roundTrip) throws IOException {
        this.server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
        this.target = target;
        this.oneWayNanos = roundTrip.toNanos() / 2;
        daemon("accept", this::accept);
    }

    /** The bytes passed on so far, both ways. */
    long carried() {
        return carried.get();
    }

    private void accept() {
        try {
            while (true) {
                Socket in = server.accept();
                Socket out = new Socket(InetAddress.getLoopbackAddress(), target);
                in.setTcpNoDelay(true);
                out.setTcpNoDelay(true);
                sockets.add(in);
                sockets.add(out);
                relay(in, out);
                relay(out, in);
            }
        } catch (IOException closed) {
            // close() ends the link.
        }
    }

    /** Reads {@code from} as it comes, and writes each chunk to {@code to} once it has waited its delay. */
    private void relay(Socket from, Socket to) {
        BlockingQueue<Chunk> chunks = new LinkedBlockingQueue<>();
        daemon("read", () -> {
            byte[] buffer = new byte[64 * 1024];
            try (var input = from.getInputStream()) {
                for (int n; (n = input.read(buffer)) >= 0; ) {
                    chunks.add(new Chunk(System.nanoTime() + oneWayNanos, Arrays.copyOf(buffer, n)));
                }
            } catch (IOException gone) {
                // The other side ended: what was read still goes on, then the end.
            }
            chunks.add(new Chunk(System.nanoTime() + oneWayNanos, null));
        });
        daemon("write", () -> {
            try {
                var output = to.getOutputStream();
                while (true) {
                    Chunk chunk = chunks.take();
                    long wait = chunk.due() - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    if (chunk.bytes() == null) {
                        to.shutdownOutput();
                        return;
                    }
                    output.write(chunk.bytes());
                    carried.addAndGet(chunk.bytes().length);
                    output.flush();
                }
            } catch (IOException | InterruptedException gone) {
                // The other side is gone.
            }
        });
    }

    private static void daemon(String name, Runnable body) {
        Thread thread = new Thread(body, "slow-link-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() throws IOException {
        server.close();
        synchronized (sockets) {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }
}
