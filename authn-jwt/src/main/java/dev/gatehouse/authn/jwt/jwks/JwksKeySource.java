package dev.gatehouse.authn.jwt.jwks;

import dev.gatehouse.authn.jwt.keys.JwtAlgorithm;
import dev.gatehouse.authn.jwt.keys.KeyLookup;
import dev.gatehouse.authn.jwt.keys.KeySource;
import dev.gatehouse.authn.jwt.keys.VerificationKey;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keys from a JWKS endpoint. The set is fetched on start, then every {@code refresh-interval}, always on
 * the blocking executor. A token naming an unknown {@code kid} triggers a fetch only when the previous
 * one started at least {@code min-refresh-gap} ago (by the injected clock), and concurrent requests share
 * one fetch, so a flood of forged kids cannot hammer the endpoint. The last good set is kept through an
 * outage; an outage and its end are logged once each, not per client.
 */
public final class JwksKeySource implements KeySource {
    private static final Logger log = LoggerFactory.getLogger(JwksKeySource.class);

    /** The source name under which fetches are reported. */
    public static final String METRIC_SOURCE = "jwks";

    private record Snapshot(List<VerificationKey> keys, long generation, Set<String> fingerprints) {
    }

    /** What the source knows, for diagnostics and health checks. */
    public record Status(boolean loaded, int keys, long generation, Optional<Instant> lastSuccess,
                         Optional<String> lastError) {
    }

    private final JwksConfig config;
    private final JwksFetcher fetcher;
    private final JwkParser parser = new JwkParser();
    private final Clock clock;
    private final Executor executor;
    private final ScheduledExecutorService scheduler;
    private final dev.gatehouse.authn.spi.AuthenticatorMetrics metrics;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();

    private volatile Snapshot current;
    private CompletableFuture<Void> inFlight;          // guarded by lock
    private Instant lastAttempt;                        // guarded by lock
    private boolean failing;                            // guarded by lock
    private Instant lastSuccess;                        // guarded by lock
    private String lastError;                           // guarded by lock
    private ScheduledFuture<?> periodic;                // guarded by lock
    private boolean closed;                             // guarded by lock

    public JwksKeySource(JwksConfig config, JwksFetcher fetcher, Clock clock, Executor executor,
                         ScheduledExecutorService scheduler) {
        this(config, fetcher, clock, executor, scheduler, dev.gatehouse.authn.spi.AuthenticatorMetrics.NONE);
    }

    /** {@code metrics} hears of every fetch as source {@value #METRIC_SOURCE}. */
    public JwksKeySource(JwksConfig config, JwksFetcher fetcher, Clock clock, Executor executor,
                         ScheduledExecutorService scheduler, dev.gatehouse.authn.spi.AuthenticatorMetrics metrics) {
        this.metrics = metrics;
        this.config = config;
        this.fetcher = fetcher;
        this.clock = clock;
        this.executor = executor;
        this.scheduler = scheduler;
    }

    @Override
    public void start() {
        synchronized (lock) {
            if (periodic != null || closed) {
                return;
            }
            long every = config.refreshInterval().toMillis();
            periodic = scheduler.scheduleWithFixedDelay(() -> refresh(true), every, every, TimeUnit.MILLISECONDS);
        }
        refresh(true);
    }

    @Override
    public CompletionStage<KeyLookup> lookup(Optional<String> kid, JwtAlgorithm alg) {
        KeyLookup first = find(kid, alg);
        if (first instanceof KeyLookup.Found) {
            return CompletableFuture.completedFuture(first);
        }
        CompletableFuture<Void> fetch = refresh(false);
        if (fetch == null) {
            return CompletableFuture.completedFuture(first);
        }
        return fetch.handle((v, e) -> find(kid, alg));
    }

    private KeyLookup find(Optional<String> kid, JwtAlgorithm alg) {
        Snapshot s = current;
        if (s == null) {
            return new KeyLookup.Unavailable("no key set has been loaded from the JWKS endpoint yet");
        }
        List<VerificationKey> found = new ArrayList<>();
        for (VerificationKey k : s.keys()) {
            if ((kid.isEmpty() || k.kid().equals(kid)) && k.supports(alg)) {
                found.add(k);
            }
        }
        if (found.isEmpty()) {
            return new KeyLookup.Unknown(kid.isPresent() ? "kid not in the key set" : "no key for " + alg + " in the key set");
        }
        return new KeyLookup.Found(found, s.generation());
    }

