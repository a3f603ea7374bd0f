package dev.troupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/troupe run as people put it on their PATH: through a link, or a link to a link. The script is a copy in a
 * checkout of its own under a temporary folder, and {@code java} a stand-in that prints how it was called, so the
 * test needs no built jar and shows which checkout's jar the script would run.
 */
class TroupeScriptTest {

    @TempDir
    Path tmp;

    private Path checkout;
    private Path fakeJava;

    record Ran(int exitCode, String out, String err) {}

    @BeforeEach
    void checkoutWithTheScript() throws IOException {
        checkout = tmp.resolve("checkout");
        Files.createDirectories(checkout.resolve("bin"));
        Files.copy(Path.of("bin/troupe"), checkout.resolve("bin/troupe"));
        executable(checkout.resolve("bin/troupe"));
        Path fakeBin = Files.createDirectories(tmp.resolve("fake-java"));
        fakeJava = fakeBin.resolve("java");
        Files.writeString(fakeJava, "#!/usr/bin/env bash\necho \"java $*\"\n");
        executable(fakeJava);
    }

    @Test
    void runsTheJarOfTheCheckoutALinkLeadsTo() throws Exception {
        Files.createDirectories(checkout.resolve("target"));
        Files.writeString(checkout.resolve("target/troupe.jar"), "");
        Path onPath = Files.createDirectories(tmp.resolve("home/.local/bin"));
        Files.createSymbolicLink(onPath.resolve("troupe"), checkout.resolve("bin/troupe"));

        Ran ran = run(onPath.resolve("troupe"), "--help");

        assertEquals(0, ran.exitCode(), ran.err());
        assertEquals("java -XX:+UseSerialGC -Xms64m -Xmx512m -jar " + checkout.toRealPath().resolve("target/troupe.jar")
                + " --help", ran.out().strip());
    }

    @Test
    void longCommandsGetTwoMallocArenasUnlessTheUserChoseAndSaySoForWhatTheyStart() throws Exception {
        Files.createDirectories(checkout.resolve("target"));
        Files.writeString(checkout.resolve("target/troupe.jar"), "");
        Files.writeString(fakeJava, "#!/usr/bin/env bash\n"
                + "echo \"arenas=${MALLOC_ARENA_MAX-none} set=${TROUPE_MALLOC_ARENA_MAX_SET-no}\"\n");

        assertEquals("arenas=2 set=1", run(checkout.resolve("bin/troupe"), "run").out().strip());
        assertEquals("arenas=none set=no", run(checkout.resolve("bin/troupe"), "status").out().strip());
        assertEquals("arenas=8 set=no",
                run(checkout.resolve("bin/troupe"), Map.of("MALLOC_ARENA_MAX", "8"), "run").out().strip());
    }

    @Test
    void longCommandsCallOnTheOptimisingCompilerLaterAndShortOnesNotAtAll() throws Exception {
        Files.createDirectories(checkout.resolve("target"));
        Files.writeString(checkout.resolve("target/troupe.jar"), "");

        for (String command : List.of("run", "resume", "worker", "serve")) {
            String line = run(checkout.resolve("bin/troupe"), command).out();
            assertTrue(line.contains("-XX:Tier4InvocationThreshold=50000 ") && !line.contains("TieredStopAtLevel"),
                    line);
        }
        for (String command : List.of("status", "results", "report", "tell")) {
            String line = run(checkout.resolve("bin/troupe"), command).out();
            assertTrue(line.contains("-XX:TieredStopAtLevel=1 ") && !line.contains("Tier4"), line);
        }
    }

