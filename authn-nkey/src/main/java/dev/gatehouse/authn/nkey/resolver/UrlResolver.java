package dev.gatehouse.authn.nkey.resolver;

import dev.gatehouse.authn.nkey.codec.NKeyType;
import dev.gatehouse.authn.nkey.codec.PublicNKey;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Account JWTs from an account server: {@code GET <base><account public key>} (a {@code /} is
 * added to the base when missing); 200 with the JWT as body, 404 for an unknown account. JWTs are
 * cached for {@code cacheTtl}; when a refresh fails, a cached JWT is served for up to
 * {@code staleTtl} more. Unknown accounts are remembered only for {@code negativeTtl}.
 *
 * <p>The account key comes from the client (it is named in the user JWT), so everything here is
 * bounded against a hostile one: the cache holds at most {@code cacheSize} accounts (least recently
 * used first out), concurrent look-ups of one account share one request (single flight), and at
 * most {@code maxConcurrentFetches} accounts are fetched at once — a look-up beyond that fails at
 * once (server unavailable for the client) or is served a stale copy, it never waits in a queue.
 * Requests are started on the blocking executor (host name resolution may block) and complete
 * asynchronously within {@code timeout}. The authenticator looks up the accounts of live
 * connections periodically, so those are refetched once their entry is older than {@code cacheTtl}.
 */
public final class UrlResolver implements AccountResolver {
    private static final Logger log = LoggerFactory.getLogger(UrlResolver.class);

    /** An answer of the server: a JWT or, when empty, "unknown account". */
    private record Cached(Optional<String> jwt, Instant fetched) {
    }

    private final String base;
    private final UrlResolverSettings settings;
    private final Clock clock;
    private final Executor executor;
    private final HttpClient http;
    private final LruCache<String, Cached> cache;
    /** One future per account being fetched; never more than maxConcurrentFetches entries. */
    private final ConcurrentMap<String, CompletableFuture<Optional<String>>> inFlight = new ConcurrentHashMap<>();
    private final Semaphore fetchSlots;
    private final dev.gatehouse.authn.spi.AuthenticatorMetrics metrics;
    /** Whether the last request to the server failed (no answer, or an answer other than 200/404). */
    private volatile boolean failing;

    /** The source name under which requests to the account server are reported. */
    public static final String METRIC_SOURCE = "account-resolver";

    public UrlResolver(String base, UrlResolverSettings settings, Clock clock, Executor executor) {
        this(base, settings, clock, executor, dev.gatehouse.authn.spi.AuthenticatorMetrics.NONE);
    }

