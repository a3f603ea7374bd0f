package dev.troupe.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A cluster's shared secret: a PKCS12 key store with one RSA key pair and its self-signed certificate, which every
 * node of the cluster both presents and trusts, so that Artery's TLS with mutual authentication admits exactly the
 * nodes that hold the file. The file is the secret, as an SSH key without a passphrase is: it must be readable by
 * its owner alone (refused otherwise), and the store's password is fixed because it would have to travel with the
 * file anyway. Made by the JDK's own {@code keytool}.
 */
public final class ClusterKey {

    static final String ALIAS = "troupe-cluster";
    private static final String PASSWORD = "troupe-cluster";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final Path file;
    private final String fingerprint;

    private ClusterKey(Path file, String fingerprint) {
        this.file = file;
        this.fingerprint = fingerprint;
    }

    /** Blocking: makes a new key at {@code file} (never over an existing one), readable by its owner alone. */
    public static ClusterKey create(Path file) throws ClusterException {
        Path target = file.toAbsolutePath();
        if (Files.exists(target)) {
            throw new ClusterException(file + " exists already; a new key would lock out every node that holds it");
        }
        Path scratch = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            Files.createDirectories(target.getParent());
            keytool(List.of("-genkeypair", "-alias", ALIAS, "-keyalg", "RSA", "-keysize", "3072", "-validity", "3650",
                    "-dname", "CN=troupe cluster " + UUID.randomUUID(), "-keystore", scratch.toString(),
                    "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD));
            Files.setPosixFilePermissions(scratch, OWNER_ONLY);
            Files.move(scratch, target);
            return open(target);
        } catch (FileAlreadyExistsException e) {
            throw new ClusterException(file + " exists already; a new key would lock out every node that holds it");
        } catch (IOException e) {
            throw new ClusterException("cannot write the cluster key " + file + ": " + e.getMessage());
        } finally {
            try {
                Files.deleteIfExists(scratch);
            } catch (IOException ignored) {
                // Best effort: a scratch file beside the key holds a key nobody uses.
            }
        }
    }

    /** Blocking: the key at {@code file}, checked: present, the owner's alone, and a key troupe made. */
    public static ClusterKey open(Path file) throws ClusterException {
        if (!Files.isRegularFile(file)) {
            throw new ClusterException("no cluster key at " + file + "; make one with `troupe cluster-key " + file
                    + "` and copy it to every node");
        }
        try {
            PosixFileAttributeView posix = Files.getFileAttributeView(file, PosixFileAttributeView.class);
            if (posix != null && !OWNER_ONLY.containsAll(posix.readAttributes().permissions())) {
                throw new ClusterException("the cluster key " + file + " is readable by others ("
                        + PosixFilePermissions.toString(posix.readAttributes().permissions())
                        + "); whoever reads it can join the cluster: chmod 600 " + file);
            }
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(file)) {
                store.load(in, PASSWORD.toCharArray());
            }
            if (!store.isKeyEntry(ALIAS)) {
                throw new ClusterException(file + " is not a troupe cluster key (no '" + ALIAS + "' key in it)");
            }
            return new ClusterKey(file.toAbsolutePath(), fingerprintOf(store.getCertificate(ALIAS)));
        } catch (IOException | GeneralSecurityException e) {
            throw new ClusterException(file + " is not a troupe cluster key: " + e.getMessage());
        }
    }

    public Path file() {
        return file;
    }

    /** The SHA-256 of the key's certificate, to compare on two machines that they hold the same key. */
    public String fingerprint() {
        return fingerprint;
    }

    /** Artery's TLS transport with mutual authentication over this key. */
    Config transport() {
        String engine = "akka.remote.artery.ssl.config-ssl-engine.";
        return ConfigFactory.parseString("""
                akka.remote.artery.transport = tls-tcp
                akka.remote.artery.ssl.config-ssl-engine {
                  protocol = TLSv1.3
                  enabled-algorithms = [TLS_AES_256_GCM_SHA384, TLS_AES_128_GCM_SHA256]
                  require-mutual-authentication = on
                  random-number-generator = ""
                }
                """)
                .withValue(engine + "key-store", ConfigValueFactory.fromAnyRef(file.toString()))
                .withValue(engine + "trust-store", ConfigValueFactory.fromAnyRef(file.toString()))
                .withValue(engine + "key-store-password", ConfigValueFactory.fromAnyRef(PASSWORD))
                .withValue(engine + "key-password", ConfigValueFactory.fromAnyRef(PASSWORD))
                .withValue(engine + "trust-store-password", ConfigValueFactory.fromAnyRef(PASSWORD));
    }

    private static String fingerprintOf(Certificate certificate) throws GeneralSecurityException {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
        return HexFormat.ofDelimiter(":").formatHex(digest);
    }

    private static void keytool(List<String> args) throws ClusterException, IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new ClusterException("keytool could not make the cluster key: " + output.strip());
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ClusterException("interrupted while keytool made the cluster key");
        }
    }
}
