package dev.troupe.goal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Turns a task id into a slug that is safe as a git ref component and as a file name: letters, digits,
 * {@code _} and {@code -} only, never empty, at most {@value #MAX_LENGTH} characters.
 */
public final class TaskIds {

    static final int MAX_LENGTH = 64;

    private TaskIds() {}

    public static String slug(String id) {
        String slug = id.replaceAll("[^A-Za-z0-9_-]+", "-").replaceAll("-{2,}", "-").replaceAll("^-+|-+$", "");
        if (slug.isEmpty()) {
            return "task-" + shortHash(id);
        }
        if (slug.length() > MAX_LENGTH) {
            // Keep ids that share a long prefix apart.
            return slug.substring(0, MAX_LENGTH - 9) + "-" + shortHash(id);
        }
        return slug;
    }

    /** The slug of {@code id}, made distinct from {@code taken} by a hash of the id when it is not. */
    public static String uniqueSlug(String id, java.util.Set<String> taken) {
        String slug = slug(id);
        if (!taken.contains(slug)) {
            return slug;
        }
        String base = slug.length() > MAX_LENGTH - 9 ? slug.substring(0, MAX_LENGTH - 9) : slug;
        return base + "-" + shortHash(id);
    }

    private static String shortHash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
