package dev.troupe.remote;

import dev.troupe.git.GitException;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The text header of a git bundle file (gitformat-bundle: a {@code # v2 git bundle} or {@code # v3 git bundle}
 * line, v3's {@code @capability} lines, {@code -<id> comment} prerequisites and {@code <id> <refname>} references,
 * then an empty line before the pack), read without a git process. Only the references are taken; the pack and the
 * prerequisites are git's to check ({@code bundle verify}, {@code fetch}). A file that is not a bundle, or whose
 * header does not end within {@value #MAX_HEADER_BYTES} bytes, is a one-line GitException.
 */
final class BundleHeader {

    /** Far more than a bundle of one ref and a few dozen prerequisites (a commit's subject each) needs. */
    static final int MAX_HEADER_BYTES = 4 * 1024 * 1024;

    private BundleHeader() {}

    /** The references of {@code bundle}, each as {@code <id> <refname>}, as {@code git bundle list-heads} prints them. */
    static List<String> references(Path bundle) throws GitException {
        List<String> references = new ArrayList<>();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(bundle))) {
            String signature = line(in, bundle);
            if (!signature.equals("# v2 git bundle") && !signature.equals("# v3 git bundle")) {
                throw new GitException("not a git bundle (corrupt or wrong file): " + bundle);
            }
            int read = signature.length() + 1;
            for (String line = line(in, bundle); !line.isEmpty(); line = line(in, bundle)) {
                read += line.length() + 1;
                if (read > MAX_HEADER_BYTES) {
                    throw new GitException("bundle " + bundle + " has a header longer than " + MAX_HEADER_BYTES
                            + " bytes");
                }
                if (!line.startsWith("-") && !line.startsWith("@")) {
                    references.add(line.strip());
                }
            }
        } catch (IOException e) {
            throw new GitException("cannot read bundle " + bundle + ": " + e.getMessage(), e);
        }
        return references;
    }

    /** The next line, without its LF; a GitException at the end of the file or past the header's bound. */
    private static String line(InputStream in, Path bundle) throws IOException, GitException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b == -1) {
                throw new GitException("bundle " + bundle + " ends within its header");
            }
            if (line.size() == MAX_HEADER_BYTES) {
                throw new GitException("bundle " + bundle + " has a header longer than " + MAX_HEADER_BYTES
                        + " bytes");
            }
            line.write(b);
        }
        return line.toString(StandardCharsets.UTF_8);
    }
}
