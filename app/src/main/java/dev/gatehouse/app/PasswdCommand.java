package dev.gatehouse.app;

import dev.gatehouse.config.passwd.PasswordFile;
import dev.gatehouse.config.passwd.PasswordHash;
import java.io.ByteArrayOutputStream;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
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
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code gatehouse passwd FILE USER}: add or replace a user in a password file, hashed with PBKDF2-HMAC-SHA512. */
@Command(name = "passwd", mixinStandardHelpOptions = true,
        description = "Add or update a user in a password file (salted PBKDF2-HMAC-SHA512).")
final class PasswdCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "Password file (created if missing).")
    Path file;

    @Parameters(index = "1", paramLabel = "USER", description = "User name.")
    String user;

    @Option(names = "--password-stdin", description = "Read the password from the first line of standard input.")
    boolean stdin;

    @Option(names = "--iterations", paramLabel = "N", description = "PBKDF2 iterations (default: ${DEFAULT-VALUE}).")
    int iterations = PasswordHash.DEFAULT_ITERATIONS;

    /** Where --password-stdin reads from; a field so tests can supply it. */
    InputStream input = System.in;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        byte[] password = stdin ? firstLine(input) : prompt(err);
        if (password == null) {
            return 1;
        }
        try {
            if (password.length == 0) {
                err.println("gatehouse: the password must not be empty");
                return 1;
            }
            PasswordFile.upsert(file, user, PasswordHash.create(password, iterations, new SecureRandom()));
            spec.commandLine().getOut().println("gatehouse: " + user + " written to " + file);
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("gatehouse: " + e.getMessage());
            return 1;
        } finally {
            Arrays.fill(password, (byte) 0);
        }
    }

    private static byte[] firstLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
            line.write(b);
        }
        byte[] bytes = line.toByteArray();
        int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return Arrays.copyOf(bytes, n);
    }

    private static byte[] prompt(PrintWriter err) {
        Console console = System.console();
        if (console == null) {
            err.println("gatehouse: no terminal to prompt on; use --password-stdin");
            return null;
        }
        char[] first = console.readPassword("Password: ");
        char[] again = console.readPassword("Reenter password: ");
        try {
            if (first == null || again == null || !Arrays.equals(first, again)) {
                err.println("gatehouse: passwords do not match");
                return null;
            }
            var buf = StandardCharsets.UTF_8.encode(CharBuffer.wrap(first));
            byte[] out = new byte[buf.remaining()];
            buf.get(out);
            return out;
        } finally {
            if (first != null) {
                Arrays.fill(first, '\0');
            }
            if (again != null) {
                Arrays.fill(again, '\0');
            }
        }
    }
}
