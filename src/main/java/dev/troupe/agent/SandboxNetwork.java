package dev.troupe.agent;

import dev.troupe.goal.Endpoint;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only way out of a network-confined sandbox: Unix sockets in a folder of troupe's, which {@code socat} inside
 * the sandbox (a network namespace with nothing but its own loopback) offers the agent as ports on its
 * {@code 127.0.0.1}. One socket is an HTTPS proxy ({@code CONNECT}) that connects only to the listed endpoints; each
 * listed loopback endpoint (an API stand-in, a local model server) gets a socket of its own, bridged to the same
 * port inside, since a client reaches those directly. Everything else has no route: other hosts, other ports of
 * this machine, the cloud's metadata address.
 *
 * <p>One per list of endpoints, for the life of the JVM (a run's agents share theirs); the folder is removed when
 * the JVM exits.
 */
public final class SandboxNetwork {

    private static final Logger LOG = LoggerFactory.getLogger(SandboxNetwork.class);

    /** A port the agent reaches on {@code address} inside its sandbox, carried to troupe's {@code socket}. */
    public record Bridge(String address, int port, Path socket) {}

    /** The proxy's port inside the sandbox, unless a bridged endpoint has it: then the next free one. */
    private static final int PROXY_PORT = 3128;
    private static final int HEAD_LIMIT = 16 * 1024;
    private static final int CONNECT_TIMEOUT_MS = 10_000;
    /** How many connections the sandboxes of one list may hold open at once; more are closed at once. */
    private static final int MOST_CONNECTIONS = 256;
    private static final Map<Set<Endpoint>, SandboxNetwork> OPEN = new HashMap<>();

    private final Set<Endpoint> allowed;
    private final Path dir;
    private final List<Bridge> bridges = new ArrayList<>();
    private final int proxyPort;
    private final java.util.concurrent.Semaphore connections = new java.util.concurrent.Semaphore(MOST_CONNECTIONS);
    private final List<ServerSocketChannel> servers = new ArrayList<>();

    private SandboxNetwork(Set<Endpoint> allowed, Path dir) {
        this.allowed = allowed;
        this.dir = dir;
        Map<Integer, Endpoint> loopback = new LinkedHashMap<>();
        allowed.stream().filter(Endpoint::loopback).forEach(endpoint -> loopback.putIfAbsent(endpoint.port(), endpoint));
        int port = PROXY_PORT;
        while (loopback.containsKey(port)) {
            port++;
        }
        this.proxyPort = port;
        loopback.forEach((p, endpoint) -> {
            Path socket = dir.resolve("p" + p + ".sock");
            boolean v4 = endpoint.host().startsWith("127.");
            bridges.add(new Bridge(v4 ? endpoint.host() : "127.0.0.1", p, socket));
            if (!v4) { // localhost or ::1: a client may try ::1 first
                bridges.add(new Bridge("::1", p, socket));
            }
        });
        bridges.add(new Bridge("127.0.0.1", proxyPort, dir.resolve("proxy.sock")));
    }

    /** The network of a sandbox whose agent may reach {@code allowed}, listening from the first call on. */
    public static synchronized SandboxNetwork of(Collection<Endpoint> allowed) throws IOException {
        Set<Endpoint> key = Set.copyOf(allowed);
        SandboxNetwork open = OPEN.get(key);
        if (open == null) {
            Path dir = Files.createTempDirectory("troupe-net-");
            open = new SandboxNetwork(key, dir);
            try {
                open.listen();
            } catch (IOException e) {
                open.removeSockets();
                throw e;
            }
            OPEN.put(key, open);
            Runtime.getRuntime().addShutdownHook(new Thread(open::removeSockets, "troupe-net-cleanup"));
        }
        return open;
    }

    /** What the sandbox bridges, for {@link Sandbox#wrap}: the folder to show it and one port per socket. */
    public List<Bridge> bridges() {
        return List.copyOf(bridges);
    }

    /** The folder of the sockets, which the sandbox shows read-only. */
    public Path dir() {
        return dir;
    }

    /**
     * What the agent's environment needs: its HTTPS proxy (Node, Rust and Go clients read {@code HTTPS_PROXY}),
     * loopback reached directly (bridged), and no other proxy inherited from troupe's environment, which the
     * sandbox could not reach anyway.
     */
    public Map<String, String> environment() {
        String proxy = "http://127.0.0.1:" + proxyPort;
        Map<String, String> env = new LinkedHashMap<>();
        for (String name : List.of("HTTPS_PROXY", "https_proxy")) {
            env.put(name, proxy);
        }
        for (String name : List.of("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")) {
            env.put(name, "");
        }
        for (String name : List.of("NO_PROXY", "no_proxy")) {
            env.put(name, "localhost,127.0.0.1,::1");
        }
        return env;
    }

    private void listen() throws IOException {
        Map<Path, Endpoint> targets = new LinkedHashMap<>();
        allowed.stream().filter(Endpoint::loopback).forEach(endpoint ->
                targets.putIfAbsent(dir.resolve("p" + endpoint.port() + ".sock"), endpoint));
        for (Map.Entry<Path, Endpoint> target : targets.entrySet()) {
            accept(target.getKey(), agent -> forward(agent, target.getValue(), ByteBuffer.allocate(0)));
        }
        accept(dir.resolve("proxy.sock"), this::proxy);
    }

    private interface Handler {
        void serve(SocketChannel agent) throws IOException;
    }

    private void accept(Path socket, Handler handler) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        servers.add(server);
        server.bind(UnixDomainSocketAddress.of(socket));
        daemon("troupe-net-accept", () -> {
            while (server.isOpen()) {
                SocketChannel agent;
                try {
                    agent = server.accept();
                } catch (IOException closed) {
                    return;
                }
                if (!connections.tryAcquire()) {
                    LOG.warn("sandbox network: {} connections are open already; one more is closed", MOST_CONNECTIONS);
                    agent.close();
                    continue;
                }
                daemon("troupe-net-conn", () -> {
                    try (agent) {
                        handler.serve(agent);
                    } catch (IOException gone) {
                        // One connection ended badly: the agent sees it closed.
                    } finally {
                        connections.release();
                    }
                });
            }
        });
    }

    /** An HTTP {@code CONNECT} to a listed endpoint, answered and then carried both ways; anything else refused. */
    private void proxy(SocketChannel agent) throws IOException {
        ByteBuffer read = ByteBuffer.allocate(HEAD_LIMIT);
        int end;
        while ((end = headEnd(read)) < 0) {
            if (!read.hasRemaining() || agent.read(read) < 0) {
                return;
            }
        }
        String head = new String(read.array(), 0, end, StandardCharsets.ISO_8859_1);
        String[] request = head.substring(0, head.indexOf("\r\n")).split(" ");
        if (request.length != 3 || !request[0].equals("CONNECT")) {
            answer(agent, "405 Method Not Allowed", "troupe's sandbox carries HTTPS only (CONNECT)");
            return;
        }
        Endpoint target;
        try {
            target = Endpoint.parse(request[1]);
        } catch (IllegalArgumentException e) {
            answer(agent, "400 Bad Request", e.getMessage());
            return;
        }
        if (!allows(target)) {
            LOG.warn("sandbox network: refused an agent's connection to {} (not on workspace.sandbox.network)", target);
            answer(agent, "403 Forbidden", target + " is not on the sandbox's network list (workspace.sandbox.network)");
            return;
        }
        ByteBuffer early = ByteBuffer.wrap(read.array(), end, read.position() - end);
        forward(agent, target, early, "HTTP/1.1 200 Connection established\r\n\r\n");
    }

    private boolean allows(Endpoint target) {
        return allowed.contains(target) || target.loopback()
                && allowed.stream().anyMatch(endpoint -> endpoint.loopback() && endpoint.port() == target.port());
    }

    private void forward(SocketChannel agent, Endpoint target, ByteBuffer early) throws IOException {
        forward(agent, target, early, null);
    }

    /** Connects to {@code target} (each of its addresses in turn), says {@code established} if given, then carries. */
    private void forward(SocketChannel agent, Endpoint target, ByteBuffer early, String established) throws IOException {
        SocketChannel upstream = null;
        IOException last = null;
        for (InetAddress address : InetAddress.getAllByName(target.host())) {
            SocketChannel trying = SocketChannel.open();
            try {
                trying.socket().connect(new InetSocketAddress(address, target.port()), CONNECT_TIMEOUT_MS);
                upstream = trying;
                break;
            } catch (IOException e) {
                trying.close();
                last = e;
            }
        }
        if (upstream == null) {
            if (established != null) {
                answer(agent, "502 Bad Gateway", target + " could not be reached: " + (last == null ? "no address"
                        : last.getMessage()));
            }
            return;
        }
        try (SocketChannel open = upstream) {
            if (established != null) {
                writeAll(agent, ByteBuffer.wrap(established.getBytes(StandardCharsets.ISO_8859_1)));
            }
            writeAll(open, early);
            Thread back = daemon("troupe-net-back", () -> carry(open, agent));
            carry(agent, open);
            back.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Copies {@code from} to {@code to} until {@code from} ends, then ends {@code to}'s output. */
    private static void carry(SocketChannel from, SocketChannel to) {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        try {
            while (from.read(buffer) >= 0) {
                buffer.flip();
                writeAll(to, buffer);
                buffer.clear();
            }
            to.shutdownOutput();
        } catch (IOException closed) {
            try {
                to.close();
                from.close();
            } catch (IOException ignored) {
                // Both are gone.
            }
        }
    }

    private static void writeAll(SocketChannel to, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            to.write(buffer);
        }
    }

    private static void answer(SocketChannel agent, String status, String why) throws IOException {
        byte[] body = ("troupe: " + why + "\n").getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
                + body.length + "\r\nConnection: close\r\n\r\n";
        writeAll(agent, ByteBuffer.wrap(head.getBytes(StandardCharsets.ISO_8859_1)));
        writeAll(agent, ByteBuffer.wrap(body));
    }

    /** Where the request's head ends (after its blank line) in what was read so far; -1 before that. */
    private static int headEnd(ByteBuffer read) {
        byte[] bytes = read.array();
        for (int i = 3; i < read.position(); i++) {
            if (bytes[i - 3] == '\r' && bytes[i - 2] == '\n' && bytes[i - 1] == '\r' && bytes[i] == '\n') {
                return i + 1;
            }
        }
        return -1;
    }

    private interface Body {
        void run() throws Exception;
    }

    private static Thread daemon(String name, Body body) {
        Thread thread = new Thread(() -> {
            try {
                body.run();
            } catch (Exception e) {
                LOG.debug("sandbox network: {}", e.toString());
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private void removeSockets() {
        for (ServerSocketChannel server : servers) {
            try {
                server.close();
            } catch (IOException e) {
                // Closing anyway.
            }
        }
        try (var files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // /tmp is cleaned eventually.
        }
    }
}
