package dev.gatehouse.authn.nkey.resolver;

import dev.gatehouse.authn.nkey.codec.NKeyType;
import dev.gatehouse.authn.nkey.codec.PublicNKey;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Account JWTs from an account server: {@code GET <base><account public key>} (a {@code /} is
 * added to the base when missing); 200 with the JWT as body, 404 for an unknown account. Answers
 * are cached for {@code cacheTtl}; when a refresh fails, a cached JWT is served for up to
 * {@code staleTtl} more. Requests run on the blocking executor and are bounded by {@code timeout}.
 * The authenticator looks up the accounts of live connections periodically, so those are refetched
 * once their cache entry is older than {@code cacheTtl}.
 */
public final class UrlResolver implements AccountResolver {
    private static final Logger log = LoggerFactory.getLogger(UrlResolver.class);

    private record Cached(Optional<String> jwt, Instant fetched) {
    }

    private final String base;
    private final Duration timeout;
    private final Duration cacheTtl;
    private final Duration staleTtl;
    private final Clock clock;
    private final Executor executor;
    private final HttpClient http;
    private final ConcurrentMap<String, Cached> cache = new ConcurrentHashMap<>();

    public UrlResolver(String base, Duration timeout, Duration cacheTtl, Duration staleTtl, Clock clock,
                       Executor executor) {
        this.base = base.endsWith("/") ? base : base + "/";
        this.timeout = timeout;
        this.cacheTtl = cacheTtl;
        this.staleTtl = staleTtl;
        this.clock = clock;
        this.executor = executor;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).executor(executor)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public CompletionStage<Optional<String>> resolve(String accountPublicKey) {
        if (!PublicNKey.isValid(accountPublicKey, NKeyType.ACCOUNT)) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        Instant now = clock.instant();
        Cached c = cache.get(accountPublicKey);
        if (c != null && now.isBefore(c.fetched.plus(cacheTtl))) {
            return CompletableFuture.completedFuture(c.jwt);
        }
        return CompletableFuture.supplyAsync(() -> fetch(accountPublicKey, c, now), executor);
    }

    private Optional<String> fetch(String key, Cached previous, Instant now) {
        try {
            HttpRequest req = HttpRequest.newBuilder(URI.create(base + key)).timeout(timeout).GET()
                    .header("Accept", "application/jwt, text/plain").build();
            HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            Optional<String> jwt;
            if (resp.statusCode() == 200) {
                jwt = Optional.of(resp.body().trim());
            } else if (resp.statusCode() == 404) {
                jwt = Optional.empty();
            } else {
                throw new IOException("account server answered " + resp.statusCode());
            }
            cache.put(key, new Cached(jwt, now));
            return jwt;
        } catch (IOException | RuntimeException e) {
            if (previous != null && previous.jwt.isPresent() && now.isBefore(previous.fetched.plus(cacheTtl).plus(staleTtl))) {
                log.warn("account server {} failed for {} ({}); serving the cached JWT", base, key, e.toString());
                return previous.jwt;
            }
            throw new UncheckedIOException(new IOException("account server " + base + " failed for " + key + ": " + e, e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted"));
        }
    }

    @Override
    public String describe() {
        return "url " + base;
    }
}
