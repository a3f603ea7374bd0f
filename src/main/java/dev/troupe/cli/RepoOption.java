package dev.troupe.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code -C DIR}: the repository whose runs a command looks at or steers, mixed into each of those commands. */
final class RepoOption {

    @Option(names = {"-C", "--repo"}, paramLabel = "DIR", description = "the repository (default: the current directory)")
    Path dir = Path.of("");
}
