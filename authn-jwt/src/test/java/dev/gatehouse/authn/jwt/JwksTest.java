package dev.gatehouse.authn.jwt;

import static dev.gatehouse.authn.jwt.testing.Harness.ask;
import static dev.gatehouse.authn.jwt.testing.Harness.create;
import static dev.gatehouse.authn.jwt.testing.Tokens.token;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.gatehouse.authn.jwt.jwks.JwksKeySource;
import dev.gatehouse.authn.jwt.testing.Jwks;
import dev.gatehouse.authn.jwt.testing.JwksServer;
import dev.gatehouse.authn.jwt.testing.TestContext;
import dev.gatehouse.authn.jwt.testing.TestKeys;
import dev.gatehouse.authn.spi.AuthDecision;
import dev.gatehouse.authn.spi.FailureReason;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A real JWKS endpoint on loopback: rotation, outage, never-loaded, and the unknown-kid flood. */
class JwksTest {
    static KeyPair k1;
    static KeyPair k2;
    static KeyPair forger;
    final TestContext ctx = new TestContext();
    JwksServer server;
    final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeAll
    static void keys() {
        k1 = TestKeys.rsa();
        k2 = TestKeys.rsa();
        forger = TestKeys.rsa();
    }

    @BeforeEach
    void start() throws Exception {
        server = new JwksServer(Jwks.set().rsa("k1", k1.getPublic()).json());
        logs.start();
        ((Logger) LoggerFactory.getLogger(JwksKeySource.class)).addAppender(logs);
    }

    @AfterEach
    void stop() throws Exception {
        ((Logger) LoggerFactory.getLogger(JwksKeySource.class)).detachAppender(logs);
        server.close();
        ctx.close();
    }

    private JwtAuthenticator jwks(String refreshInterval) {
        return create(ctx, Map.of("algorithms", List.of("RS256"), "jwks", Map.of("url", server.url().toString(),
                "min-refresh-gap", "30s", "refresh-interval", refreshInterval)));
    }

    private String signed(String kid, KeyPair key) {
        return token(ctx.clock, "dev").withKeyId(kid).sign(TestKeys.rs256(key));
    }

    private static void admitted(AuthDecision d) {
        assertThat(d).isInstanceOf(AuthDecision.Success.class);
    }

    private static void refused(AuthDecision d, FailureReason reason, String why) {
        assertThat(d).isInstanceOfSatisfying(AuthDecision.Failure.class, f -> {
            assertThat(f.reason()).isEqualTo(reason);
            assertThat(f.logMessage()).contains(why);
        });
    }

    private long warnings(String text) {
        return logs.list.stream().filter(e -> e.getLevel() == Level.WARN && e.getFormattedMessage().contains(text)).count();
    }

    @Test
    void readyOnceTheKeySetWasFetchedAndEveryFetchIsReported() {
        java.util.Map<String, java.util.concurrent.atomic.AtomicInteger> fetches = new java.util.concurrent.ConcurrentHashMap<>();
        dev.gatehouse.authn.spi.AuthenticatorContext counted = new dev.gatehouse.authn.spi.AuthenticatorContext(
                ctx.clock(), ctx.context().blockingExecutor(), ctx.scheduler(),
                (source, ok) -> fetches.computeIfAbsent(source + " " + ok, k -> new java.util.concurrent.atomic.AtomicInteger())
                        .incrementAndGet());
        server.down(true);
        JwtAuthenticator a = new JwtAuthenticatorFactory().create(dev.gatehouse.authn.spi.MapSettings.of(
                "gatehouse.authentication.0", Map.of("algorithms", List.of("RS256"), "jwks", Map.of("url",
                        server.url().toString(), "min-refresh-gap", "30s", "refresh-interval", "5m"))), counted);
        refused(ask(a, signed("k1", k1)), FailureReason.SERVER_UNAVAILABLE, "key set unavailable");
        assertThat(a.ready()).as("never fetched").isFalse();
        assertThat(fetches.get("jwks false")).hasValue(1);

        server.down(false);
        ctx.clock.advance(Duration.ofSeconds(31));
        admitted(ask(a, signed("k1", k1)));
        assertThat(a.ready()).isTrue();
        assertThat(fetches.get("jwks true")).hasValue(1);

        server.down(true);
        ctx.clock.advance(Duration.ofSeconds(31));
        refused(ask(a, signed("k9", k2)), FailureReason.BAD_CREDENTIALS, "unknown key");
        assertThat(fetches.get("jwks false")).hasValue(2);
        assertThat(a.ready()).as("the last good key set is still served").isTrue();
        a.close();
    }

