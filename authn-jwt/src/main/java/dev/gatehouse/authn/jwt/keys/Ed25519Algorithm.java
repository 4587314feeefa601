package dev.gatehouse.authn.jwt.keys;

import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.SignatureGenerationException;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.interfaces.DecodedJWT;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * The JWS algorithm {@code EdDSA} with Ed25519 keys (RFC 8037), which java-jwt lacks, on Bouncy Castle's
 * lightweight API. A verifier holds only the public key; a signer (for tests and the CLI) also the private one.
 */
public final class Ed25519Algorithm extends Algorithm {
    private final Ed25519PublicKeyParameters publicKey;
    private final Ed25519PrivateKeyParameters privateKey;

    private Ed25519Algorithm(Ed25519PublicKeyParameters publicKey, Ed25519PrivateKeyParameters privateKey) {
        super("EdDSA", "Ed25519 (RFC 8037)");
        this.publicKey = publicKey;
        this.privateKey = privateKey;
    }

    /** Verifies with the 32-byte raw public key. */
    public static Ed25519Algorithm verifier(byte[] rawPublicKey) {
        return new Ed25519Algorithm(new Ed25519PublicKeyParameters(rawPublicKey, 0), null);
    }

    /** Signs (and verifies) with the 32-byte raw private key seed. */
    public static Ed25519Algorithm signer(byte[] rawPrivateKey) {
        Ed25519PrivateKeyParameters priv = new Ed25519PrivateKeyParameters(rawPrivateKey, 0);
        return new Ed25519Algorithm(priv.generatePublicKey(), priv);
    }

    @Override
    public void verify(DecodedJWT jwt) throws SignatureVerificationException {
        byte[] signature;
        try {
            signature = Base64.getUrlDecoder().decode(jwt.getSignature());
        } catch (IllegalArgumentException e) {
            throw new SignatureVerificationException(this, e);
        }
        if (signature.length != Ed25519PublicKeyParameters.KEY_SIZE * 2) {
            throw new SignatureVerificationException(this);
        }
        byte[] header = jwt.getHeader().getBytes(StandardCharsets.US_ASCII);
        byte[] payload = jwt.getPayload().getBytes(StandardCharsets.US_ASCII);
        Ed25519Signer s = new Ed25519Signer();
        s.init(false, publicKey);
        s.update(header, 0, header.length);
        s.update((byte) '.');
        s.update(payload, 0, payload.length);
        if (!s.verifySignature(signature)) {
            throw new SignatureVerificationException(this);
        }
    }

    @Override
    public byte[] sign(byte[] headerBytes, byte[] payloadBytes) throws SignatureGenerationException {
        byte[] content = new byte[headerBytes.length + 1 + payloadBytes.length];
        System.arraycopy(headerBytes, 0, content, 0, headerBytes.length);
        content[headerBytes.length] = '.';
        System.arraycopy(payloadBytes, 0, content, headerBytes.length + 1, payloadBytes.length);
        return sign(content);
    }

    @Override
    public byte[] sign(byte[] contentBytes) throws SignatureGenerationException {
        if (privateKey == null) {
            throw new SignatureGenerationException(this, new IllegalStateException("no private key"));
        }
        Ed25519Signer s = new Ed25519Signer();
        s.init(true, privateKey);
        s.update(contentBytes, 0, contentBytes.length);
        return s.generateSignature();
    }
}
