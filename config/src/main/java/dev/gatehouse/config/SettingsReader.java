package dev.gatehouse.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.gatehouse.authn.spi.acl.Permissions;
import dev.gatehouse.broker.AnonymousAccess;
import dev.gatehouse.broker.DeniedPublishAction;
import dev.gatehouse.broker.Limits;
import dev.gatehouse.broker.ListenerConfig;
import dev.gatehouse.broker.TlsConfig;
import dev.gatehouse.broker.Transport;
import dev.gatehouse.store.rocksdb.StoreOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/** Turns a resolved configuration into {@link GatehouseSettings}, collecting every problem on the way. */
final class SettingsReader {
    private static final List<String> TRANSPORTS = List.of("tcp", "tls", "ws", "wss");
    private static final List<String> ANONYMOUS = List.of("deny", "loopback-only", "allow");
    private static final List<String> CLIENT_AUTH = List.of("none", "optional", "required");
    private static final List<String> DENIED_PUBLISH = List.of("ack-and-drop", "disconnect");
    private static final List<String> SYNC_MODES = List.of("batch", "periodic", "none");

    private final Config root;
    private final Path baseDirectory;
    private final Set<String> knownTypes;
    private final Problems problems = new Problems();

    SettingsReader(Config root, Path baseDirectory, Set<String> knownTypes) {
        this.root = root;
        this.baseDirectory = baseDirectory;
        this.knownTypes = knownTypes;
    }

    /** The settings, or a {@link ConfigException} naming everything wrong. */
    GatehouseSettings read() {
        Schema.checkKeys("", root.root(), Schema.ROOT, problems);
        int ioThreads = problems.attempt("gatehouse.io-threads", () -> {
            int n = root.getInt("gatehouse.io-threads");
            if (n < 0) {
                throw new IllegalArgumentException("must be 0 (half the processors) or more, not " + n);
            }
            return n;
        }).orElse(0);
        List<ListenerConfig> listeners = listeners();
        Limits limits = limits();
        Permissions defaults = PermissionRules.parse("gatehouse.default-permissions",
                unwrapped("gatehouse.default-permissions"), problems).orElse(Permissions.denyAll());
        PersistenceSettings persistence = persistence();
        List<GatehouseSettings.AuthenticatorEntry> auth = authentication();
        Optional<BindAddress> httpBind = httpBind();
        Duration sysInterval = !root.hasPath("gatehouse.sys-interval") ? GatehouseSettings.DEFAULT_SYS_INTERVAL
                : problems.attempt("gatehouse.sys-interval", () -> {
                    Duration d = root.getDuration("gatehouse.sys-interval");
                    if (d.isNegative() || (!d.isZero() && d.toMillis() < 1000)) {
                        throw new IllegalArgumentException("must be 0 (off) or at least 1s, not " + d);
                    }
                    return d;
                }).orElse(GatehouseSettings.DEFAULT_SYS_INTERVAL);
        problems.throwIfAny();
        return new GatehouseSettings(listeners, limits, defaults, auth, ioThreads, persistence, httpBind, sysInterval);
    }

    /** {@code gatehouse.http.bind}: unset or null turns the endpoint off. */
    private Optional<BindAddress> httpBind() {
        String p = "gatehouse.http.bind";
        if (!root.hasPath(p)) {
            return Optional.empty();
        }
        return problems.attempt(p, () -> {
            ConfigValue v = root.getValue(p);
            if (v.valueType() != ConfigValueType.STRING) {
                throw new IllegalArgumentException("expected \"HOST:PORT\" but found " + HoconSettings.typeName(v.valueType()));
            }
            return BindAddress.parse(root.getString(p));
        });
    }

    private Object unwrapped(String path) {
        return root.hasPathOrNull(path) && !root.getIsNull(path) ? root.getValue(path).unwrapped() : null;
    }

    private List<? extends Config> objects(String path) {
        if (!root.hasPath(path)) {
            return List.of();
        }
        return problems.attempt(path, () -> root.getConfigList(path)).orElse(List.of());
    }

    // ---- listeners

