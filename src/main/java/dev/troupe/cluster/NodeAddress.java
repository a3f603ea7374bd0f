package dev.troupe.cluster;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Where a node listens or whom it joins: {@code host:port}, as given on the command line. */
public record NodeAddress(String host, int port) {

    /** Parses {@code host:port} ({@code [v6]:port} for an IPv6 literal); {@code what} names the option in errors. */
    public static NodeAddress parse(String text, String what) throws ClusterException {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new ClusterException(what + " '" + text + "' is not host:port (e.g. 127.0.0.1:25520)");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new ClusterException(what + " '" + text + "': the port is not a number");
        }
        if (port < 0 || port > 65535) {
            throw new ClusterException(what + " '" + text + "': the port must be 0 to 65535");
        }
        return new NodeAddress(host, port);
    }

    /** Whether the host is this machine's loopback, the only place a cluster may run without a key. */
    public boolean isLoopback() {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
