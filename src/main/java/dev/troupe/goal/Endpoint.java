package dev.troupe.goal;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A host and port a sandboxed agent may reach ({@code workspace.sandbox.network}, or its CLI's API): written
 * {@code host}, {@code host:port}, {@code [v6]:port} or as a URL ({@code https://host[:port]/...}). A bare host
 * means port 443, since what goes through the sandbox's proxy is HTTPS.
 */
public record Endpoint(String host, int port) {

    private static final int HTTPS = 443;
    private static final int HTTP = 80;
    private static final Pattern HOST_PORT = Pattern.compile("(?:\\[([0-9A-Fa-f:.]+)]|([A-Za-z0-9._-]+))(?::([0-9]{1,5}))?");

    public Endpoint {
        host = host.toLowerCase(Locale.ROOT);
    }

    /**
     * {@code text} read as an endpoint.
     *
     * @throws IllegalArgumentException with a sentence saying what is wrong with it
     */
    public static Endpoint parse(String text) {
        String given = text == null ? "" : text.strip();
        if (given.isEmpty()) {
            throw new IllegalArgumentException("an empty host");
        }
        if (given.contains("://")) {
            return fromUrl(given).orElseThrow(() -> new IllegalArgumentException("'" + given
                    + "' is not a URL with a host (https://host[:port])"));
        }
        Matcher matcher = HOST_PORT.matcher(given);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("'" + given + "' is not a host, host:port or URL");
        }
        String host = matcher.group(1) != null ? matcher.group(1) : matcher.group(2);
        return new Endpoint(host, port(given, matcher.group(3), HTTPS));
    }

    /** The host and port of an API's base URL ({@code http://127.0.0.1:8080/x}), when it is one. */
    public static Optional<Endpoint> fromUrl(String url) {
        try {
            URI uri = new URI(url.strip());
            if (uri.getHost() == null || uri.getScheme() == null) {
                return Optional.empty();
            }
            int byScheme = "http".equalsIgnoreCase(uri.getScheme()) ? HTTP : HTTPS;
            String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1)
                    : uri.getHost();
            return Optional.of(new Endpoint(host, uri.getPort() == -1 ? byScheme : uri.getPort()));
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }

    private static int port(String given, String digits, int byDefault) {
        if (digits == null) {
            return byDefault;
        }
        int port = Integer.parseInt(digits);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("'" + given + "': a port is between 1 and 65535");
        }
        return port;
    }

    /**
     * Whether it is this machine's own loopback ({@code localhost}, {@code 127.x.x.x}, {@code ::1}): inside the
     * sandbox's network namespace that address is the agent's own, so troupe bridges the port itself.
     */
    public boolean loopback() {
        return host.equals("localhost") || host.startsWith("127.") && host.matches("[0-9.]+") || host.equals("::1");
    }

    /** As a goal file or an HTTP {@code CONNECT} names it: {@code host:port}, {@code [v6]:port}. */
    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
