package dev.gatehouse.authn.nkey;

import dev.gatehouse.authn.nkey.codec.NKeyType;
import dev.gatehouse.authn.nkey.codec.PublicNKey;
import dev.gatehouse.authn.nkey.jwt.AccountClaims;
import dev.gatehouse.authn.nkey.jwt.JwtException;
import dev.gatehouse.authn.nkey.jwt.NatsJwt;
import dev.gatehouse.authn.nkey.jwt.NatsPermissions;
import dev.gatehouse.authn.nkey.jwt.OperatorClaims;
import dev.gatehouse.authn.nkey.jwt.SubjectList;
import dev.gatehouse.authn.nkey.jwt.TrustChain;
import dev.gatehouse.authn.nkey.resolver.AccountResolver;
import dev.gatehouse.authn.nkey.resolver.DirectoryResolver;
import dev.gatehouse.authn.nkey.resolver.MemoryResolver;
import dev.gatehouse.authn.nkey.resolver.UrlResolver;
import dev.gatehouse.authn.nkey.resolver.UrlResolverSettings;
import dev.gatehouse.authn.spi.Authenticator;
import dev.gatehouse.authn.spi.AuthenticatorContext;
import dev.gatehouse.authn.spi.AuthenticatorFactory;
import dev.gatehouse.authn.spi.Settings;
import dev.gatehouse.authn.spi.acl.Action;
import dev.gatehouse.authn.spi.acl.Effect;
import dev.gatehouse.authn.spi.acl.Permissions;
import dev.gatehouse.authn.spi.acl.Rule;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Builds an {@link NKeyAuthenticator} from settings ({@code type = nkey}); every option is
 * described in {@code docs/authn-nkey.md}. Errors name the setting's full path.
 */
public final class NKeyAuthenticatorFactory implements AuthenticatorFactory {
    private static final Set<String> KEYS = Set.of("type", "name", "method", "nonce-size", "challenge-timeout",
            "bearer-in-password", "subject-syntax", "unrestricted-permissions", "users", "operators", "resolver");
    /** Options of earlier versions, with what replaces them. */
    private static final Map<String, String> REMOVED = Map.of(
            "connection-type", "is no longer supported: the connection type checked against allowed_connection_types "
                    + "comes from the listener (MQTT for tcp and tls listeners, MQTT_WS for ws and wss)",
            "listener-connection-types", "is no longer supported: the connection type checked against "
                    + "allowed_connection_types comes from the listener (MQTT for tcp and tls, MQTT_WS for ws and wss)",
            "recheck-interval", "is no longer supported: a revocation in a changed account JWT now disconnects the "
                    + "user when the resolver sees it (see resolver.refresh-interval)");
    private static final Set<String> USER_KEYS = Set.of("nkey", "name", "permissions", "rules", "default");

    @Override
    public String type() {
        return "nkey";
    }

    @Override
    public Authenticator create(Settings settings, AuthenticatorContext context) {
        for (Map.Entry<String, String> r : REMOVED.entrySet()) {
            if (settings.has(r.getKey())) {
                throw settings.problem(r.getKey(), r.getValue());
            }
        }
        unknownKeys(settings, KEYS);
        SubjectSyntax syntax = syntax(settings);
        PermissionMapper mapper = new PermissionMapper(syntax);
        NKeyOptions options = options(settings, refreshInterval(settings));
        List<StaticUser> users = users(settings, mapper);
        Optional<TrustChain> chain = chain(settings, context);
        if (users.isEmpty() && chain.isEmpty()) {
            throw settings.problem("users", "configure static users, trusted operators, or both");
        }
        return new NKeyAuthenticator(users, chain, mapper, options, context.clock(), new SecureRandom(),
                Optional.of(context.scheduler()));
    }

    private static SubjectSyntax syntax(Settings s) {
        String v = s.getString("subject-syntax", "nats").toLowerCase(Locale.ROOT);
        switch (v) {
            case "nats":
                return SubjectSyntax.NATS;
            case "mqtt":
                return SubjectSyntax.MQTT;
            default:
                throw s.problem("subject-syntax", "must be nats or mqtt, not " + v);
        }
    }

