import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
import java.util.concurrent.atomic.AtomicInteger;
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
        while (!server.isClosed()) {
            Socket in;
            try {
                in = server.accept();
            } catch (IOException closed) {
                return; // close() ends the link
            }
            try {
                Socket out = new Socket(InetAddress.getLoopbackAddress(), target);
                keep(in);
                keep(out);
                in.setTcpNoDelay(true);
                out.setTcpNoDelay(true);
                AtomicInteger directions = new AtomicInteger(2);
                relay(in, out, directions);
                relay(out, in, directions);
            } catch (IOException refused) {
                closeQuietly(in); // the target refused: so does the link, this one connection
            }
        }
    }

    /**
     * Reads {@code from} as it comes, and writes each chunk to {@code to} once it has waited its delay; an end is
     * passed on as an end (half-close), and once both {@code directions} ended, both sockets are closed. A write
     * that fails closes both at once.
     */
    private void relay(Socket from, Socket to, AtomicInteger directions) {
        BlockingQueue<Chunk> chunks = new LinkedBlockingQueue<>();
        daemon("read", () -> {
            byte[] buffer = new byte[64 * 1024];
            try {
                InputStream input = from.getInputStream();
                for (int n; (n = input.read(buffer)) >= 0; ) {
                    chunks.add(new Chunk(System.nanoTime() + oneWayNanos, Arrays.copyOf(buffer, n)));
                }
            } catch (IOException gone) {
                // Reset or closed: what was read still goes on, then the end.
            }
            chunks.add(new Chunk(System.nanoTime() + oneWayNanos, null));
        });
        daemon("write", () -> {
            try {
                OutputStream output = to.getOutputStream();
                while (true) {
                    Chunk chunk = chunks.take();
                    long wait = chunk.due() - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    if (chunk.bytes() == null) {
                        to.shutdownOutput();
                        if (directions.decrementAndGet() == 0) {
                            closeQuietly(from);
                            closeQuietly(to);
                        }
                        return;
                    }
                    output.write(chunk.bytes());
                    output.flush();
                    carried.addAndGet(chunk.bytes().length);
                }
            } catch (IOException | InterruptedException gone) {
                closeQuietly(from);
                closeQuietly(to);
            }
        });
    }

    /** A socket to close with the link; one accepted while the link closes is closed at once. */
    private void keep(Socket socket) {
        synchronized (sockets) {
            sockets.add(socket);
            if (server.isClosed()) {
                closeQuietly(socket);
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closed is what was wanted.
        }
    }

    private static void daemon(String name, Runnable body) {
        Thread thread = new Thread(body, "slow-link-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() throws IOException {
        synchronized (sockets) {
            server.close();
            sockets.forEach(SlowLink::closeQuietly);
        }
    }
}