    /**
     * Start a fetch, or join the one in flight. Unless {@code force}, only when the last attempt is at
     * least min-refresh-gap old; returns {@code null} when rate-limited.
     */
    CompletableFuture<Void> refresh(boolean force) {
        CompletableFuture<Void> f;
        synchronized (lock) {
            if (closed) {
                return null;
            }
            if (inFlight != null) {
                return inFlight;
            }
            Instant now = clock.instant();
            if (!force && lastAttempt != null && now.isBefore(lastAttempt.plus(config.minRefreshGap()))) {
                return null;
            }
            lastAttempt = now;
            f = new CompletableFuture<>();
            inFlight = f;
        }
        try {
            executor.execute(() -> runFetch(f));
        } catch (RuntimeException e) {
            failed("cannot schedule fetch: " + e);
            finish(f);
        }
        return f;
    }

    private void runFetch(CompletableFuture<Void> f) {
        try {
            byte[] body = fetcher.fetch();
            List<VerificationKey> keys = parser.parse(body, "jwks");
            if (keys.isEmpty()) {
                throw new JwksException("the key set has no usable signing key");
            }
            apply(keys);
            report(true);
        } catch (JwksException e) {
            failed(e.getMessage());
            report(false);
        } catch (RuntimeException e) {
            failed(e.toString());
            report(false);
        } finally {
            finish(f);
        }
    }

    private void report(boolean ok) {
        try {
            metrics.fetched(METRIC_SOURCE, ok);
        } catch (RuntimeException e) {
            log.debug("fetch metrics failed", e);
        }
    }

    /** Ready once a key set was loaded; it stays ready through an outage (the last good set is kept). */
    @Override
    public boolean ready() {
        return current != null;
    }

    private void finish(CompletableFuture<Void> f) {
        synchronized (lock) {
            if (inFlight == f) {
                inFlight = null;
            }
        }
        f.complete(null);
    }

    private void apply(List<VerificationKey> keys) {
        Set<String> fingerprints = keys.stream().map(VerificationKey::fingerprint)
                .collect(Collectors.toCollection(TreeSet::new));
        boolean changed;
        Snapshot old = current;
        synchronized (lock) {
            lastSuccess = clock.instant();
            lastError = null;
            if (failing) {
                failing = false;
                log.info("JWKS {} is reachable again", config.url());
            }
            changed = old == null || !old.fingerprints().equals(fingerprints);
            if (changed) {
                current = new Snapshot(List.copyOf(keys), old == null ? 1 : old.generation() + 1, Set.copyOf(fingerprints));
            }
        }
        if (changed) {
            log.info("JWKS {}: loaded {} key(s), kids {}", config.url(), keys.size(),
                    keys.stream().map(k -> k.kid().orElse("-")).collect(Collectors.toList()));
            for (Runnable l : listeners) {
                try {
                    l.run();
                } catch (RuntimeException e) {
                    log.warn("key set listener failed", e);
                }
            }
        }
    }

    private void failed(String why) {
        synchronized (lock) {
            lastError = why;
            if (failing) {
                log.debug("JWKS {} still failing: {}", config.url(), why);
                return;
            }
            failing = true;
        }
        Snapshot s = current;
        if (s == null) {
            log.warn("JWKS {} failed: {}; no key set loaded yet, clients are refused as server unavailable",
                    config.url(), why);
        } else {
            log.warn("JWKS {} failed: {}; keeping the last good key set ({} keys)", config.url(), why, s.keys().size());
        }
    }

    @Override
    public long generation() {
        Snapshot s = current;
        return s == null ? 0 : s.generation();
    }

    @Override
    public void onChange(Runnable listener) {
        listeners.add(listener);
    }

    /** What this source knows now. */
    public Status status() {
        Snapshot s = current;
        synchronized (lock) {
            return new Status(s != null, s == null ? 0 : s.keys().size(), s == null ? 0 : s.generation(),
                    Optional.ofNullable(lastSuccess), Optional.ofNullable(lastError));
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            if (periodic != null) {
                periodic.cancel(false);
            }
        }
    }
}
