package dev.gatehouse.authn.nkey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.authn.nkey.resolver.DirectoryResolver;
import dev.gatehouse.authn.nkey.resolver.UrlResolver;
import dev.gatehouse.authn.nkey.resolver.UrlResolverSettings;
import io.nats.client.NKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The resolvers' caches are fed by what clients name (the account in a user JWT): bounded in size,
 * misses kept briefly, one request per account at a time, and a bound on accounts fetched at once.
 */
class BoundedResolverTest {
    private static final Duration NEGATIVE_TTL = Duration.ofSeconds(15);
    private static final Duration CACHE_TTL = Duration.ofMinutes(2);

    private final MutableClock clock = new MutableClock();
    private final ExecutorService blocking = Executors.newCachedThreadPool();
    private final ExecutorService clients = Executors.newFixedThreadPool(16);
    private final NKey operator = Nats.operator();
    private AccountServer server;

    @BeforeEach
    void start() throws Exception {
        server = new AccountServer();
    }

    @AfterEach
    void stop() {
        server.close();
        clients.shutdownNow();
        blocking.shutdownNow();
    }

    private UrlResolver resolver(int cacheSize, int maxConcurrentFetches) {
        return new UrlResolver(server.url(), new UrlResolverSettings(Duration.ofSeconds(10), CACHE_TTL,
                Duration.ofMinutes(10), NEGATIVE_TTL, cacheSize, maxConcurrentFetches), clock, blocking);
    }

    /** A known account: its key, with its JWT on the server. */
    private String known() {
        NKey account = Nats.account();
        server.put(Nats.pub(account), Nats.accountJwt(operator, account, Map.of()));
        return Nats.pub(account);
    }

    private static Optional<String> get(UrlResolver r, String key) {
        return r.resolve(key).toCompletableFuture().join();
    }

