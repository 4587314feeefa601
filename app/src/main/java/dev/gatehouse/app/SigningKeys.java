package dev.gatehouse.app;

import com.auth0.jwt.algorithms.Algorithm;
import dev.gatehouse.authn.jwt.keys.Ed25519Algorithm;
import dev.gatehouse.authn.jwt.keys.Secrets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns {@code --key FILE} / {@code --secret-env VAR} into a java-jwt signing {@link Algorithm}. Errors name the
 * file or variable, never the secret.
 */
final class SigningKeys {
    private static final Pattern PKCS8 = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]*?)-----END PRIVATE KEY-----");

    private SigningKeys() {
    }

    static Algorithm hmac(MintAlgorithm alg, String secretText, boolean base64, String where) {
        byte[] secret;
        try {
            // The same length rule as the authenticator, so a token minted here is never refused for its key.
            secret = Secrets.decode(secretText, base64, List.of(alg.jwt)).secret();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the secret from " + where + " " + e.getMessage());
        }
        switch (alg) {
            case HS256: return Algorithm.HMAC256(secret);
            case HS384: return Algorithm.HMAC384(secret);
            case HS512: return Algorithm.HMAC512(secret);
            default: throw new IllegalArgumentException(alg + " is not an HMAC algorithm");
        }
    }

    /** The HMAC secret in {@code file}: its whole content without one trailing line break. */
    static String secretFile(Path file) throws IOException {
        String s = Files.readString(file);
        return s.endsWith("\r\n") ? s.substring(0, s.length() - 2) : s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }

    static String secretEnv(String variable, Map<String, String> environment) {
        String v = environment.get(variable);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException("environment variable " + variable + " is not set");
        }
        return v;
    }

    /** An RS256, ES256 or EdDSA signer from an unencrypted PKCS#8 PEM private key file. */
    static Algorithm privateKey(MintAlgorithm alg, Path file) throws IOException {
        byte[] der = pkcs8(Files.readString(file), file);
        try {
            switch (alg) {
                case RS256:
                    return Algorithm.RSA256(null, (RSAPrivateKey) KeyFactory.getInstance("RSA")
                            .generatePrivate(new PKCS8EncodedKeySpec(der)));
                case ES256: {
                    ECPrivateKey k = (ECPrivateKey) KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
                    if (k.getParams().getCurve().getField().getFieldSize() != 256) {
                        throw new IllegalArgumentException(file + ": ES256 needs a P-256 key");
                    }
                    return Algorithm.ECDSA256(null, k);
                }
                case EdDSA: {
                    EdECPrivateKey k = (EdECPrivateKey) KeyFactory.getInstance("Ed25519")
                            .generatePrivate(new PKCS8EncodedKeySpec(der));
                    return Ed25519Algorithm.signer(k.getBytes().orElseThrow(() ->
                            new IllegalArgumentException(file + ": the Ed25519 key has no private bytes")));
                }
                default:
                    throw new IllegalArgumentException(alg + " signs with a secret, not a private key");
            }
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IllegalArgumentException(file + ": not a private key for " + alg + " ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    private static byte[] pkcs8(String pem, Path file) {
        Matcher m = PKCS8.matcher(pem);
        if (m.find()) {
            try {
                return Base64.getMimeDecoder().decode(m.group(1));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ": the PRIVATE KEY block is not valid base64");
            }
        }
        if (pem.contains("-----BEGIN RSA PRIVATE KEY-----") || pem.contains("-----BEGIN EC PRIVATE KEY-----")) {
            throw new IllegalArgumentException(file + ": a traditional-format key; convert it to PKCS#8 with "
                    + "openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key.pk8.pem");
        }
        if (pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
            throw new IllegalArgumentException(file + ": encrypted keys are not supported; "
                    + "this is a developer tool, use an unencrypted test key");
        }
        throw new IllegalArgumentException(file + ": no -----BEGIN PRIVATE KEY----- block (make one with "
                + "openssl genpkey -algorithm RSA|EC|ED25519 ...)");
    }
}
