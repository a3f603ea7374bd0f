package dev.troupe.testing;

import dev.troupe.git.GitCli;
import dev.troupe.git.GitException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A real git repository in a temporary directory, with the few questions tests ask of it. */
public final class TestRepo {

    private final Path dir;

    private TestRepo(Path dir) {
        this.dir = dir;
    }

    /** A repository on branch {@code main} with one commit holding {@code files}. */
    public static TestRepo create(Path dir, Map<String, String> files) {
        try {
            Files.createDirectories(dir);
            TestRepo repo = new TestRepo(dir);
            repo.git("init", "--quiet", "--initial-branch=main");
            repo.git("config", "user.name", "Test Person");
            repo.git("config", "user.email", "test@example.com");
            repo.git("config", "commit.gpgsign", "false");
            for (Map.Entry<String, String> file : files.entrySet()) {
                repo.write(file.getKey(), file.getValue());
            }
            repo.git("add", "-A");
            repo.git("commit", "--quiet", "-m", "start");
            return repo;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path dir() {
        return dir;
    }

    /** Where troupe keeps this repository's workspaces by default: its sibling {@code <repo>.troupe/}. */
    public Path workspaces() {
        return dir.resolveSibling(dir.getFileName() + ".troupe");
    }

    public void write(String path, String content) throws IOException {
        Path file = dir.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }

    public String git(String... args) {
        try {
            return GitCli.run(dir, args).strip();
        } catch (GitException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    /** The content of {@code path} at {@code revision}. */
    public String show(String revision, String path) {
        return git("show", revision + ":" + path);
    }

    public List<String> branches(String pattern) {
        return git("for-each-ref", "--format=%(refname:short)", "refs/heads/" + pattern).lines().toList();
    }

    /** The {@code Troupe-Task} trailers on the first-parent history of {@code branch}, oldest first. */
    public List<String> mergedTasks(String branch) {
        return git("log", "--first-parent", "--reverse", "--format=%(trailers:key=Troupe-Task,valueonly)", branch)
                .lines().filter(l -> !l.isBlank()).toList();
    }

    /** Every file of {@code revision}, with content, for checking that no conflict markers got in. */
    public Map<String, String> tree(String revision) {
        return git("ls-tree", "-r", "--name-only", revision).lines()
                .collect(java.util.stream.Collectors.toMap(p -> p, p -> show(revision, p)));
    }

    public String head() {
        return git("rev-parse", "HEAD");
    }

    public String status() {
        return git("status", "--porcelain");
    }
}
