package dev.gatehouse.authn.nkey.client;

import dev.gatehouse.authn.nkey.codec.NKeyPair;
import dev.gatehouse.authn.nkey.codec.NKeyType;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * What a client needs for the {@code NKEY} exchange: the user key pair and, in operator mode,
 * the user JWT. {@link #authenticationData()} is the CONNECT authentication data (the JWT if
 * present, else the user public key); {@link #sign(byte[])} answers the server's nonce.
 */
public final class NKeyIdentity {
    private final NKeyPair key;
    private final Optional<String> jwt;

    private NKeyIdentity(NKeyPair key, Optional<String> jwt) {
        this.key = key;
        this.jwt = jwt;
    }

    /** A static user known to the broker by its public key. */
    public static NKeyIdentity ofSeed(char[] userSeed) {
        return new NKeyIdentity(NKeyPair.fromSeed(java.nio.CharBuffer.wrap(userSeed), NKeyType.USER), Optional.empty());
    }

    /** A user JWT and its seed (the two parts of a {@code .creds} file). The seed array is cleared. */
    public static NKeyIdentity of(String userJwt, char[] userSeed) {
        try {
            return new NKeyIdentity(NKeyPair.fromSeed(java.nio.CharBuffer.wrap(userSeed), NKeyType.USER),
                    Optional.of(userJwt.trim()));
        } finally {
            Arrays.fill(userSeed, '\0');
        }
    }

    /** From a key pair, with an optional JWT. */
    public static NKeyIdentity of(NKeyPair userKey, Optional<String> userJwt) {
        if (userKey.type() != NKeyType.USER) {
            throw new IllegalArgumentException("a user key (SU...) is required, not " + userKey.type());
        }
        return new NKeyIdentity(userKey, userJwt);
    }

    /** The user's public key ({@code U…}). */
    public String publicKey() {
        return key.publicKey().encoded();
    }

    public Optional<String> jwt() {
        return jwt;
    }

    /** CONNECT authentication data: the user JWT, or the public key when there is none (ASCII). */
    public byte[] authenticationData() {
        return jwt.orElse(publicKey()).getBytes(StandardCharsets.US_ASCII);
    }

    /** The answer to a challenge: the raw 64-byte Ed25519 signature of exactly the nonce bytes. */
    public byte[] sign(byte[] nonce) {
        return key.sign(nonce);
    }

    @Override
    public String toString() {
        return "NKeyIdentity[" + publicKey() + (jwt.isPresent() ? ", with JWT" : "") + "]";
    }
}
