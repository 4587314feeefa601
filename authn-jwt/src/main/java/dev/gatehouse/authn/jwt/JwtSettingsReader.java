package dev.gatehouse.authn.jwt;

import dev.gatehouse.authn.jwt.acl.AclPolicy;
import dev.gatehouse.authn.jwt.acl.MalformedAclException;
import dev.gatehouse.authn.jwt.claims.ClaimPolicy;
import dev.gatehouse.authn.jwt.claims.Placeholders;
import dev.gatehouse.authn.jwt.jwks.JwksConfig;
import dev.gatehouse.authn.jwt.keys.JwtAlgorithm;
import dev.gatehouse.authn.jwt.keys.KeyMaterial;
import dev.gatehouse.authn.jwt.keys.PemKeys;
import dev.gatehouse.authn.jwt.keys.Secrets;
import dev.gatehouse.authn.jwt.keys.VerificationKey;
import dev.gatehouse.authn.spi.Settings;
import dev.gatehouse.authn.spi.SettingsException;
import dev.gatehouse.authn.spi.acl.Permissions;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads and validates the settings of a {@code type = jwt} authenticator. Every error is a
 * {@link SettingsException} naming the offending setting's full path; unknown settings are errors too,
 * so a typo never silently weakens a check.
 */
public final class JwtSettingsReader {
    static final Set<String> KNOWN = Set.of("type", "name", "from", "enhanced-auth", "method", "algorithms",
            "secret", "secret-base64", "public-key", "public-key-file", "keys", "jwks", "leeway", "require",
            "issuer", "audience", "verify-claims", "max-age", "acl-claim", "acl-fall-through",
            "default-permissions", "disconnect-on-expiry", "cache", "max-token-size", "principal-claim", "non-jwt");
    private static final Set<String> KEY_ENTRY = Set.of("kid", "secret", "secret-base64", "public-key",
            "public-key-file", "algorithm", "algorithms");
    private static final Set<String> JWKS_KEYS = Set.of("url", "refresh-interval", "min-refresh-gap",
            "connect-timeout", "read-timeout", "ca-file", "max-size");
    private static final Set<String> CACHE_KEYS = Set.of("size", "ttl");
    private static final Set<JwtAlgorithm> ASYMMETRIC = EnumSet.complementOf(
            EnumSet.of(JwtAlgorithm.HS256, JwtAlgorithm.HS384, JwtAlgorithm.HS512));

    private JwtSettingsReader() {
    }

    public static JwtConfig read(Settings s) {
        unknown(s, KNOWN, "");
        String name = s.getString("name", "jwt");
        TokenSource from = TokenSource.parse(s.getString("from", "password"))
                .orElseThrow(() -> s.problem("from", "must be password or username"));
        Optional<String> method = s.getBoolean("enhanced-auth", true)
                ? Optional.of(s.getString("method", JwtConfig.DEFAULT_METHOD)) : Optional.empty();
        if (method.isPresent() && method.get().isBlank()) {
            throw s.problem("method", "must not be empty");
        }

        Optional<Set<JwtAlgorithm>> pinned = s.has("algorithms") ? Optional.of(algorithms(s)) : Optional.empty();
        Set<JwtAlgorithm> forSecrets = pinned.orElse(Set.of());
        List<VerificationKey> keys = new ArrayList<>();
        readTopLevelKeys(s, forSecrets, keys);
        if (s.has("keys")) {
            List<Settings> entries = s.getSettingsList("keys");
            Set<String> kids = new HashSet<>();
            for (int i = 0; i < entries.size(); i++) {
                keys.add(keyEntry(entries.get(i), "keys." + i, forSecrets, pinned, kids));
            }
        }
        Optional<JwksConfig> jwks = s.has("jwks") ? Optional.of(jwks(s.getSettings("jwks"))) : Optional.empty();
        if (keys.isEmpty() && jwks.isEmpty()) {
            throw s.problem("secret", "no key configured: set secret, public-key, public-key-file, keys or jwks.url");
        }
        Set<JwtAlgorithm> algorithms = pinned.orElseGet(() -> defaultAlgorithms(keys, jwks.isPresent()));
        for (JwtAlgorithm a : algorithms) {
            boolean usable = keys.stream().anyMatch(k -> k.supports(a))
                    || (jwks.isPresent() && ASYMMETRIC.contains(a));
            if (!usable) {
                throw s.problem("algorithms", a + " is configured but no configured key can verify it"
                        + (a.isCheap() ? " (set secret or keys[].secret)" : ""));
            }
        }

        ClaimPolicy claims = new ClaimPolicy(
                nonNegative(s, "leeway", ClaimPolicy.DEFAULT_LEEWAY),
                new TreeSet<>(s.getStringList("require", List.of("exp"))),
                s.getStringList("issuer", List.of()),
                s.getStringList("audience", List.of()),
                verifyClaims(s),
                s.has("max-age") ? Optional.of(positive(s, "max-age", null)) : Optional.empty());

        Permissions defaults = Permissions.denyAll();
        if (s.has("default-permissions")) {
            try {
                defaults = AclPolicy.parseDefaults(s.getValue("default-permissions"));
            } catch (MalformedAclException e) {
                throw s.problem("default-permissions", e.getMessage());
            }
        }
        String aclClaim = s.getString("acl-claim", AclPolicy.DEFAULT_CLAIM);
        AclPolicy acl = new AclPolicy(aclClaim, defaults, s.getBoolean("acl-fall-through", false));

        int cacheSize = 10_000;
        Duration cacheTtl = Duration.ofMinutes(10);
        if (s.has("cache")) {
            Settings c = s.getSettings("cache");
            unknown(c, CACHE_KEYS, "cache.");
            cacheSize = c.getInt("size", cacheSize);
            if (cacheSize < 0) {
                throw s.problem("cache.size", "must not be negative (0 disables the cache)");
            }
            cacheTtl = positive(c, "ttl", cacheTtl);
        }
        int maxTokenBytes = s.getInt("max-token-size", 8192);
        if (maxTokenBytes < 64) {
            throw s.problem("max-token-size", "must be at least 64");
        }
        String nonJwt = s.getString("non-jwt", "refuse");
        if (!nonJwt.equals("refuse") && !nonJwt.equals("abstain")) {
            throw s.problem("non-jwt", "must be refuse or abstain");
        }
        return new JwtConfig(name, from, method, algorithms, keys, jwks, claims, acl,
                s.getBoolean("disconnect-on-expiry", true), cacheSize, cacheTtl, maxTokenBytes,
                s.getString("principal-claim", "sub"), nonJwt.equals("abstain"));
    }