    /** {@code resolver.refresh-interval}: directory and url resolvers, default 2 s; none for memory. */
    private static Optional<Duration> refreshInterval(Settings s) {
        if (!s.has("resolver") || !(s.getValue("resolver") instanceof Map)) {
            return Optional.empty();
        }
        Settings r = s.getSettings("resolver");
        if ("memory".equals(r.getString("type", ""))) {
            return Optional.empty();
        }
        Duration d = r.getDuration("refresh-interval", Duration.ofSeconds(2));
        if (d.isZero() || d.isNegative()) {
            throw r.problem("refresh-interval", "must be positive");
        }
        return Optional.of(d);
    }

    private static NKeyOptions options(Settings s, Optional<Duration> refresh) {
        NKeyOptions d = NKeyOptions.defaults();
        int nonce = s.getInt("nonce-size", d.nonceSize());
        if (nonce < 16 || nonce > 1024) {
            throw s.problem("nonce-size", "must be 16..1024 bytes, not " + nonce);
        }
        Duration timeout = s.getDuration("challenge-timeout", d.challengeTimeout());
        if (timeout.isZero() || timeout.isNegative()) {
            throw s.problem("challenge-timeout", "must be positive");
        }
        String unrestricted = s.getString("unrestricted-permissions", "allow-all");
        Permissions none;
        if (unrestricted.equals("allow-all")) {
            none = Permissions.allowAll();
        } else if (unrestricted.equals("deny-all")) {
            none = Permissions.denyAll();
        } else {
            throw s.problem("unrestricted-permissions", "must be allow-all or deny-all, not " + unrestricted);
        }
        String method = s.getString("method", d.method());
        if (method.isBlank()) {
            throw s.problem("method", "must not be empty");
        }
        return new NKeyOptions(method, nonce, timeout, s.getBoolean("bearer-in-password", true), none, refresh);
    }

    private static List<StaticUser> users(Settings s, PermissionMapper mapper) {
        if (!s.has("users")) {
            return List.of();
        }
        List<StaticUser> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        List<Settings> list = s.getSettingsList("users");
        for (Settings u : list) {
            unknownKeys(u, USER_KEYS);
            String text = u.getString("nkey");
            PublicNKey key;
            try {
                key = PublicNKey.parse(text, NKeyType.USER);
            } catch (IllegalArgumentException e) {
                throw u.problem("nkey", e.getMessage());
            }
            if (!seen.add(key.encoded())) {
                throw u.problem("nkey", "user " + key + " is configured twice");
            }
            if (u.has("permissions") && u.has("rules")) {
                throw u.problem("rules", "set either permissions (NATS lists) or rules (MQTT rules), not both");
            }
            Permissions p;
            if (u.has("permissions")) {
                p = mapper.map(natsPermissions(u.getSettings("permissions")));
            } else if (u.has("rules")) {
                p = rules(u, "rules");
            } else {
                p = Permissions.allowAll();
            }
            out.add(new StaticUser(key, u.getString("name", key.encoded()), p));
        }
        return out;
    }

    static NatsPermissions natsPermissions(Settings p) {
        unknownKeys(p, Set.of("pub", "sub"));
        return new NatsPermissions(subjectList(p, "pub"), subjectList(p, "sub"));
    }

    private static SubjectList subjectList(Settings p, String path) {
        if (!p.has(path)) {
            return SubjectList.unrestricted();
        }
        Settings l = p.getSettings(path);
        unknownKeys(l, Set.of("allow", "deny"));
        return new SubjectList(l.has("allow") ? Optional.of(l.getStringList("allow")) : Optional.empty(),
                l.getStringList("deny", List.of()));
    }

