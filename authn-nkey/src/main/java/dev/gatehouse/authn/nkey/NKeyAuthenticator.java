package dev.gatehouse.authn.nkey;

import dev.gatehouse.authn.nkey.codec.NKeyType;
import dev.gatehouse.authn.nkey.jwt.AccountClaims;
import dev.gatehouse.authn.nkey.codec.PublicNKey;
import dev.gatehouse.authn.nkey.jwt.JwtException;
import dev.gatehouse.authn.nkey.jwt.NatsJwt;
import dev.gatehouse.authn.nkey.jwt.TimeWindow;
import dev.gatehouse.authn.nkey.jwt.TrustChain;
import dev.gatehouse.authn.nkey.jwt.TrustException;
import dev.gatehouse.authn.nkey.jwt.UserClaims;
import dev.gatehouse.authn.nkey.jwt.VerifiedUser;
import dev.gatehouse.authn.spi.AdmittedConnection;
import dev.gatehouse.authn.spi.AuthDecision;
import dev.gatehouse.authn.spi.AuthRequest;
import dev.gatehouse.authn.spi.Authenticator;
import dev.gatehouse.authn.spi.FailureReason;
import dev.gatehouse.authn.spi.LiveConnections;
import dev.gatehouse.authn.spi.acl.Permissions;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NATS-compatible NKey authentication.
 *
 * <ul>
 *   <li>MQTT 5, method {@code NKEY}: CONNECT authentication data is a user public key (static user)
 *       or a user JWT (operator mode); the broker sends AUTH 0x18 with a fresh random nonce; the
 *       client answers AUTH 0x18 with the Ed25519 signature of the nonce bytes: raw 64 bytes, or as
 *       base64url text as NATS clients write signatures (see {@link ChallengeAnswer}).</li>
 *   <li>Any version, no method: a {@code bearer_token} user JWT in the CONNECT password.</li>
 * </ul>
 * Every connect verifies the whole chain (see {@link TrustChain}), then the source address, time
 * windows, connection type and the account's connection limit.
 *
 * <p>Live connections: the account JWTs of accounts with admitted clients are looked up again every
 * {@link NKeyOptions#accountRefresh()} (and whenever a connect sees one); when one changed, the
 * clients it now revokes, or whose issuing signing key it no longer lists, are disconnected through
 * {@link LiveConnections} (MQTT 5: DISCONNECT 0x87).
 */
public final class NKeyAuthenticator implements Authenticator {
    private static final Logger log = LoggerFactory.getLogger(NKeyAuthenticator.class);
    static final String ATTR_USER = "nkey.user";
    static final String ATTR_ACCOUNT = "nkey.account";
    static final String ATTR_MODE = "nkey.mode";
    static final String ATTR_ISSUER = "nkey.issuer";
    static final String ATTR_ISSUED_AT = "nkey.issued-at";

    /** State of one outstanding challenge; used at most once. */
    private record Pending(byte[] nonce, Instant issuedAt, PublicNKey userKey, Optional<StaticUser> staticUser,
                           Optional<VerifiedUser> verified, AtomicBoolean used) {
    }

    private final Map<String, StaticUser> users;
    private final Optional<TrustChain> chain;
    private final PermissionMapper mapper;
    private final NKeyOptions options;
    private final Clock clock;
    private final SecureRandom random;
    private final ConnectionCounter connections = new ConnectionCounter();
    private final Optional<ScheduledExecutorService> scheduler;
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private volatile LiveConnections live = LiveConnections.none();
    private volatile ScheduledFuture<?> refreshTask;

    /**
     * @param scheduler runs the periodic look-up of live accounts ({@link NKeyOptions#accountRefresh()});
     *                  empty: no periodic look-up
     */
    public NKeyAuthenticator(List<StaticUser> users, Optional<TrustChain> chain, PermissionMapper mapper,
                             NKeyOptions options, Clock clock, SecureRandom random,
                             Optional<ScheduledExecutorService> scheduler) {
        Map<String, StaticUser> byKey = new HashMap<>();
        for (StaticUser u : users) {
            if (u.key().type() != NKeyType.USER) {
                throw new IllegalArgumentException("static users need user keys (U...), not " + u.key());
            }
            if (byKey.put(u.key().encoded(), u) != null) {
                throw new IllegalArgumentException("user " + u.key() + " is configured twice");
            }
        }
        this.users = Map.copyOf(byKey);
        this.chain = chain;
        this.mapper = mapper;
        this.options = options;
        this.clock = clock;
        this.random = random;
        this.scheduler = scheduler;
        chain.ifPresent(c -> c.onAccountVerified(this::accountVerified));
    }

    @Override
    public String name() {
        return "nkey";
    }

    @Override
    public Set<String> authenticationMethods() {
        return Set.of(options.method());
    }

    /** Distinct clients currently admitted to {@code account} (for monitoring and tests). */
    public int connections(String account) {
        return connections.connections(account);
    }

    @Override
    public CompletionStage<AuthDecision> authenticate(AuthRequest request) {
        if (request.authenticationMethod().isPresent()) {
            if (!request.authenticationMethod().get().equals(options.method())) {
                return done(AuthDecision.abstain());
            }
            return challenge(request);
        }
        return bearer(request);
    }

    private CompletionStage<AuthDecision> challenge(AuthRequest request) {
        byte[] data = request.authenticationData().orElse(new byte[0]);
        String text = new String(data, StandardCharsets.US_ASCII).trim();
        if (text.length() == 56 && text.charAt(0) == 'U') {
            PublicNKey key;
            try {
                key = PublicNKey.parse(text, NKeyType.USER);
            } catch (IllegalArgumentException e) {
                return fail(FailureReason.BAD_CREDENTIALS, "authentication data is not a user NKey: " + e.getMessage());
            }
            // Unknown keys get a nonce too, so that a client cannot probe which keys are configured.
            return done(newChallenge(key, Optional.ofNullable(users.get(key.encoded())), Optional.empty()));
        }
        if (NatsJwt.looksLikeJwt(text)) {
            if (chain.isEmpty()) {
                return fail(FailureReason.BAD_CREDENTIALS, "a user JWT was presented but no operator is trusted");
            }
            return verifyChain(request, text).thenApply(result -> {
                if (result instanceof Refused r) {
                    return r.failure;
                }
                VerifiedUser v = ((Ok) result).user;
                return newChallenge(PublicNKey.parse(v.user().subject(), NKeyType.USER), Optional.empty(),
                        Optional.of(v));
            });
        }
        return fail(FailureReason.BAD_CREDENTIALS,
                "authentication data is neither a user public key (U...) nor a user JWT");
    }

    private AuthDecision newChallenge(PublicNKey key, Optional<StaticUser> user, Optional<VerifiedUser> verified) {
        byte[] nonce = new byte[options.nonceSize()];
        random.nextBytes(nonce);
        return AuthDecision.challenge(nonce.clone(),
                new Pending(nonce, clock.instant(), key, user, verified, new AtomicBoolean()));
    }

    @Override
    public CompletionStage<AuthDecision> continueAuth(AuthRequest request, Object state, byte[] clientData) {
        if (!(state instanceof Pending p)) {
            return fail(FailureReason.PROTOCOL_ERROR, "no NKEY challenge is outstanding");
        }
        if (!p.used.compareAndSet(false, true)) {
            return fail(FailureReason.BAD_CREDENTIALS, "nonce already answered (replay)");
        }
        Instant now = clock.instant();
        if (now.isAfter(p.issuedAt.plus(options.challengeTimeout()))) {
            return fail(FailureReason.NOT_AUTHORIZED, "challenge answered after " + options.challengeTimeout());
        }
        Optional<byte[]> signature = ChallengeAnswer.signature(clientData);
        if (signature.isEmpty()) {
            return fail(FailureReason.BAD_CREDENTIALS, "the answer must be a 64-byte Ed25519 signature, raw or as "
                    + "base64url text (86 characters), got " + clientData.length + " bytes");
        }
        if (!p.userKey.verify(p.nonce, signature.get())) {
            return fail(FailureReason.BAD_CREDENTIALS, "nonce signature does not verify with " + p.userKey);
        }
        if (p.verified.isPresent()) {
            return done(admit(request, p.verified.get(), "jwt", now));
        }
        if (p.staticUser.isEmpty()) {
            return fail(FailureReason.NOT_AUTHORIZED, "user " + p.userKey + " proved its key but is not configured");
        }
        StaticUser u = p.staticUser.get();
        return done(AuthDecision.success(u.name(), u.permissions())
                .withAttributes(Map.of(ATTR_USER, u.key().encoded(), ATTR_MODE, "static")));
    }

    private CompletionStage<AuthDecision> bearer(AuthRequest request) {
        if (chain.isEmpty() || !options.bearerInPassword() || request.password().isEmpty()) {
            return done(AuthDecision.abstain());
        }
        String text = new String(request.password().get(), StandardCharsets.US_ASCII).trim();
        if (!NatsJwt.looksLikeJwt(text)) {
            return done(AuthDecision.abstain());
        }
        try {
            NatsJwt jwt = NatsJwt.decode(text);
            if (!"user".equals(jwt.type())) {
                return done(AuthDecision.abstain());
            }
        } catch (JwtException e) {
            return done(AuthDecision.abstain()); // some other kind of JWT: for another authenticator
        }
        return verifyChain(request, text).thenApply(result -> {
            if (result instanceof Refused r) {
                return r.failure;
            }
            VerifiedUser v = ((Ok) result).user;
            if (!v.user().bearerToken()) {
                return AuthDecision.failure(FailureReason.NOT_AUTHORIZED, "user " + v.user().subject()
                        + " presented a non-bearer JWT without a signed nonce (use MQTT 5 method "
                        + options.method() + ")");
            }
            if (v.account().disallowBearer()) {
                return AuthDecision.failure(FailureReason.NOT_AUTHORIZED, "account " + v.account().subject()
                        + " disallows bearer tokens");
            }
            return admit(request, v, "bearer", clock.instant());
        });
    }

    /** What a chain verification plus the connection checks concluded. */
    private sealed interface Outcome permits Ok, Refused {
    }

    private record Ok(VerifiedUser user) implements Outcome {
    }

    private record Refused(AuthDecision.Failure failure) implements Outcome {
    }

    private CompletionStage<Outcome> verifyChain(AuthRequest request, String token) {
        CompletionStage<VerifiedUser> stage;
        try {
            stage = chain.get().verify(token);
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        return stage.handle((v, e) -> {
            if (e != null) {
                Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                if (cause instanceof TrustException t) {
                    return new Refused(AuthDecision.failure(reason(t.kind()), t.getMessage()));
                }
                return new Refused(AuthDecision.failure(FailureReason.SERVER_UNAVAILABLE, "trust chain failed: " + cause));
            }
            return connectionChecks(request, v);
        });
    }

    /** Source CIDRs, connection type and time windows of a verified user. */
    private Outcome connectionChecks(AuthRequest request, VerifiedUser v) {
        UserClaims u = v.user();
        String type = NKeyOptions.natsConnectionType(request.connectionType());
        if (!u.allowedConnectionTypes().isEmpty()
                && u.allowedConnectionTypes().stream().noneMatch(t -> t.equalsIgnoreCase(type))) {
            return refused(FailureReason.NOT_AUTHORIZED, "user " + u.subject() + " may not use connection type "
                    + type + " (allowed: " + u.allowedConnectionTypes() + ")");
        }
        if (!u.src().isEmpty()) {
            InetAddress address = request.remoteAddress() == null ? null : request.remoteAddress().getAddress();
            boolean inside = false;
            for (String block : u.src()) {
                try {
                    if (address != null && Cidr.parse(block).contains(address)) {
                        inside = true;
                        break;
                    }
                } catch (IllegalArgumentException e) {
                    log.warn("user {}: ignoring bad src entry {}", u.subject(), block);
                }
            }
            if (!inside) {
                return refused(FailureReason.NOT_AUTHORIZED, "user " + u.subject() + " may not connect from "
                        + address + " (src " + u.src() + ")");
            }
        }
        if (!u.times().isEmpty() && windowEnd(u, clock.instant()).isEmpty()) {
            return refused(FailureReason.NOT_AUTHORIZED, "user " + u.subject()
                    + " is outside its allowed connect times");
        }
        return new Ok(v);
    }

    private static Refused refused(FailureReason reason, String why) {
        return new Refused(AuthDecision.failure(reason, why));
    }

    /** The end of the time window that contains {@code now}, if one does. */
    private Optional<Instant> windowEnd(UserClaims u, Instant now) {
        ZoneId zone;
        try {
            zone = u.timesLocation().map(ZoneId::of).orElse(clock.getZone());
        } catch (DateTimeException e) {
            log.warn("user {}: unknown times_location {}; refusing", u.subject(), u.timesLocation().orElse(""));
            return Optional.empty();
        }
        ZonedDateTime local = now.atZone(zone);
        LocalTime t = local.toLocalTime();
        Optional<Instant> best = Optional.empty();
        for (TimeWindow w : u.times()) {
            if (w.contains(t)) {
                ZonedDateTime end = local.with(w.end());
                if (!end.isAfter(local)) {
                    end = end.plusDays(1);
                }
                Instant e = end.toInstant();
                if (best.isEmpty() || e.isAfter(best.get())) {
                    best = Optional.of(e);
                }
            }
        }
        return best;
    }

    /** Final admission of a verified JWT user: re-check expiry now, take a connection slot. */
    private AuthDecision admit(AuthRequest request, VerifiedUser v, String mode, Instant now) {
        if (v.expiresAt().isPresent() && !now.isBefore(v.expiresAt().get())) {
            return AuthDecision.failure(FailureReason.BAD_CREDENTIALS, "user " + v.user().subject() + " expired");
        }
        Optional<Instant> expires = v.expiresAt();
        if (!v.user().times().isEmpty()) {
            Optional<Instant> end = windowEnd(v.user(), now);
            if (end.isEmpty()) {
                return AuthDecision.failure(FailureReason.NOT_AUTHORIZED, "user " + v.user().subject()
                        + " is outside its allowed connect times");
            }
            expires = earliest(expires, end);
        }
        String account = v.account().subject();
        if (!connections.tryAcquire(account, request.clientId(), v.account().maxConnections(),
                v.account().jwt().token())) {
            return AuthDecision.failure(FailureReason.NOT_AUTHORIZED, "account " + account + " is at its limit of "
                    + v.account().maxConnections() + " connections");
        }
        Permissions permissions = v.permissions().map(mapper::map).orElse(options.unrestricted());
        String principal = v.user().jwt().name().orElse(v.user().subject());
        Map<String, String> attrs = Map.of(ATTR_USER, v.user().subject(), ATTR_ACCOUNT, account, ATTR_MODE, mode,
                ATTR_ISSUER, v.user().issuer(), ATTR_ISSUED_AT, Long.toString(v.user().jwt().issuedAt()));
        AuthDecision.Success s = expires.isPresent()
                ? AuthDecision.success(principal, permissions, expires.get())
                : AuthDecision.success(principal, permissions);
        return s.withAttributes(attrs);
    }

    private static Optional<Instant> earliest(Optional<Instant> a, Optional<Instant> b) {
        if (a.isEmpty()) {
            return b;
        }
        if (b.isEmpty()) {
            return a;
        }
        return a.get().isBefore(b.get()) ? a : b;
    }

    @Override
    public void connectionClosed(AuthRequest request, AuthDecision.Success admitted) {
        String account = admitted.attributes().get(ATTR_ACCOUNT);
        if (account != null) {
            connections.release(account, request.clientId());
        }
    }

    @Override
    public void attach(LiveConnections connections) {
        this.live = connections;
        if (chain.isPresent() && scheduler.isPresent() && options.accountRefresh().isPresent() && refreshTask == null) {
            long ms = options.accountRefresh().get().toMillis();
            refreshTask = scheduler.get().scheduleWithFixedDelay(this::refreshLiveAccounts, ms, ms,
                    TimeUnit.MILLISECONDS);
        }
    }

    /** Look the accounts of live connections up again; {@link #accountVerified} acts on changes. */
    void refreshLiveAccounts() {
        if (chain.isEmpty() || !refreshing.compareAndSet(false, true)) {
            return; // the previous round is still waiting for its resolver
        }
        Map<String, String> accounts = connections.liveAccounts();
        if (accounts.isEmpty()) {
            refreshing.set(false);
            return;
        }
        AtomicInteger pending = new AtomicInteger(accounts.size());
        for (String key : accounts.keySet()) {
            CompletionStage<AccountClaims> stage;
            try {
                stage = chain.get().verifiedAccount(key);
            } catch (RuntimeException e) {
                stage = CompletableFuture.failedFuture(e);
            }
            stage.whenComplete((a, e) -> {
                if (e != null) {
                    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    // Unknown, unverifiable or unreachable: new connects are refused; live ones keep what
                    // they were granted (their expiry still applies).
                    log.warn("account {}: refreshed account JWT not usable, live connections keep their admission: {}",
                            key, cause.getMessage());
                }
                if (pending.decrementAndGet() == 0) {
                    refreshing.set(false);
                }
            });
        }
    }

    /** A verified account JWT, from any look-up: if it changed under live connections, re-check them. */
    private void accountVerified(AccountClaims account) {
        if (!connections.changed(account.subject(), account.jwt().token())) {
            return;
        }
        String key = account.subject();
        int n = live.disconnect(c -> noLongerAdmitted(c, account), FailureReason.NOT_AUTHORIZED,
                "account " + key + " changed: user revoked or its signing key removed");
        if (n > 0) {
            log.info("account {} changed: disconnecting {} connection(s) it no longer admits", key, n);
        } else {
            log.debug("account {} changed; its live connections are still admitted", key);
        }
    }

    /** Whether {@code account} (a newer JWT of the connection's account) revokes this connection. */
    static boolean noLongerAdmitted(AdmittedConnection c, AccountClaims account) {
        Map<String, String> attrs = c.success().attributes();
        if (!account.subject().equals(attrs.get(ATTR_ACCOUNT))) {
            return false;
        }
        String user = attrs.get(ATTR_USER);
        String issuer = attrs.get(ATTR_ISSUER);
        String issuedAt = attrs.get(ATTR_ISSUED_AT);
        if (user == null || issuer == null || issuedAt == null) {
            return false;
        }
        long iat;
        try {
            iat = Long.parseLong(issuedAt);
        } catch (NumberFormatException e) {
            return false;
        }
        if (account.isRevoked(user, iat)) {
            return true;
        }
        return !issuer.equals(account.subject()) && !account.signingKeys().containsKey(issuer);
    }

    /** Ready unless its account resolver's last request failed (no resolver, or a local one: always). */
    @Override
    public boolean ready() {
        return chain.map(c -> c.resolver().ready()).orElse(true);
    }

    @Override
    public void close() {
        ScheduledFuture<?> task = refreshTask;
        if (task != null) {
            task.cancel(false);
        }
        chain.ifPresent(c -> {
            try {
                c.resolver().close();
            } catch (Exception e) {
                log.warn("account resolver failed to close", e);
            }
        });
    }

    private static FailureReason reason(TrustException.Kind kind) {
        switch (kind) {
            case INVALID:
                return FailureReason.BAD_CREDENTIALS;
            case UNAVAILABLE:
                return FailureReason.SERVER_UNAVAILABLE;
            default:
                return FailureReason.NOT_AUTHORIZED;
        }
    }

    private static CompletionStage<AuthDecision> done(AuthDecision d) {
        return CompletableFuture.completedFuture(d);
    }

    private static CompletionStage<AuthDecision> fail(FailureReason reason, String why) {
        return done(AuthDecision.failure(reason, why));
    }
}
