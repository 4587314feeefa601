package dev.gatehouse.authn.jwt.keys;

import com.auth0.jwt.algorithms.Algorithm;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;

/** Builds java-jwt verifiers; the algorithm always comes from configuration, the key from a key source. */
final class Algorithms {
    private Algorithms() {
    }

    static Algorithm verifier(JwtAlgorithm alg, KeyMaterial material) {
        if (material instanceof KeyMaterial.HmacSecret h) {
            byte[] s = h.secret();
            switch (alg) {
                case HS256: return Algorithm.HMAC256(s);
                case HS384: return Algorithm.HMAC384(s);
                case HS512: return Algorithm.HMAC512(s);
                default: break;
            }
        } else if (material instanceof KeyMaterial.RsaPublic r) {
            RSAPublicKey k = r.key();
            switch (alg) {
                case RS256: return Algorithm.RSA256(k, null);
                case RS384: return Algorithm.RSA384(k, null);
                case RS512: return Algorithm.RSA512(k, null);
                case PS256: return Algorithm.RSA256PSS(k, null);
                case PS384: return Algorithm.RSA384PSS(k, null);
                case PS512: return Algorithm.RSA512PSS(k, null);
                default: break;
            }
        } else if (material instanceof KeyMaterial.EcPublic e) {
            ECPublicKey k = e.key();
            switch (alg) {
                case ES256: return Algorithm.ECDSA256(k, null);
                case ES384: return Algorithm.ECDSA384(k, null);
                case ES512: return Algorithm.ECDSA512(k, null);
                default: break;
            }
        } else if (material instanceof KeyMaterial.Ed25519Public ed && alg == JwtAlgorithm.EdDSA) {
            return Ed25519Algorithm.verifier(ed.raw());
        }
        throw new IllegalArgumentException(material.family() + " key cannot verify " + alg);
    }
}
