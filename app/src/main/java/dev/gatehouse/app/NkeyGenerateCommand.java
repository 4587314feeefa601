package dev.gatehouse.app;

import dev.gatehouse.authn.nkey.codec.NKeyPair;
import dev.gatehouse.authn.nkey.codec.NKeyType;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gatehouse nkey generate --role operator|account|user [--out FILE]}: a fresh NKey. The seed goes to a new
 * owner-only file, or, without {@code --out}, to standard output with a warning; it never reaches the log.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Generate an NKey: print its seed and public key, or write the seed to a new owner-only file "
                + "and print the public key.",
                "Without --out the seed is printed on standard output (first line), the public key on the second."})
final class NkeyGenerateCommand implements Callable<Integer> {
    /** The roles an operator hands out; server, cluster and curve keys are not for MQTT clients. */
    enum Role {
        OPERATOR(NKeyType.OPERATOR), ACCOUNT(NKeyType.ACCOUNT), USER(NKeyType.USER);

        final NKeyType type;

        Role(NKeyType type) {
            this.type = type;
        }
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--role", required = true, paramLabel = "ROLE", description = "operator, account or user.")
    Role role;

    @Option(names = "--out", paramLabel = "FILE",
            description = "Write the seed here (must not exist; created readable by its owner only).")
    Path out;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        NKeyPair pair = NKeyPair.generate(role.type, new SecureRandom());
        char[] seed = pair.encodedSeed();
        try {
            if (out == null) {
                err.println("gatehouse: warning: the seed below is a private key; anyone who sees it can sign as "
                        + pair.publicKey() + ". Use --out FILE to keep it off the terminal.");
                stdout.println(seed);
            } else {
                byte[] bytes = utf8(seed);
                try {
                    SecretFile.writeNew(out, bytes);
                } finally {
                    Arrays.fill(bytes, (byte) 0);
                }
                err.println("gatehouse: " + role.name().toLowerCase() + " seed written to " + out);
            }
            stdout.println(pair.publicKey());
            return 0;
        } finally {
            Arrays.fill(seed, '\0');
        }
    }

    private static byte[] utf8(char[] seed) {
        var buf = StandardCharsets.US_ASCII.encode(CharBuffer.wrap(seed));
        byte[] b = new byte[buf.remaining() + 1];
        buf.get(b, 0, b.length - 1);
        b[b.length - 1] = '\n';
        return b;
    }
}