    /**
     * A checkout with a jar and an archive dumped after it by the fake java (its {@code lib/modules} noted as
     * src/main/cds/dump.sh notes it); returns the archive.
     */
    private Path archiveDumpedByThisJava(Path home) throws Exception {
        Path cds = Files.createDirectories(home.resolve("src/main/cds"));
        Files.copy(Path.of("src/main/cds/jdk.sh"), cds.resolve("jdk.sh"), StandardCopyOption.REPLACE_EXISTING);
        Path jar = Files.createDirectories(home.resolve("target")).resolve("troupe.jar");
        Files.writeString(jar, "");
        Path modules = Files.createDirectories(fakeJava.getParent().resolveSibling("lib")).resolve("modules");
        Files.writeString(modules, "the JDK's classes");
        Path archive = home.resolve("target/troupe.jsa");
        Files.writeString(archive, "");
        ProcessBuilder noting = new ProcessBuilder("ls", "-lLn", modules.toString());
        noting.environment().put("LC_ALL", "C");
        Process ls = noting.start();
        ls.getOutputStream().close();
        Files.write(home.resolve("target/troupe.jsa.jdk"), ls.getInputStream().readAllBytes());
        assertEquals(0, ls.waitFor());
        Files.setLastModifiedTime(archive, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 5000));
        return archive;
    }

    @Test
    void mapsTheClassDataArchiveOnlyWhenItIsNewerThanTheJarAndThisJavaDumpedIt() throws Exception {
        Path archive = archiveDumpedByThisJava(checkout);
        String option = "-XX:SharedArchiveFile=" + checkout.toRealPath().resolve("target/troupe.jsa") + " ";

        String dumpedAfter = run(checkout.resolve("bin/troupe"), "status").out();
        Files.writeString(fakeJava.getParent().resolveSibling("lib/modules"), "another JDK's classes, updated");
        String anotherJava = run(checkout.resolve("bin/troupe"), "status").out();
        archiveDumpedByThisJava(checkout);
        Files.setLastModifiedTime(archive, FileTime.fromMillis(
                Files.getLastModifiedTime(checkout.resolve("target/troupe.jar")).toMillis() - 5000));
        String dumpedBefore = run(checkout.resolve("bin/troupe"), "status").out();

        assertTrue(dumpedAfter.contains(option), dumpedAfter);
        assertFalse(anotherJava.contains("SharedArchiveFile"), "dumped by another java: " + anotherJava);
        assertFalse(dumpedBefore.contains("SharedArchiveFile"), "an archive older than the jar: " + dumpedBefore);
    }

    @Test
    void aCheckoutWhosePathHoldsASpaceStillStartsWithItsArchive() throws Exception {
        Path spaced = tmp.resolve("my projects/troupe");
        Files.createDirectories(spaced.resolve("bin"));
        Files.copy(checkout.resolve("bin/troupe"), spaced.resolve("bin/troupe"));
        executable(spaced.resolve("bin/troupe"));
        archiveDumpedByThisJava(spaced);
        // One argument a line: a path split in two would show as two.
        Files.writeString(fakeJava, "#!/usr/bin/env bash\nprintf '%s\\n' \"$@\"\n");

        List<String> args = run(spaced.resolve("bin/troupe"), "status").out().lines().toList();

        Path real = spaced.toRealPath();
        assertTrue(args.contains("-XX:SharedArchiveFile=" + real.resolve("target/troupe.jsa")), args.toString());
        assertEquals(List.of("-jar", real.resolve("target/troupe.jar").toString(), "status"),
                args.subList(args.size() - 3, args.size()), args.toString());
    }

    @Test
    void followsARelativeLinkToAnotherLink() throws Exception {
        Files.createDirectories(checkout.resolve("target"));
        Files.writeString(checkout.resolve("target/troupe.jar"), "");
        Path tools = Files.createDirectories(tmp.resolve("tools"));
        Files.createSymbolicLink(tools.resolve("troupe-0.1"), checkout.resolve("bin/troupe"));
        Path onPath = Files.createDirectories(tmp.resolve("bin"));
        Files.createSymbolicLink(onPath.resolve("troupe"), Path.of("../tools/troupe-0.1"));

        Ran ran = run(onPath.resolve("troupe"), "status");

        assertEquals(0, ran.exitCode(), ran.err());
        assertTrue(ran.out().contains("-jar " + checkout.toRealPath().resolve("target/troupe.jar") + " status"),
                ran.out());
    }

    @Test
    void namesTheMissingJarOfTheCheckoutItLinksTo() throws Exception {
        Path onPath = Files.createDirectories(tmp.resolve("bin"));
        Files.createSymbolicLink(onPath.resolve("troupe"), checkout.resolve("bin/troupe"));

        Ran ran = run(onPath.resolve("troupe"), "--help");

        assertEquals(3, ran.exitCode());
        assertTrue(ran.err().contains(checkout.toRealPath().resolve("target/troupe.jar") + " is missing"), ran.err());
    }

    private Ran run(Path script, String... args) throws IOException, InterruptedException {
        return run(script, Map.of(), args);
    }

    private Ran run(Path script, Map<String, String> env, String... args) throws IOException, InterruptedException {
        String[] argv = new String[args.length + 1];
        argv[0] = script.toString();
        System.arraycopy(args, 0, argv, 1, args.length);
        ProcessBuilder builder = new ProcessBuilder(argv).directory(tmp.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectError(tmp.resolve("err.txt").toFile());
        builder.environment().put("PATH", fakeJava.getParent() + ":" + System.getenv("PATH"));
        builder.environment().remove("TROUPE_JAVA_OPTS");
        builder.environment().remove("MALLOC_ARENA_MAX");
        builder.environment().remove("TROUPE_MALLOC_ARENA_MAX_SET");
        builder.environment().putAll(env);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "bin/troupe ends");
        return new Ran(process.exitValue(), out, Files.readString(tmp.resolve("err.txt")));
    }

    private static void executable(Path file) throws IOException {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