    private static Permissions rules(Settings u, String path) {
        Permissions.Builder b = Permissions.builder();
        for (Settings r : u.getSettingsList(path)) {
            unknownKeys(r, Set.of("permission", "effect", "action", "topic", "qos", "retain"));
            String effect = r.has("effect") ? r.getString("effect") : r.getString("permission");
            Effect e;
            if (effect.equalsIgnoreCase("allow")) {
                e = Effect.ALLOW;
            } else if (effect.equalsIgnoreCase("deny")) {
                e = Effect.DENY;
            } else {
                throw r.problem(r.has("effect") ? "effect" : "permission", "must be allow or deny, not " + effect);
            }
            Action a;
            try {
                a = Action.valueOf(r.getString("action", "all").toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException x) {
                throw r.problem("action", "must be publish, subscribe or all");
            }
            Set<Integer> qos = new HashSet<>();
            if (r.has("qos")) {
                Object v = r.getValue("qos");
                List<?> levels = v instanceof List<?> l ? l : List.of(v);
                for (Object q : levels) {
                    try {
                        qos.add(Integer.parseInt(String.valueOf(q)));
                    } catch (NumberFormatException x) {
                        throw r.problem("qos", "must be 0, 1, 2 or a list of them");
                    }
                }
            }
            try {
                b.rule(new Rule(e, a, r.getString("topic"), qos,
                        r.has("retain") ? Optional.of(r.getBoolean("retain")) : Optional.empty()));
            } catch (IllegalArgumentException x) {
                throw r.problem("topic", x.getMessage());
            }
        }
        String def = u.getString("default", "deny");
        if (!def.equals("allow") && !def.equals("deny")) {
            throw u.problem("default", "must be allow or deny, not " + def);
        }
        return b.defaultEffect(def.equals("allow") ? Effect.ALLOW : Effect.DENY).build();
    }

    private static Optional<TrustChain> chain(Settings s, AuthenticatorContext context) {
        if (!s.has("operators")) {
            if (s.has("resolver")) {
                throw s.problem("operators", "a resolver is configured but no operator is trusted");
            }
            return Optional.empty();
        }
        List<String> entries = s.getStringList("operators");
        if (entries.isEmpty()) {
            throw s.problem("operators", "must list at least one operator JWT or public key");
        }
        List<OperatorClaims> operators = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            operators.add(operator(s, "operators." + i, entries.get(i).trim()));
        }
        if (!s.has("resolver")) {
            throw s.problem("resolver", "operator mode needs an account resolver (memory, directory or url)");
        }
        return Optional.of(new TrustChain(operators, resolver(s.getSettings("resolver"), context), context.clock()));
    }

    private static OperatorClaims operator(Settings s, String path, String entry) {
        try {
            if (entry.length() == 56) {
                return OperatorClaims.ofKey(PublicNKey.parse(entry, NKeyType.OPERATOR).encoded());
            }
            String token = entry;
            if (!NatsJwt.looksLikeJwt(entry)) {
                // a file; relative to the configuration file's folder (Settings.getPath semantics)
                Path file = s.baseDirectory().resolve(entry).normalize();
                if (!Files.isRegularFile(file)) {
                    throw new IllegalArgumentException("not an operator key, JWT, or readable JWT file (" + file + ")");
                }
                token = Files.readString(file).trim();
            }
            NatsJwt jwt = NatsJwt.decode(token).verifySignature();
            OperatorClaims op = OperatorClaims.from(jwt);
            PublicNKey.parse(op.subject(), NKeyType.OPERATOR);
            return op;
        } catch (IllegalArgumentException | JwtException | java.io.IOException e) {
            throw new dev.gatehouse.authn.spi.SettingsException(s.absolute(path), e.getMessage());
        }
    }

