package dev.gatehouse.app;

import dev.gatehouse.authn.nkey.codec.NKeyException;
import dev.gatehouse.authn.nkey.codec.NKeyPair;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code gatehouse nkey public SEEDFILE}: the public key of a seed, e.g. to put into a configuration. */
@Command(name = "public", mixinStandardHelpOptions = true,
        description = "Print the public key of the NKey seed in SEEDFILE (a seed file or a NATS .creds file).")
final class NkeyPublicCommand implements Callable<Integer> {
    /** A seed anywhere in the file: alone on a line, or inside a .creds file's NKEY SEED block. */
    private static final Pattern SEED = Pattern.compile("\\bS[OAUNC][A-Z2-7]{56}\\b");

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "SEEDFILE", description = "File holding the seed.")
    Path file;

    @Override
    public Integer call() throws IOException {
        Matcher m = SEED.matcher(Files.readString(file));
        if (!m.find()) {
            // The content is not echoed: it may be a mangled secret.
            spec.commandLine().getErr().println("gatehouse: " + file + ": no NKey seed (S...) found");
            return 1;
        }
        try {
            spec.commandLine().getOut().println(NKeyPair.fromSeed(m.group()).publicKey());
            return 0;
        } catch (NKeyException e) {
            spec.commandLine().getErr().println("gatehouse: " + file + ": not a valid NKey seed: " + e.getMessage());
            return 1;
        }
    }
}
