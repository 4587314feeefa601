package dev.gatehouse.authn.jwt.testing;

import java.math.BigInteger;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** Writes JWK Set JSON for test keys. */
public final class Jwks {
    private final List<String> keys = new ArrayList<>();

    public static Jwks set() {
        return new Jwks();
    }

    public Jwks rsa(String kid, PublicKey key) {
        RSAPublicKey k = (RSAPublicKey) key;
        keys.add("{\"kty\":\"RSA\",\"use\":\"sig\",\"kid\":\"" + kid + "\",\"n\":\"" + b64(unsigned(k.getModulus()))
                + "\",\"e\":\"" + b64(unsigned(k.getPublicExponent())) + "\"}");
        return this;
    }

    public Jwks ec(String kid, String crv, PublicKey key) {
        ECPublicKey k = (ECPublicKey) key;
        int size = (k.getParams().getCurve().getField().getFieldSize() + 7) / 8;
        keys.add("{\"kty\":\"EC\",\"kid\":\"" + kid + "\",\"crv\":\"" + crv + "\",\"x\":\""
                + b64(fixed(k.getW().getAffineX(), size)) + "\",\"y\":\"" + b64(fixed(k.getW().getAffineY(), size)) + "\"}");
        return this;
    }

    public Jwks ed25519(String kid, byte[] raw) {
        keys.add("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"" + kid + "\",\"x\":\"" + b64(raw) + "\"}");
        return this;
    }

    public Jwks raw(String jwkJson) {
        keys.add(jwkJson);
        return this;
    }

    public String json() {
        return "{\"keys\":[" + String.join(",", keys) + "]}";
    }

    public static String b64(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static byte[] unsigned(BigInteger i) {
        byte[] b = i.toByteArray();
        if (b.length > 1 && b[0] == 0) {
            byte[] t = new byte[b.length - 1];
            System.arraycopy(b, 1, t, 0, t.length);
            return t;
        }
        return b;
    }

    private static byte[] fixed(BigInteger i, int size) {
        byte[] u = unsigned(i);
        byte[] out = new byte[size];
        System.arraycopy(u, 0, out, size - u.length, u.length);
        return out;
    }
}