    private static Set<JwtAlgorithm> algorithms(Settings s) {
        List<String> names = s.getStringList("algorithms");
        if (names.isEmpty()) {
            throw s.problem("algorithms", "must name at least one algorithm");
        }
        Set<JwtAlgorithm> out = EnumSet.noneOf(JwtAlgorithm.class);
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i);
            if (n.trim().equalsIgnoreCase("none")) {
                throw s.problem("algorithms." + i, "\"none\" is never accepted");
            }
            out.add(JwtAlgorithm.fromConfig(n).orElseThrow(() -> s.problem("algorithms", "unknown algorithm \""
                    + n + "\" (supported: HS256 HS384 HS512 RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA)")));
        }
        return out;
    }

    private static Set<JwtAlgorithm> defaultAlgorithms(List<VerificationKey> keys, boolean jwks) {
        Set<JwtAlgorithm> out = EnumSet.noneOf(JwtAlgorithm.class);
        for (JwtAlgorithm a : JwtAlgorithm.values()) {
            if (keys.stream().anyMatch(k -> k.supports(a)) || (jwks && ASYMMETRIC.contains(a))) {
                out.add(a);
            }
        }
        return out;
    }

    private static void readTopLevelKeys(Settings s, Set<JwtAlgorithm> pinned, List<VerificationKey> out) {
        if (s.has("secret")) {
            out.add(new VerificationKey(Optional.empty(), secret(s, "secret", pinned), Set.of(), "secret"));
        } else if (s.has("secret-base64")) {
            throw s.problem("secret-base64", "is set but secret is not");
        }
        if (s.has("public-key") && s.has("public-key-file")) {
            throw s.problem("public-key-file", "set either public-key or public-key-file, not both");
        }
        for (KeyMaterial m : publicKeys(s, "public-key", "public-key-file")) {
            out.add(new VerificationKey(Optional.empty(), m, Set.of(), s.has("public-key") ? "public-key"
                    : "public-key-file"));
        }
    }

    private static VerificationKey keyEntry(Settings k, String at, Set<JwtAlgorithm> forSecrets,
                                            Optional<Set<JwtAlgorithm>> pinned, Set<String> kids) {
        unknown(k, KEY_ENTRY, "");
        String kid = k.getString("kid");
        if (kid.isEmpty() || !kids.add(kid)) {
            throw k.problem("kid", kid.isEmpty() ? "must not be empty" : "duplicate kid \"" + kid + "\"");
        }
        Set<JwtAlgorithm> restrict = EnumSet.noneOf(JwtAlgorithm.class);
        for (String key : List.of("algorithm", "algorithms")) {
            if (k.has(key)) {
                for (String n : k.getStringList(key)) {
                    restrict.add(JwtAlgorithm.fromConfig(n)
                            .orElseThrow(() -> k.problem(key, "unknown algorithm \"" + n + "\"")));
                }
            }
        }
        int sources = (k.has("secret") ? 1 : 0) + (k.has("public-key") ? 1 : 0) + (k.has("public-key-file") ? 1 : 0);
        if (sources != 1) {
            throw k.problem("kid", "each entry of keys needs exactly one of secret, public-key, public-key-file");
        }
        KeyMaterial m;
        if (k.has("secret")) {
            m = secret(k, "secret", restrict.isEmpty() ? forSecrets : restrict);
        } else {
            List<KeyMaterial> all = publicKeys(k, "public-key", "public-key-file");
            if (all.size() != 1) {
                throw k.problem(k.has("public-key") ? "public-key" : "public-key-file",
                        "holds " + all.size() + " keys; an entry with a kid holds exactly one");
            }
            m = all.get(0);
        }
        for (JwtAlgorithm a : restrict) {
            if (!m.fits(a)) {
                throw k.problem("algorithm", a + " does not fit this " + m.family() + " key");
            }
        }
        if (pinned.isPresent() && !restrict.isEmpty() && !pinned.get().containsAll(restrict)) {
            throw k.problem("algorithm", "must be among the top-level algorithms " + pinned.get());
        }
        return new VerificationKey(Optional.of(kid), m, restrict, at);
    }

    private static KeyMaterial.HmacSecret secret(Settings s, String key, Set<JwtAlgorithm> algorithms) {
        String text = s.getString(key);
        try {
            return Secrets.decode(text, s.getBoolean("secret-base64", false), algorithms);
        } catch (IllegalArgumentException e) {
            throw s.problem(key, e.getMessage());
        }
    }

    private static List<KeyMaterial> publicKeys(Settings s, String inline, String file) {
        try {
            if (s.has(inline)) {
                return PemKeys.read(s.getString(inline));
            }
            if (s.has(file)) {
                return PemKeys.read(PemKeys.readFile(s.getPath(file)));
            }
        } catch (IllegalArgumentException e) {
            throw s.problem(s.has(inline) ? inline : file, e.getMessage());
        }
        return List.of();
    }

    private static JwksConfig jwks(Settings j) {
        unknown(j, JWKS_KEYS, "jwks.");
        URI url;
        try {
            url = new URI(j.getString("url"));
        } catch (URISyntaxException e) {
            throw j.problem("url", "is not a valid URL");
        }
        String problem = JwksConfig.urlProblem(url);
        if (problem != null) {
            throw j.problem("url", problem);
        }
        Optional<Path> ca = j.has("ca-file") ? Optional.of(j.getPath("ca-file")) : Optional.empty();
        if (ca.isPresent() && !java.nio.file.Files.isReadable(ca.get())) {
            throw j.problem("ca-file", "cannot read " + ca.get());
        }
        int maxSize = j.getInt("max-size", JwksConfig.DEFAULT_MAX_BYTES);
        if (maxSize <= 0) {
            throw j.problem("max-size", "must be positive");
        }
        return new JwksConfig(url,
                positive(j, "refresh-interval", JwksConfig.DEFAULT_REFRESH_INTERVAL),
                nonNegative(j, "min-refresh-gap", JwksConfig.DEFAULT_MIN_REFRESH_GAP),
                positive(j, "connect-timeout", JwksConfig.DEFAULT_CONNECT_TIMEOUT),
                positive(j, "read-timeout", JwksConfig.DEFAULT_READ_TIMEOUT),
                ca, maxSize);
    }

    private static Map<String, Object> verifyClaims(Settings s) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (!s.has("verify-claims")) {
            return out;
        }
        Settings v = s.getSettings("verify-claims");
        for (String claim : v.keys()) {
            Object value = v.getValue(claim);
            List<?> values = value instanceof List<?> l ? l : List.of(value);
            for (Object e : values) {
                if (!(e instanceof String || e instanceof Number || e instanceof Boolean)) {
                    throw v.problem(claim, "expected a string, number, boolean or a list of those");
                }
                if (e instanceof String str) {
                    Optional<String> bad = Placeholders.unknownIn(str);
                    if (bad.isPresent()) {
                        throw v.problem(claim, "unknown placeholder " + bad.get()
                                + " (known: ${clientid}, ${username}, ${cert_cn})");
                    }
                }
            }
            out.put(claim, value instanceof List<?> l ? List.copyOf(l) : value);
        }
        return out;
    }

    private static Duration positive(Settings s, String key, Duration fallback) {
        Duration d = fallback == null ? s.getDuration(key) : s.getDuration(key, fallback);
        if (d.isZero() || d.isNegative()) {
            throw s.problem(key, "must be positive");
        }
        return d;
    }

    private static Duration nonNegative(Settings s, String key, Duration fallback) {
        Duration d = s.getDuration(key, fallback);
        if (d.isNegative()) {
            throw s.problem(key, "must not be negative");
        }
        return d;
    }

    private static void unknown(Settings s, Set<String> known, String prefix) {
        for (String k : s.keys()) {
            if (!known.contains(k)) {
                throw s.problem(k, "unknown setting " + prefix + k + " (known: " + new TreeSet<>(known) + ")");
            }
        }
    }
}
