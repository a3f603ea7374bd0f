package dev.troupe.goal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Turns a task id into a slug that is safe as a git ref component and as a file name: letters, digits,
 * {@code _} and {@code -} only, never empty, at most {@value #MAX_LENGTH} characters.
 */
public final class TaskIds {

    static final int MAX_LENGTH = 64;

    private TaskIds() {}

    /** Compiled once: a fan-out takes the slug of each of its thousands of files. */
    private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9_-]+");
    private static final Pattern DASHES = Pattern.compile("-{2,}");
    private static final Pattern OUTER_DASHES = Pattern.compile("^-+|-+$");

    public static String slug(String id) {
        String slug = OUTER_DASHES.matcher(DASHES.matcher(UNSAFE.matcher(id).replaceAll("-")).replaceAll("-"))
                .replaceAll("");
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
