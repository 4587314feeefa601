package dev.gatehouse.authn.nkey.jwt;

import dev.gatehouse.authn.nkey.codec.NKeyException;
import dev.gatehouse.authn.nkey.codec.PublicNKey;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * A decoded NATS JWT: header, claims and signature. {@link #decode(String)} checks the shape;
 * {@link #verifySignature()} checks the Ed25519 signature by the {@code iss} key. What is signed
 * depends on the claim version: v2 ({@code nats.version >= 2}) signs {@code header.payload};
 * v1 (a top-level {@code type} claim, or the legacy {@code alg: ed25519} without a version) signs
 * only the payload segment.
 */
public final class NatsJwt {
    /** The algorithm NATS writes. */
    public static final String ALG = "ed25519-nkey";
    /** The legacy (v1) algorithm name, still accepted. */
    public static final String ALG_V1 = "ed25519";

    private final String token;
    private final Map<String, Object> header;
    private final Map<String, Object> claims;
    private final byte[] signingInput;
    private final byte[] signature;
    private final int version;

    private NatsJwt(String token, Map<String, Object> header, Map<String, Object> claims, byte[] signingInput,
                    byte[] signature, int version) {
        this.token = token;
        this.header = header;
        this.claims = claims;
        this.signingInput = signingInput;
        this.signature = signature;
        this.version = version;
    }

    /** Whether {@code text} has the outer shape of a JWT (three base64url segments), without decoding it. */
    public static boolean looksLikeJwt(String text) {
        int first = text.indexOf('.');
        int second = first < 0 ? -1 : text.indexOf('.', first + 1);
        return first > 0 && second > first + 1 && second < text.length() - 1 && text.indexOf('.', second + 1) < 0
                && text.chars().allMatch(c -> c == '.' || c == '-' || c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'));
    }

    /** Decode and check the header; does not verify the signature. */
    public static NatsJwt decode(String token) {
        String t = token.trim();
        if (!looksLikeJwt(t)) {
            throw new JwtException("not a JWT: expected three base64url segments");
        }
        String[] parts = t.split("\\.");
        Map<String, Object> header = jsonSegment(parts[0], "header");
        Map<String, Object> claims = jsonSegment(parts[1], "payload");
        String typ = ClaimReader.string(header, "typ").orElse("");
        if (!typ.equalsIgnoreCase("jwt")) {
            throw new JwtException("not a NATS JWT: typ is \"" + typ + "\"");
        }
        String alg = ClaimReader.string(header, "alg").orElse("");
        if (!alg.equalsIgnoreCase(ALG) && !alg.equalsIgnoreCase(ALG_V1)) {
            throw new JwtException("unsupported JWT alg \"" + alg + "\" (expected ed25519-nkey or ed25519)");
        }
        Map<String, Object> nats = ClaimReader.object(claims, "nats");
        long v = ClaimReader.number(nats, "version", 0);
        int version;
        if (v >= 2) {
            version = (int) Math.min(v, Integer.MAX_VALUE);
        } else if (claims.containsKey("type") || alg.equalsIgnoreCase(ALG_V1)) {
            version = 1;
        } else {
            version = 2;
        }
        byte[] signature = base64Url(parts[2], "signature");
        String signed = version >= 2 ? parts[0] + "." + parts[1] : parts[1];
        return new NatsJwt(t, header, claims, signed.getBytes(StandardCharsets.US_ASCII), signature, version);
    }

    private static Map<String, Object> jsonSegment(String segment, String what) {
        String json = new String(base64Url(segment, what), StandardCharsets.UTF_8);
        try {
            return Json.parseObject(json);
        } catch (IllegalArgumentException e) {
            throw new JwtException("JWT " + what + " is not a JSON object: " + e.getMessage());
        }
    }

    private static byte[] base64Url(String segment, String what) {
        try {
            return Base64.getUrlDecoder().decode(segment);
        } catch (IllegalArgumentException e) {
            throw new JwtException("JWT " + what + " is not base64url");
        }
    }

    /** Verify the signature with the {@code iss} key; throws when it does not hold. */
    public NatsJwt verifySignature() {
        PublicNKey issuer = issuerKey();
        if (!issuer.verify(signingInput, signature)) {
            throw new JwtException("JWT signature does not verify with its issuer " + issuer);
        }
        return this;
    }

    /** The {@code iss} claim parsed as a public NKey. */
    public PublicNKey issuerKey() {
        String iss = issuer();
        try {
            return PublicNKey.parse(iss);
        } catch (NKeyException e) {
            throw new JwtException("JWT iss is not a public NKey: " + e.getMessage());
        }
    }

    /** The claim type: {@code nats.type} (v2) or the top-level {@code type} (v1); {@code user}, {@code account} … */
    public String type() {
        Optional<String> v2 = ClaimReader.string(nats(), "type");
        return v2.or(() -> ClaimReader.string(claims, "type")).orElse("");
    }

    public String token() {
        return token;
    }

    public int version() {
        return version;
    }

    public Map<String, Object> header() {
        return header;
    }

    public Map<String, Object> claims() {
        return claims;
    }

    /** The {@code nats} object of the claims (empty if none). */
    public Map<String, Object> nats() {
        return ClaimReader.object(claims, "nats");
    }

    public String issuer() {
        return ClaimReader.string(claims, "iss").orElseThrow(() -> new JwtException("JWT has no iss"));
    }

    public String subject() {
        return ClaimReader.string(claims, "sub").orElseThrow(() -> new JwtException("JWT has no sub"));
    }

    public Optional<String> name() {
        return ClaimReader.string(claims, "name");
    }

    /** Issued-at, Unix seconds (0 if absent). */
    public long issuedAt() {
        return ClaimReader.number(claims, "iat", 0);
    }

    /** Expiry, Unix seconds; 0 = never. */
    public long expires() {
        return ClaimReader.number(claims, "exp", 0);
    }

    /** Not-before, Unix seconds; 0 = none. */
    public long notBefore() {
        return ClaimReader.number(claims, "nbf", 0);
    }

    /** Whether the token is expired at {@code nowSeconds} ({@code exp > 0 && now > exp}). */
    public boolean isExpired(long nowSeconds) {
        long exp = expires();
        return exp > 0 && nowSeconds > exp;
    }

    /** Whether the token is not yet valid at {@code nowSeconds} ({@code nbf > now}). */
    public boolean isNotYetValid(long nowSeconds) {
        return notBefore() > nowSeconds;
    }

    @Override
    public String toString() {
        return "NatsJwt[" + type() + " sub=" + claims.get("sub") + " iss=" + claims.get("iss") + "]";
    }
}