    /** {@code metrics} hears of every request as source {@value #METRIC_SOURCE}. */
    public UrlResolver(String base, UrlResolverSettings settings, Clock clock, Executor executor,
                       dev.gatehouse.authn.spi.AuthenticatorMetrics metrics) {
        this.metrics = metrics;
        this.base = base.endsWith("/") ? base : base + "/";
        this.settings = settings;
        this.clock = clock;
        this.executor = executor;
        this.cache = new LruCache<>(settings.cacheSize());
        this.fetchSlots = new Semaphore(settings.maxConcurrentFetches());
        this.http = HttpClient.newBuilder().connectTimeout(settings.timeout()).executor(executor)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public CompletionStage<Optional<String>> resolve(String accountPublicKey) {
        if (!PublicNKey.isValid(accountPublicKey, NKeyType.ACCOUNT)) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        Cached c = cache.get(accountPublicKey);
        if (fresh(c, clock.instant())) {
            return CompletableFuture.completedFuture(c.jwt);
        }
        CompletableFuture<Optional<String>> mine = new CompletableFuture<>();
        CompletableFuture<Optional<String>> running = inFlight.putIfAbsent(accountPublicKey, mine);
        if (running != null) {
            return running.copy(); // a copy: a caller completing its stage must not answer the others
        }
        // Look again: a fetch that ended between the first look and putIfAbsent has filled the cache
        // (it writes the cache before leaving inFlight), and must not cause a second request.
        Instant now = clock.instant();
        Cached latest = cache.get(accountPublicKey);
        if (fresh(latest, now)) {
            inFlight.remove(accountPublicKey, mine);
            mine.complete(latest.jwt);
        } else if (!fetchSlots.tryAcquire()) {
            inFlight.remove(accountPublicKey, mine);
            Optional<String> stale = stale(latest, now);
            if (stale.isPresent()) {
                log.debug("account server {}: {} fetches running; serving the cached JWT of {}", base,
                        settings.maxConcurrentFetches(), accountPublicKey);
                mine.complete(stale);
            } else {
                mine.completeExceptionally(new IOException("account server " + base + " busy: "
                        + settings.maxConcurrentFetches() + " account look-ups already running"));
            }
        } else {
            start(accountPublicKey, latest, now, mine);
        }
        return mine.copy();
    }

    /** Start the request on the executor; whatever happens, {@code result} completes and the slot is freed. */
    private void start(String key, Cached previous, Instant now, CompletableFuture<Optional<String>> result) {
        try {
            executor.execute(() -> {
                try {
                    send(key).whenComplete((jwt, e) -> finish(key, previous, now, result, jwt, e));
                } catch (RuntimeException e) {
                    finish(key, previous, now, result, null, e);
                }
            });
        } catch (RejectedExecutionException e) {
            finish(key, previous, now, result, null, e);
        }
    }

    private CompletableFuture<Optional<String>> send(String key) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + key)).timeout(settings.timeout()).GET()
                .header("Accept", "application/jwt, text/plain").build();
        return http.sendAsync(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).thenApply(resp -> {
            if (resp.statusCode() == 200) {
                return Optional.of(resp.body().trim());
            }
            if (resp.statusCode() == 404) {
                return Optional.<String>empty();
            }
            throw new CompletionException(new IOException("account server answered " + resp.statusCode()));
        });
    }

    private void finish(String key, Cached previous, Instant now, CompletableFuture<Optional<String>> result,
                        Optional<String> jwt, Throwable error) {
        failing = error != null;
        try {
            metrics.fetched(METRIC_SOURCE, error == null);
        } catch (RuntimeException e) {
            log.debug("fetch metrics failed", e);
        }
        if (error == null) {
            cache.put(key, new Cached(jwt, now)); // before leaving inFlight: see resolve()
        }
        inFlight.remove(key, result);
        fetchSlots.release();
        if (error == null) {
            result.complete(jwt);
            return;
        }
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        Optional<String> stale = stale(previous, now);
        if (stale.isPresent()) {
            log.warn("account server {} failed for {} ({}); serving the cached JWT", base, key, cause.toString());
            result.complete(stale);
        } else {
            result.completeExceptionally(new IOException("account server " + base + " failed for " + key + ": "
                    + cause, cause));
        }
    }

    private boolean fresh(Cached c, Instant now) {
        if (c == null) {
            return false;
        }
        Duration ttl = c.jwt.isPresent() ? settings.cacheTtl() : settings.negativeTtl();
        return now.isBefore(c.fetched.plus(ttl));
    }

    /** The cached JWT while it may still be served after a failed refresh. */
    private Optional<String> stale(Cached c, Instant now) {
        if (c != null && c.jwt.isPresent() && now.isBefore(c.fetched.plus(settings.cacheTtl()).plus(settings.staleTtl()))) {
            return c.jwt;
        }
        return Optional.empty();
    }

    /** Accounts (JWTs and misses) in the cache now; never more than the configured cache size. */
    public int cachedAccounts() {
        return cache.size();
    }

    /** Accounts being fetched right now. */
    public int fetchesInFlight() {
        return inFlight.size();
    }

    /** Ready unless the last request to the account server failed (before any request: ready). */
    @Override
    public boolean ready() {
        return !failing;
    }

    @Override
    public String describe() {
        return "url " + base;
    }
}