    private static AccountResolver resolver(Settings r, AuthenticatorContext context) {
        String type = r.getString("type");
        switch (type) {
            case "memory": {
                unknownKeys(r, Set.of("type", "accounts"));
                return new MemoryResolver(memoryAccounts(r));
            }
            case "directory": {
                unknownKeys(r, Set.of("type", "path", "refresh-interval", "cache-size"));
                Path dir = r.getPath("path").normalize();
                if (!Files.isDirectory(dir)) {
                    throw r.problem("path", "not a directory: " + dir);
                }
                return new DirectoryResolver(dir, atLeastOne(r, "cache-size", UrlResolverSettings.DEFAULT_CACHE_SIZE),
                        context.blockingExecutor());
            }
            case "url": {
                unknownKeys(r, Set.of("type", "url", "timeout", "cache-ttl", "stale-ttl", "refresh-interval",
                        "negative-ttl", "cache-size", "max-concurrent-fetches"));
                String url = r.getString("url");
                try {
                    URI u = URI.create(url);
                    if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) {
                        throw r.problem("url", "must be an http or https URL");
                    }
                } catch (IllegalArgumentException e) {
                    throw r.problem("url", "not a URL: " + e.getMessage());
                }
                return new UrlResolver(url, urlSettings(r), context.clock(), context.blockingExecutor(),
                        context.metrics());
            }
            default:
                throw r.problem("type", "must be memory, directory or url, not " + type);
        }
    }

    private static UrlResolverSettings urlSettings(Settings r) {
        return new UrlResolverSettings(
                positive(r, "timeout", UrlResolverSettings.DEFAULT_TIMEOUT),
                positive(r, "cache-ttl", UrlResolverSettings.DEFAULT_CACHE_TTL),
                notNegative(r, "stale-ttl", UrlResolverSettings.DEFAULT_STALE_TTL),
                notNegative(r, "negative-ttl", UrlResolverSettings.DEFAULT_NEGATIVE_TTL),
                atLeastOne(r, "cache-size", UrlResolverSettings.DEFAULT_CACHE_SIZE),
                atLeastOne(r, "max-concurrent-fetches", UrlResolverSettings.DEFAULT_MAX_CONCURRENT_FETCHES));
    }

    private static Duration positive(Settings s, String key, Duration fallback) {
        Duration d = s.getDuration(key, fallback);
        if (d.isZero() || d.isNegative()) {
            throw s.problem(key, "must be positive");
        }
        return d;
    }

    private static Duration notNegative(Settings s, String key, Duration fallback) {
        Duration d = s.getDuration(key, fallback);
        if (d.isNegative()) {
            throw s.problem(key, "must not be negative");
        }
        return d;
    }

    private static int atLeastOne(Settings s, String key, int fallback) {
        int n = s.getInt(key, fallback);
        if (n < 1) {
            throw s.problem(key, "must be at least 1, not " + n);
        }
        return n;
    }

    private static Map<String, String> memoryAccounts(Settings r) {
        Map<String, String> out = new LinkedHashMap<>();
        Object v = r.getValue("accounts");
        if (v instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                String jwt = String.valueOf(list.get(i)).trim();
                out.put(accountKey(r, "accounts." + i, jwt, null), jwt);
            }
        } else if (v instanceof Map) {
            Settings m = r.getSettings("accounts");
            for (String k : m.keys()) {
                String jwt = m.getString(k).trim();
                out.put(accountKey(m, k, jwt, k), jwt);
            }
        } else {
            throw r.problem("accounts", "must be a list of account JWTs or an object of account key = JWT");
        }
        return out;
    }

    private static String accountKey(Settings s, String path, String jwt, String expected) {
        try {
            AccountClaims a = AccountClaims.from(NatsJwt.decode(jwt).verifySignature());
            if (expected != null && !expected.equals(a.subject())) {
                throw s.problem(path, "the JWT is for account " + a.subject());
            }
            return a.subject();
        } catch (JwtException e) {
            throw s.problem(path, e.getMessage());
        }
    }

    private static void unknownKeys(Settings s, Set<String> known) {
        for (String k : s.keys()) {
            if (!known.contains(k)) {
                throw s.problem(k, "unknown setting (known: " + new java.util.TreeSet<>(known) + ")");
            }
        }
    }
}