    private List<ListenerConfig> listeners() {
        List<? extends Config> list = objects("gatehouse.listeners");
        if (list.isEmpty() && problems.isEmpty()) {
            problems.add("gatehouse.listeners", "at least one listener is needed");
        }
        List<ListenerConfig> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String path = "gatehouse.listeners." + i;
            Config c = list.get(i);
            listener(path, c).ifPresent(l -> {
                if (!names.add(l.name())) {
                    problems.add(path + ".name", "another listener is already called \"" + l.name() + "\"");
                } else {
                    out.add(l);
                }
            });
        }
        return out;
    }

    private Optional<ListenerConfig> listener(String path, Config c) {
        int before = problems.list().size();
        Optional<String> name = string(c, path, "name");
        name.filter(String::isBlank).ifPresent(n -> problems.add(path + ".name", "must not be empty"));
        Transport transport = choice(c, path, "type", TRANSPORTS, "tcp")
                .map(t -> Transport.valueOf(t.toUpperCase(Locale.ROOT))).orElse(null);
        Optional<BindAddress> bind = string(c, path, "bind")
                .flatMap(b -> problems.attempt(path + ".bind", () -> BindAddress.parse(b)));
        AnonymousAccess anonymous = choice(c, path, "anonymous", ANONYMOUS, "deny")
                .map(a -> AnonymousAccess.valueOf(a.toUpperCase(Locale.ROOT).replace('-', '_'))).orElse(null);
        Optional<Permissions> anonPerms = Optional.empty();
        if (c.hasPath("anonymous-permissions")) {
            anonPerms = PermissionRules.parse(path + ".anonymous-permissions",
                    c.getValue("anonymous-permissions").unwrapped(), problems);
        }
        Optional<String> wsPath = Optional.empty();
        if (c.hasPath("websocket-path")) {
            wsPath = string(c, path, "websocket-path");
            if (transport != null && !transport.webSocket()) {
                problems.add(path + ".websocket-path", "only ws and wss listeners have a WebSocket path");
            }
            wsPath.filter(p -> !p.startsWith("/"))
                    .ifPresent(p -> problems.add(path + ".websocket-path", "must start with /, not \"" + p + "\""));
        }
        Optional<TlsConfig> tls = Optional.empty();
        if (c.hasPath("tls")) {
            if (transport != null && !transport.secure()) {
                problems.add(path + ".tls", "only tls and wss listeners take TLS settings");
            } else {
                tls = tls(path + ".tls", c);
            }
        } else if (transport != null && transport.secure()) {
            problems.add(path + ".tls", "a " + transport.name().toLowerCase(Locale.ROOT)
                    + " listener needs tls { cert, key } or tls { pkcs12, password }");
        }
        int maxConnections = 0;
        if (c.hasPath("max-connections")) {
            maxConnections = problems.attempt(path + ".max-connections", () -> nonNegative(c.getInt("max-connections")))
                    .orElse(0);
        }
        if (problems.list().size() != before) {
            return Optional.empty();
        }
        BindAddress b = bind.orElseThrow();
        return Optional.of(new ListenerConfig(name.orElseThrow(), b.host(), b.port(), transport, tls,
                wsPath.orElse(ListenerConfig.DEFAULT_WEBSOCKET_PATH), anonymous, anonPerms, maxConnections));
    }

    private Optional<TlsConfig> tls(String path, Config listener) {
        Config t;
        try {
            t = listener.getConfig("tls");
        } catch (com.typesafe.config.ConfigException e) {
            problems.add(path, HoconSettings.describe(e));
            return Optional.empty();
        }
        int before = problems.list().size();
        boolean pem = t.hasPath("cert") || t.hasPath("key");
        boolean p12 = t.hasPath("pkcs12");
        TlsConfig.KeyMaterial material = null;
        if (pem && p12) {
            problems.add(path, "set either cert and key (PEM) or pkcs12, not both");
        } else if (p12) {
            Optional<Path> file = file(t, path, "pkcs12");
            Optional<String> pw = t.hasPath("password") ? string(t, path, "password") : Optional.of("");
            if (file.isPresent() && pw.isPresent()) {
                material = new TlsConfig.Pkcs12(file.get(), pw.get().toCharArray());
            }
        } else if (pem) {
            Optional<Path> cert = file(t, path, "cert");
            Optional<Path> key = file(t, path, "key");
            if (t.hasPath("password")) {
                problems.add(path + ".password", "PEM keys must be unencrypted PKCS#8; password applies to pkcs12 only");
            }
            if (cert.isPresent() && key.isPresent()) {
                material = new TlsConfig.Pem(cert.get(), key.get());
            }
        } else {
            problems.add(path, "needs cert and key (PEM files) or pkcs12 (a PKCS#12 file)");
        }
        Optional<String> auth = choice(t, path, "client-auth", CLIENT_AUTH, "none");
        Optional<Path> ca = t.hasPath("ca") ? file(t, path, "ca") : Optional.empty();
        if (auth.isPresent() && !auth.get().equals("none") && !t.hasPath("ca")) {
            problems.add(path + ".ca", "client-auth = " + auth.get() + " needs a CA bundle (PEM) to verify clients with");
        }
        if (problems.list().size() != before || material == null) {
            return Optional.empty();
        }
        TlsConfig tls = TlsConfig.of(material);
        TlsConfig.ClientAuth clientAuth = TlsConfig.ClientAuth.valueOf(auth.orElseThrow().toUpperCase(Locale.ROOT));
        if (clientAuth != TlsConfig.ClientAuth.NONE) {
            tls = tls.withClientAuth(clientAuth, ca.orElseThrow());
        }
        return Optional.of(tls);
    }

    private Optional<Path> file(Config c, String path, String key) {
        return string(c, path, key).flatMap(s -> {
            Path p = Path.of(s);
            Path resolved = p.isAbsolute() ? p : baseDirectory.resolve(p).normalize();
            if (!Files.isRegularFile(resolved)) {
                problems.add(path + "." + key, "no such file: " + resolved);
                return Optional.empty();
            }
            if (!Files.isReadable(resolved)) {
                problems.add(path + "." + key, "cannot read " + resolved);
                return Optional.empty();
            }
            return Optional.of(resolved);
        });
    }

    // ---- limits

    private Limits limits() {
        Limits l = Limits.defaults();
        String p = "gatehouse.limits.";
        l = apply(l, p + "max-packet-size", k -> bytes(k, 268_435_455), Limits::withMaxPacketSize);
        l = apply(l, p + "max-client-id-length", root::getInt, Limits::withMaxClientIdLength);
        l = apply(l, p + "connect-timeout", root::getDuration, Limits::withConnectTimeout);
        l = apply(l, p + "auth-timeout", root::getDuration, Limits::withAuthTimeout);
        l = apply(l, p + "receive-maximum", root::getInt, Limits::withReceiveMaximum);
        l = apply(l, p + "max-inflight", root::getInt, Limits::withMaxInflight);
        l = apply(l, p + "max-queued-messages", root::getInt, Limits::withMaxQueuedMessages);
        l = apply(l, p + "max-subscriptions-per-session", root::getInt, Limits::withMaxSubscriptionsPerSession);
        l = apply(l, p + "max-session-expiry", root::getDuration, Limits::withMaxSessionExpiry);
        l = apply(l, p + "server-keep-alive", this::keepAliveSeconds, Limits::withServerKeepAlive);
        l = apply(l, p + "topic-alias-maximum", root::getInt, Limits::withTopicAliasMaximum);
        l = apply(l, p + "max-retained-messages", root::getInt, Limits::withMaxRetainedMessages);
        l = apply(l, p + "max-connections", k -> nonNegative(root.getInt(k)), Limits::withMaxConnections);
        l = apply(l, p + "max-sessions", k -> nonNegative(root.getInt(k)), Limits::withMaxSessions);
        l = apply(l, p + "max-topic-length", k -> bytes(k, 65_535), Limits::withMaxTopicLength);
        l = apply(l, p + "max-topic-levels", root::getInt, Limits::withMaxTopicLevels);
        l = apply(l, p + "max-outbound-buffer", k -> bytes(k, Integer.MAX_VALUE), Limits::withMaxOutboundBuffer);
        l = apply(l, p + "slow-consumer-timeout", root::getDuration, Limits::withSlowConsumerTimeout);
        l = apply(l, p + "outbound-topic-aliases", root::getInt, Limits::withOutboundTopicAliases);
        if (root.hasPath(p + "min-keep-alive") || root.hasPath(p + "max-keep-alive")) {
            Limits current = l;
            l = problems.attempt(p + "min-keep-alive", () -> current.withKeepAliveBounds(
                    root.hasPath(p + "min-keep-alive") ? keepAliveSeconds(p + "min-keep-alive") : current.minKeepAlive(),
                    root.hasPath(p + "max-keep-alive") ? keepAliveSeconds(p + "max-keep-alive") : current.maxKeepAlive()))
                    .orElse(l);
        }
        l = apply(l, p + "denied-publish-action",
                k -> DeniedPublishAction.valueOf(choiceAt(k, DENIED_PUBLISH).toUpperCase(Locale.ROOT).replace('-', '_')),
                Limits::withDeniedPublishAction);
        return l;
    }

    private <T> Limits apply(Limits current, String path, Function<String, T> read,
                             java.util.function.BiFunction<Limits, T, Limits> with) {
        if (!root.hasPath(path)) {
            return current;
        }
        return problems.attempt(path, () -> with.apply(current, read.apply(path))).orElse(current);
    }

    private int bytes(String path, int max) {
        return (int) bytes(path, (long) max);
    }

    private long bytes(String path, long max) {
        long n = root.getBytes(path);
        if (n < 1 || n > max) {
            throw new IllegalArgumentException("must be 1 to " + max + " bytes, not " + n);
        }
        return n;
    }

    private static int nonNegative(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("must be 0 (no limit) or positive, not " + n);
        }
        return n;
    }

    private int keepAliveSeconds(String path) {
        Duration d = root.getDuration(path);
        if (d.isNegative() || d.getSeconds() > 65535 || d.getNano() != 0) {
            throw new IllegalArgumentException("must be whole seconds from 0 to 65535s, not " + d);
        }
        return (int) d.getSeconds();
    }

    private String choiceAt(String path, List<String> allowed) {
        String v = root.getString(path).trim().toLowerCase(Locale.ROOT);
        if (!allowed.contains(v)) {
            throw new IllegalArgumentException("expected one of " + String.join(", ", allowed) + " but found \""
                    + root.getString(path) + "\"" + Suggestions.didYouMean(v, allowed));
        }
        return v;
    }

    // ---- persistence

    private PersistenceSettings persistence() {
        String p = "gatehouse.persistence.";
        PersistenceSettings d = PersistenceSettings.disabled(baseDirectory);
        boolean enabled = !root.hasPath(p + "enabled") ? d.enabled()
                : problems.attempt(p + "enabled", () -> root.getBoolean(p + "enabled")).orElse(d.enabled());
        Path dir = !root.hasPath(p + "dir") ? d.dir() : problems.attempt(p + "dir", () -> dataDirectory(p + "dir"))
                .orElse(d.dir());
        StoreOptions.SyncMode sync = !root.hasPath(p + "sync") ? d.sync() : problems.attempt(p + "sync",
                () -> StoreOptions.SyncMode.valueOf(choiceAt(p + "sync", SYNC_MODES).toUpperCase(Locale.ROOT)))
                .orElse(d.sync());
        Duration interval = !root.hasPath(p + "sync-interval") ? d.syncInterval()
                : problems.attempt(p + "sync-interval", () -> {
                    Duration i = root.getDuration(p + "sync-interval");
                    if (i.isNegative() || i.isZero()) {
                        throw new IllegalArgumentException("must be positive, not " + i);
                    }
                    return i;
                }).orElse(d.syncInterval());
        long maxDisk = !root.hasPath(p + "max-disk") ? d.maxDiskBytes()
                : problems.attempt(p + "max-disk", () -> bytes(p + "max-disk", Long.MAX_VALUE)).orElse(d.maxDiskBytes());
        return new PersistenceSettings(enabled, dir, sync, interval, maxDisk);
    }

    /** Relative to the configuration file's directory, like every other file name. */
    private Path dataDirectory(String path) {
        String s = root.getString(path);
        if (s.isBlank()) {
            throw new IllegalArgumentException("must name a directory");
        }
        Path d = Path.of(s);
        Path resolved = d.isAbsolute() ? d.normalize() : baseDirectory.resolve(d).toAbsolutePath().normalize();
        if (Files.exists(resolved) && !Files.isDirectory(resolved)) {
            throw new IllegalArgumentException("not a directory: " + resolved);
        }
        return resolved;
    }

    // ---- authentication

    /** The well-formed authenticator entries alone, ignoring every other problem. */
    List<GatehouseSettings.AuthenticatorEntry> authenticationEntries() {
        return authentication();
    }

    private List<GatehouseSettings.AuthenticatorEntry> authentication() {
        List<? extends Config> list = objects("gatehouse.authentication");
        List<GatehouseSettings.AuthenticatorEntry> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String path = "gatehouse.authentication." + i;
            Config c = list.get(i);
            Optional<String> type = string(c, path, "type");
            if (type.isEmpty()) {
                continue;
            }
            String t = type.get().trim().toLowerCase(Locale.ROOT);
            if (!knownTypes.contains(t)) {
                problems.add(path + ".type", "unknown authenticator type \"" + type.get() + "\" (known: "
                        + (knownTypes.isEmpty() ? "none on the class path" : String.join(", ", knownTypes)) + ")"
                        + Suggestions.didYouMean(t, knownTypes));
                continue;
            }
            out.add(new GatehouseSettings.AuthenticatorEntry(t, path, new HoconSettings(path, c, baseDirectory)));
        }
        return out;
    }

    // ---- small typed readers that record problems instead of throwing

    private Optional<String> string(Config c, String path, String key) {
        if (!c.hasPath(key)) {
            problems.add(path + "." + key, "is required but not set");
            return Optional.empty();
        }
        ConfigValue v = c.getValue(key);
        if (v.valueType() == ConfigValueType.OBJECT || v.valueType() == ConfigValueType.LIST) {
            problems.add(path + "." + key, "expected a string but found " + HoconSettings.typeName(v.valueType()));
            return Optional.empty();
        }
        return Optional.of(String.valueOf(v.unwrapped()));
    }

    private Optional<String> choice(Config c, String path, String key, List<String> allowed, String fallback) {
        if (!c.hasPath(key)) {
            return Optional.of(fallback);
        }
        return string(c, path, key).flatMap(v -> {
            String w = v.trim().toLowerCase(Locale.ROOT);
            if (!allowed.contains(w)) {
                problems.add(path + "." + key, "expected one of " + String.join(", ", allowed) + " but found \"" + v
                        + "\"" + Suggestions.didYouMean(w, allowed));
                return Optional.empty();
            }
            return Optional.of(w);
        });
    }
}
