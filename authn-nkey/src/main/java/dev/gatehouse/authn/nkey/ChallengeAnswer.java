package dev.gatehouse.authn.nkey;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * Reads a client's answer to the {@code NKEY} challenge: the Ed25519 signature of the nonce, either
 * as its raw 64 bytes (the documented form) or as text, the way NATS clients send signatures:
 * base64url without padding (86 characters), also accepted padded (88) and in the standard base64
 * alphabet, as nats-server accepts them. The lengths cannot be confused: raw is always 64 bytes.
 */
final class ChallengeAnswer {
    static final int SIGNATURE_BYTES = 64;
    private static final int UNPADDED_TEXT = 86;
    private static final int PADDED_TEXT = 88;

    private ChallengeAnswer() {
    }

    /** The 64 signature bytes, or empty when the answer is neither form. */
    static Optional<byte[]> signature(byte[] answer) {
        if (answer.length == SIGNATURE_BYTES) {
            return Optional.of(answer);
        }
        if (answer.length != UNPADDED_TEXT && answer.length != PADDED_TEXT) {
            return Optional.empty();
        }
        String text = new String(answer, StandardCharsets.US_ASCII);
        for (Base64.Decoder decoder : new Base64.Decoder[] {Base64.getUrlDecoder(), Base64.getDecoder()}) {
            try {
                byte[] raw = decoder.decode(text);
                if (raw.length == SIGNATURE_BYTES) {
                    return Optional.of(raw);
                }
            } catch (IllegalArgumentException e) {
                // not this alphabet (or not base64 at all): try the next, else refuse
            }
        }
        return Optional.empty();
    }
}
