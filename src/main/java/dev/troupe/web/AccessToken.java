package dev.troupe.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * The secret every request to troupe's page needs: random, made anew each time troupe serves, and shown only in the
 * URL it prints. A browser that came by that URL keeps it in a cookie; an action (a POST) must also carry it in a
 * header, which no other site's page can make a browser send.
 */
public final class AccessToken {

    /** The URL's query parameter the printed link carries. */
    static final String QUERY = "token";
    /**
     * The cookie a browser keeps it in after its first visit, named for the port: a browser sends a host's cookies
     * to each of its ports, and two troupes serving on one machine must not take each other's.
     */
    static String cookie(int port) {
        return "troupe-token-" + port;
    }
    /** The header every action must carry it in. */
    static final String HEADER = "X-Troupe-Token";

    private final String value;

    private AccessToken(String value) {
        this.value = value;
    }

    /** 192 random bits, URL-safe. */
    public static AccessToken random() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return new AccessToken(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
    }

    public String value() {
        return value;
    }

    /** Whether {@code given} is this token, compared in constant time. */
    boolean matches(Optional<String> given) {
        return given.map(g -> MessageDigest.isEqual(g.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8))).orElse(false);
    }

    @Override
    public String toString() {
        return "AccessToken(****)";
    }
}