    /** resolve() from a client thread, as the broker's threads call it. */
    private CompletableFuture<Optional<String>> resolveFromAnotherThread(UrlResolver r, String key, CountDownLatch go,
                                                                       AtomicInteger called) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                go.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            CompletableFuture<Optional<String>> f = r.resolve(key).toCompletableFuture();
            called.incrementAndGet();
            return f;
        }, clients).thenCompose(f -> f);
    }

    @Test
    void aFloodOfDistinctUnknownAccountsNeverOutgrowsTheCacheNorTheFetchBound() {
        int n = 300;
        int bound = 16;
        int maxFetches = 8;
        UrlResolver r = resolver(bound, maxFetches);
        AtomicInteger largestCache = new AtomicInteger();
        AtomicInteger mostFetches = new AtomicInteger();
        server.onRequest(() -> {
            largestCache.accumulateAndGet(r.cachedAccounts(), Math::max);
            mostFetches.accumulateAndGet(r.fetchesInFlight(), Math::max);
        });
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger called = new AtomicInteger();
        List<CompletableFuture<Optional<String>>> results = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            results.add(resolveFromAnotherThread(r, Nats.pub(Nats.account()), go, called));
        }
        go.countDown();
        int unknown = 0;
        int busy = 0;
        for (CompletableFuture<Optional<String>> f : results) {
            try {
                assertThat(f.join()).isEmpty();
                unknown++;
            } catch (CompletionException e) {
                assertThat(e).hasMessageContaining("busy");
                busy++;
            }
            assertThat(r.cachedAccounts()).isLessThanOrEqualTo(bound);
        }
        assertThat(unknown + busy).isEqualTo(n);
        assertThat(unknown).isPositive();
        assertThat(server.requests()).isEqualTo(unknown).isLessThanOrEqualTo(n);
        assertThat(largestCache.get()).isLessThanOrEqualTo(bound);
        assertThat(mostFetches.get()).isLessThanOrEqualTo(maxFetches);
        assertThat(r.cachedAccounts()).isLessThanOrEqualTo(bound);
        assertThat(r.fetchesInFlight()).isZero();
    }

    @Test
    void concurrentLookUpsOfOneAccountShareOneRequest() {
        String account = known();
        UrlResolver r = resolver(100, 4);
        server.hold(); // every look-up below starts while the one request is still unanswered
        int m = 64;
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger called = new AtomicInteger();
        List<CompletableFuture<Optional<String>>> results = new ArrayList<>();
        for (int i = 0; i < m; i++) {
            results.add(resolveFromAnotherThread(r, account, go, called));
        }
        go.countDown();
        TestBroker.await(() -> called.get() == m, "every look-up to have started");
        server.release();
        for (CompletableFuture<Optional<String>> f : results) {
            assertThat(f.join()).isPresent();
        }
        assertThat(server.requests()).isEqualTo(1);
        assertThat(get(r, account)).isPresent();
        assertThat(server.requests()).isEqualTo(1);
    }

    @Test
    void anUnknownAccountIsAskedForAgainOnlyAfterTheNegativeTtl() {
        UrlResolver r = resolver(100, 4);
        String known = known();
        NKey later = Nats.account();
        String unknown = Nats.pub(later);

        assertThat(get(r, unknown)).isEmpty();
        assertThat(get(r, known)).isPresent();
        assertThat(server.requests()).isEqualTo(2);
        assertThat(get(r, unknown)).isEmpty();
        clock.advance(NEGATIVE_TTL.minusSeconds(1));
        assertThat(get(r, unknown)).isEmpty();
        assertThat(server.requests()).as("the miss is still remembered").isEqualTo(2);

        // the account is created meanwhile: seen once the miss has run out
        server.put(unknown, Nats.accountJwt(operator, later, Map.of()));
        clock.advance(Duration.ofSeconds(2));
        assertThat(get(r, unknown)).isPresent();
        assertThat(server.requests()).isEqualTo(3);
        assertThat(get(r, known)).as("a JWT is kept for the cache TTL").isPresent();
        assertThat(server.requests()).isEqualTo(3);
    }

    @Test
    void theLeastRecentlyUsedAccountIsEvictedFirst() {
        UrlResolver r = resolver(4, 4);
        String a = known();
        List<String> misses = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            misses.add(Nats.pub(Nats.account()));
        }
        get(r, a);
        get(r, misses.get(0));
        get(r, misses.get(1));
        get(r, misses.get(2));
        get(r, a); // a is now the most recently used
        int before = server.requests();
        get(r, misses.get(3)); // full: misses.get(0) goes
        assertThat(r.cachedAccounts()).isEqualTo(4);
        get(r, a);
        assertThat(server.requests()).as("a stayed cached").isEqualTo(before + 1);
        get(r, misses.get(0));
        assertThat(server.requests()).as("the eldest was evicted and is fetched again").isEqualTo(before + 2);
    }

    @Test
    void beyondTheFetchBoundAStaleCopyIsServedOrTheLookUpFailsAtOnce() {
        UrlResolver r = resolver(100, 1);
        String a = known();
        assertThat(get(r, a)).isPresent();
        clock.advance(CACHE_TTL.plusSeconds(1)); // a is due for a refresh, but may still be served stale

        server.hold();
        CompletableFuture<Optional<String>> held = r.resolve(Nats.pub(Nats.account())).toCompletableFuture();
        TestBroker.await(() -> server.requests() == 2, "the held request to arrive");
        assertThat(get(r, a)).as("no free fetch slot: the cached copy").isPresent();
        String other = known();
        assertThatThrownBy(() -> get(r, other)).hasMessageContaining("busy");
        assertThat(server.requests()).isEqualTo(2);

        server.release();
        assertThat(held.join()).isEmpty();
        assertThat(get(r, other)).isPresent();
        assertThat(server.requests()).isEqualTo(3);
    }

    @Test
    void directoryResolverKeepsAtMostItsCacheSize(@TempDir Path dir) throws Exception {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            NKey account = Nats.account();
            keys.add(Nats.pub(account));
            Files.writeString(dir.resolve(Nats.pub(account) + ".jwt"), Nats.accountJwt(operator, account, Map.of()));
        }
        DirectoryResolver r = new DirectoryResolver(dir, 2, blocking);
        for (String k : keys) {
            assertThat(r.resolve(k).toCompletableFuture().join()).isPresent();
            assertThat(r.cachedAccounts()).isLessThanOrEqualTo(2);
        }
        assertThat(r.resolve(Nats.pub(Nats.account())).toCompletableFuture().join()).isEmpty();
        assertThat(r.cachedAccounts()).isEqualTo(2);
    }
}
