package dev.troupe.cli;

import dev.troupe.cluster.ClusterException;
import dev.troupe.cluster.ClusterKey;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code troupe cluster-key FILE}: makes the key a cluster's nodes must all hold to join it (docs/cluster.md).
 * Never overwrites a key.
 */
@Command(name = "cluster-key",
        description = "Make the key every node of a cluster must hold (readable by you alone).")
final class ClusterKeyCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE", description = "where to write it, e.g. ~/.troupe/cluster.p12")
    Path file;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws TroupeException {
        try {
            ClusterKey key = ClusterKey.create(file);
            spec.commandLine().getOut().printf("troupe: made the cluster key %s (SHA-256 %s)%n"
                    + "Copy it to every node (mode 600, e.g. with scp -p) and give it to each with --key.%n",
                    key.file(), key.fingerprint());
            return ExitCodes.OK;
        } catch (ClusterException e) {
            throw TroupeException.badInput(e.getMessage());
        }
    }
}
