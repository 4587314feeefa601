package dev.gatehouse.authn.jwt.testing;

import com.auth0.jwt.algorithms.Algorithm;
import dev.gatehouse.authn.jwt.keys.Ed25519Algorithm;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.HexFormat;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;

/** Keys generated in the test JVM; RSA pairs are expensive, so callers keep them per class. */
public final class TestKeys {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] ED25519_SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    private TestKeys() {
    }

    public static KeyPair rsa() {
        return rsa(2048);
    }

    public static KeyPair rsa(int bits) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(bits, RANDOM);
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** An EC pair on {@code secp256r1}, {@code secp384r1} or {@code secp521r1}. */
    public static KeyPair ec(String curve) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec(curve), RANDOM);
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** An Ed25519 key pair as raw bytes (Bouncy Castle). */
    public record Ed25519(byte[] privateKey, byte[] publicKey) {
        public Algorithm signer() {
            return Ed25519Algorithm.signer(privateKey);
        }

        /** SubjectPublicKeyInfo PEM of the public key. */
        public String publicPem() {
            byte[] spki = new byte[ED25519_SPKI_PREFIX.length + 32];
            System.arraycopy(ED25519_SPKI_PREFIX, 0, spki, 0, ED25519_SPKI_PREFIX.length);
            System.arraycopy(publicKey, 0, spki, ED25519_SPKI_PREFIX.length, 32);
            return pem("PUBLIC KEY", spki);
        }
    }

    public static Ed25519 ed25519() {
        Ed25519PrivateKeyParameters priv = new Ed25519PrivateKeyParameters(RANDOM);
        return new Ed25519(priv.getEncoded(), priv.generatePublicKey().getEncoded());
    }

    /** A random HMAC secret of {@code bytes} bytes. */
    public static byte[] secret(int bytes) {
        byte[] s = new byte[bytes];
        RANDOM.nextBytes(s);
        return s;
    }

    public static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    public static String publicPem(KeyPair pair) {
        return pem("PUBLIC KEY", pair.getPublic().getEncoded());
    }

    public static Algorithm rs256(KeyPair p) {
        return Algorithm.RSA256((RSAPublicKey) p.getPublic(), (RSAPrivateKey) p.getPrivate());
    }

    public static Algorithm es256(KeyPair p) {
        return Algorithm.ECDSA256((ECPublicKey) p.getPublic(), (ECPrivateKey) p.getPrivate());
    }
}
