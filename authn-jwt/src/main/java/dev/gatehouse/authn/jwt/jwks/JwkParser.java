package dev.gatehouse.authn.jwt.jwks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.authn.jwt.keys.EcCurve;
import dev.gatehouse.authn.jwt.keys.JwtAlgorithm;
import dev.gatehouse.authn.jwt.keys.KeyMaterial;
import dev.gatehouse.authn.jwt.keys.VerificationKey;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parses a JWK Set (RFC 7517) into verification keys: {@code RSA}, {@code EC} (P-256/384/521) and
 * {@code OKP} Ed25519 public keys. Symmetric ({@code oct}) keys, encryption keys ({@code use = enc}) and
 * unknown types are skipped: a key set published over HTTP never supplies an HMAC secret.
 */
public final class JwkParser {
    private static final Logger log = LoggerFactory.getLogger(JwkParser.class);
    private static final int MIN_RSA_BITS = 2048;

    private final ObjectMapper mapper = new ObjectMapper();

    /** The usable keys of a JWK Set document; throws when it is not a JWK Set at all. */
    public List<VerificationKey> parse(byte[] json, String origin) throws JwksException {
        JsonNode root;
        try {
            root = mapper.readTree(json);
        } catch (IOException e) {
            throw new JwksException("not JSON");
        }
        if (root == null || !root.isObject() || !root.path("keys").isArray()) {
            throw new JwksException("not a JWK Set (no \"keys\" array)");
        }
        List<VerificationKey> out = new ArrayList<>();
        int index = 0;
        for (JsonNode jwk : root.get("keys")) {
            try {
                parseKey(jwk, origin).ifPresent(out::add);
            } catch (IllegalArgumentException | GeneralSecurityException e) {
                log.warn("{}: skipping key {} (kid {}): {}", origin, index, jwk.path("kid").asText("-"), e.getMessage());
            }
            index++;
        }
        return List.copyOf(out);
    }

    private Optional<VerificationKey> parseKey(JsonNode jwk, String origin) throws GeneralSecurityException {
        if (!jwk.isObject()) {
            throw new IllegalArgumentException("not an object");
        }
        String kty = text(jwk, "kty").orElseThrow(() -> new IllegalArgumentException("no kty"));
        Optional<String> use = text(jwk, "use");
        if (use.isPresent() && !use.get().equals("sig")) {
            return Optional.empty();
        }
        if (jwk.has("key_ops") && jwk.get("key_ops").isArray()) {
            boolean verify = false;
            for (JsonNode op : jwk.get("key_ops")) {
                verify |= "verify".equals(op.asText());
            }
            if (!verify) {
                return Optional.empty();
            }
        }
        Optional<String> kid = text(jwk, "kid");
        Set<JwtAlgorithm> restrict = Set.of();
        Optional<String> alg = text(jwk, "alg");
        if (alg.isPresent()) {
            Optional<JwtAlgorithm> a = JwtAlgorithm.fromHeader(alg.get());
            if (a.isEmpty()) {
                throw new IllegalArgumentException("unsupported alg " + alg.get());
            }
            restrict = Set.of(a.get());
        }
        KeyMaterial material;
        switch (kty) {
            case "RSA": {
                BigInteger n = unsigned(jwk, "n");
                BigInteger e = unsigned(jwk, "e");
                if (n.bitLength() < MIN_RSA_BITS) {
                    throw new IllegalArgumentException("RSA key of " + n.bitLength() + " bits is too short");
                }
                material = new KeyMaterial.RsaPublic((RSAPublicKey) KeyFactory.getInstance("RSA")
                        .generatePublic(new RSAPublicKeySpec(n, e)));
                break;
            }
            case "EC": {
                String crv = text(jwk, "crv").orElseThrow(() -> new IllegalArgumentException("no crv"));
                EcCurve curve = EcCurve.fromJwk(crv).orElseThrow(() ->
                        new IllegalArgumentException("unsupported curve " + crv));
                ECPoint w = new ECPoint(unsigned(jwk, "x"), unsigned(jwk, "y"));
                material = new KeyMaterial.EcPublic((ECPublicKey) KeyFactory.getInstance("EC")
                        .generatePublic(new ECPublicKeySpec(w, curve.parameters())), curve);
                break;
            }
            case "OKP": {
                String crv = text(jwk, "crv").orElseThrow(() -> new IllegalArgumentException("no crv"));
                if (!crv.equals("Ed25519")) {
                    throw new IllegalArgumentException("unsupported OKP curve " + crv);
                }
                material = new KeyMaterial.Ed25519Public(bytes(jwk, "x"));
                break;
            }
            case "oct":
                log.warn("{}: ignoring symmetric (oct) key {}: HMAC secrets are never taken from a key set", origin,
                        kid.orElse("-"));
                return Optional.empty();
            default:
                return Optional.empty();
        }
        VerificationKey key = new VerificationKey(kid, material, restrict, origin);
        if (restrict.size() == 1 && !material.fits(restrict.iterator().next())) {
            throw new IllegalArgumentException("alg " + alg.get() + " does not fit a " + kty + " key");
        }
        return Optional.of(key);
    }

    private static Optional<String> text(JsonNode jwk, String field) {
        JsonNode n = jwk.get(field);
        return n != null && n.isTextual() ? Optional.of(n.asText()) : Optional.empty();
    }

    private static byte[] bytes(JsonNode jwk, String field) {
        String v = text(jwk, field).orElseThrow(() -> new IllegalArgumentException("no " + field));
        try {
            return Base64.getUrlDecoder().decode(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + " is not base64url");
        }
    }

    private static BigInteger unsigned(JsonNode jwk, String field) {
        return new BigInteger(1, bytes(jwk, field));
    }
}
