package dev.gatehouse.authn.nkey.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a NATS {@code .creds} file as {@code nsc} writes it: the first armored block
 * ({@code -----BEGIN NATS USER JWT-----} … {@code ------END NATS USER JWT------}) is the user JWT,
 * the second the user seed. CR LF line ends are accepted.
 */
public final class CredsFile {
    private CredsFile() {
    }

    /** Read and parse a creds file. */
    public static NKeyIdentity read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        try {
            return parse(new String(bytes, StandardCharsets.UTF_8));
        } finally {
            java.util.Arrays.fill(bytes, (byte) 0);
        }
    }

    /** Parse creds text. */
    public static NKeyIdentity parse(String text) {
        List<String> blocks = new ArrayList<>(2);
        String[] lines = text.split("\r?\n");
        StringBuilder current = null;
        for (String raw : lines) {
            String line = raw.trim();
            if (current == null) {
                if (isArmor(line, "BEGIN")) {
                    current = new StringBuilder();
                }
            } else if (isArmor(line, "END")) {
                blocks.add(current.toString().trim());
                current = null;
                if (blocks.size() == 2) {
                    break;
                }
            } else if (!line.isEmpty()) {
                current.append(line);
            }
        }
        if (blocks.size() < 2) {
            throw new IllegalArgumentException("not a NATS creds file: expected a JWT block and a seed block");
        }
        return NKeyIdentity.of(blocks.get(0), blocks.get(1).toCharArray());
    }

    private static boolean isArmor(String line, String word) {
        if (!line.startsWith("---") || !line.endsWith("---")) {
            return false;
        }
        String inner = line.replaceAll("^-+", "").replaceAll("-+$", "").trim();
        return inner.startsWith(word + " ");
    }

    /** The creds text for {@code jwt} and {@code seed}, in the layout nsc writes. */
    public static String format(String jwt, char[] seed) {
        return "-----BEGIN NATS USER JWT-----\n" + jwt + "\n------END NATS USER JWT------\n\n"
                + "************************* IMPORTANT *************************\n"
                + "NKEY Seed printed below can be used to sign and prove identity.\n"
                + "NKEYs are sensitive and should be treated as secrets.\n\n"
                + "-----BEGIN USER NKEY SEED-----\n" + new String(seed) + "\n------END USER NKEY SEED------\n\n"
                + "*************************************************************\n";
    }
}