    @Test
    void rotationIsPickedUpOnAnUnknownKidOncePerGap() {
        JwtAuthenticator a = jwks("5m");
        admitted(ask(a, signed("k1", k1)));
        assertThat(server.requests()).isEqualTo(1);
        assertThat(a.cache().size()).isEqualTo(1);

        server.serve(Jwks.set().rsa("k1", k1.getPublic()).rsa("k2", k2.getPublic()).json());
        refused(ask(a, signed("k2", k2)), FailureReason.BAD_CREDENTIALS, "unknown key");
        assertThat(server.requests()).as("within min-refresh-gap of the last fetch: no fetch").isEqualTo(1);

        ctx.clock.advance(Duration.ofSeconds(31));
        admitted(ask(a, signed("k2", k2)));
        assertThat(server.requests()).isEqualTo(2);
        assertThat(a.cache().size()).as("the key set changed: the cache was emptied, then k2's token cached").isEqualTo(1);

        server.serve(Jwks.set().rsa("k2", k2.getPublic()).json());
        ctx.clock.advance(Duration.ofSeconds(31));
        refused(ask(a, signed("k3", forger)), FailureReason.BAD_CREDENTIALS, "unknown key");
        assertThat(server.requests()).isEqualTo(3);
        refused(ask(a, signed("k1", k1)), FailureReason.BAD_CREDENTIALS, "unknown key");
        admitted(ask(a, signed("k2", k2)));
    }

    @Test
    void periodicRefreshLoadsNewKeysWithoutAnyClient() throws Exception {
        JwtAuthenticator a = jwks("100ms");
        admitted(ask(a, signed("k1", k1)));
        server.serve(Jwks.set().rsa("k2", k2.getPublic()).json());
        JwksKeySource source = (JwksKeySource) a.keySource();
        long gen = source.generation();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (source.generation() == gen && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(source.generation()).isGreaterThan(gen);
        admitted(ask(a, signed("k2", k2)));
        refused(ask(a, signed("k1", k1)), FailureReason.BAD_CREDENTIALS, "unknown key");
    }

    @Test
    void anOutageKeepsTheLastGoodSetAndIsLoggedOncePerStateChange() {
        JwtAuthenticator a = jwks("5m");
        admitted(ask(a, signed("k1", k1)));
        server.down(true);
        for (int i = 0; i < 3; i++) {
            ctx.clock.advance(Duration.ofSeconds(31));
            refused(ask(a, signed("k9-" + i, forger)), FailureReason.BAD_CREDENTIALS, "unknown key");
            admitted(ask(a, signed("k1", k1)));
        }
        assertThat(server.requests()).isEqualTo(4);
        assertThat(warnings("keeping the last good key set")).isEqualTo(1);
        JwksKeySource source = (JwksKeySource) a.keySource();
        assertThat(source.status().lastError()).hasValueSatisfying(e -> assertThat(e).contains("503"));

        server.down(false);
        server.serve(Jwks.set().rsa("k1", k1.getPublic()).rsa("k2", k2.getPublic()).json());
        ctx.clock.advance(Duration.ofSeconds(31));
        admitted(ask(a, signed("k2", k2)));
        assertThat(logs.list.stream().filter(e -> e.getFormattedMessage().contains("reachable again")).count()).isEqualTo(1);
        assertThat(source.status().lastError()).isEmpty();
    }

    @Test
    void withNoKeySetEverLoadedClientsGetServerUnavailable() {
        server.down(true);
        JwtAuthenticator a = jwks("5m");
        refused(ask(a, signed("k1", k1)), FailureReason.SERVER_UNAVAILABLE, "key set unavailable");
        refused(ask(a, signed("k1", k1)), FailureReason.SERVER_UNAVAILABLE, "key set unavailable");
        assertThat(server.requests()).as("the second client did not fetch again within the gap").isEqualTo(1);
        assertThat(warnings("no key set loaded yet")).isEqualTo(1);
        server.down(false);
        ctx.clock.advance(Duration.ofSeconds(31));
        admitted(ask(a, signed("k1", k1)));
    }

    @Test
    void aFloodOfForgedKidsFetchesAtMostOncePerGap() throws Exception {
        JwtAuthenticator a = jwks("5m");
        admitted(ask(a, signed("k1", k1)));
        int before = server.requests();
        List<String> forged = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            forged.add(signed("forged-" + i, forger));
        }
        flood(a, forged);
        assertThat(server.requests()).as("same instant as the first fetch").isEqualTo(before);

        ctx.clock.advance(Duration.ofSeconds(31));
        flood(a, forged);
        assertThat(server.requests()).as("one fetch for the whole flood").isEqualTo(before + 1);
        ctx.clock.advance(Duration.ofSeconds(10));
        flood(a, forged);
        assertThat(server.requests()).isEqualTo(before + 1);
        ctx.clock.advance(Duration.ofSeconds(21));
        flood(a, forged);
        assertThat(server.requests()).isEqualTo(before + 2);
    }

    private static void flood(JwtAuthenticator a, List<String> tokens) throws Exception {
        List<CompletableFuture<AuthDecision>> all = new ArrayList<>();
        for (String t : tokens) {
            all.add(a.authenticate(dev.gatehouse.authn.jwt.testing.Harness.withPassword("c", null, t)).toCompletableFuture());
        }
        for (CompletableFuture<AuthDecision> f : all) {
            refused(f.get(10, TimeUnit.SECONDS), FailureReason.BAD_CREDENTIALS, "unknown key");
        }
    }
}
