package dev.gatehouse.authn.nkey;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.authn.nkey.client.NKeyAuthMechanism;
import dev.gatehouse.authn.nkey.client.NKeyIdentity;
import io.nats.client.NKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResolverTest {
    private final NKey operator = Nats.operator();
    private final NKey account = Nats.account();
    private final MutableClock clock = new MutableClock();
    private TestBroker broker;
    private HttpServer http;

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
        if (http != null) {
            http.stop(0);
        }
    }

    private Map<String, Object> settings(Map<String, Object> resolver) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("type", "nkey");
        s.put("operators", List.of(Nats.operatorJwt(operator, List.of(), false)));
        s.put("resolver", resolver);
        return s;
    }

    private String accountJwt(Map<String, Object> nats) {
        return Nats.accountJwt(operator, account, nats);
    }

    private NKeyAuthMechanism auth(NKey user, long iat) {
        return NKeyAuthMechanism.of(NKeyIdentity.of(
                Nats.userJwt(account, account, user, Nats.claim(account), null, iat), Nats.seed(user)));
    }

    private void writeAccount(String jwt, int generation) throws Exception {
        Path file = dir.resolve(Nats.pub(account) + ".jwt");
        Files.writeString(file, jwt + "\n");
        // make the change visible even on file systems with coarse timestamps
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2026-01-01T00:00:00Z").plusSeconds(generation)));
    }

    @Test
    void directoryResolverReReadsChangedFilesAndRevocationApplies() throws Exception {
        writeAccount(accountJwt(Map.of()), 1);
        // refresh-interval long enough that only the connect below sees the change
        broker = new TestBroker(settings(Map.of("type", "directory", "path", dir.toString(), "refresh-interval", "1h")),
                clock);
        NKey user = Nats.user();
        long iat = Nats.nowSeconds() - 5;
        NKeyAuthMechanism mech = auth(user, iat);
        Mqtt5BlockingClient c = broker.connect(mech);

        writeAccount(accountJwt(Map.of("revocations", Map.of(Nats.pub(user), Nats.nowSeconds()))), 2);
        // the next connect reads the changed file: refused, and the live connection of that user is
        // disconnected as well (LiveRevocationTest covers the periodic refresh without a new connect)
        assertThat(broker.refusal(mech)).isEqualTo(0x87);
        TestBroker.await(() -> !c.getState().isConnected(), "the revoked client to be disconnected");

        NKey stranger = Nats.account();
        NKey u2 = Nats.user();
        assertThat(broker.refusal(NKeyAuthMechanism.of(NKeyIdentity.of(
                Nats.userJwt(stranger, stranger, u2, Nats.claim(stranger)), Nats.seed(u2))))).isEqualTo(0x87);
    }

    @Test
    void urlResolverRefetchesLiveAccountsAfterTheCacheTtlAndDisconnectsRevokedUsers() throws Exception {
        AtomicReference<String> body = new AtomicReference<>(accountJwt(Map.of()));
        AtomicInteger requests = new AtomicInteger();
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/accounts/", ex -> {
            requests.incrementAndGet();
            byte[] b = body.get().getBytes(UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        http.start();
        broker = new TestBroker(settings(Map.of("type", "url", "url", "http://127.0.0.1:" + http.getAddress().getPort()
                + "/accounts/", "cache-ttl", "1m", "refresh-interval", "100ms")), clock);
        NKey user = Nats.user();
        Mqtt5BlockingClient c = broker.connect(auth(user, Nats.nowSeconds() - 5));
        body.set(accountJwt(Map.of("revocations", Map.of(Nats.pub(user), Nats.nowSeconds()))));
        assertThat(c.getState().isConnected()).isTrue(); // the cached copy is still fresh
        clock.advance(Duration.ofMinutes(2));
        TestBroker.await(() -> !c.getState().isConnected(), "the revoked client to be disconnected after the refetch");
        assertThat(requests.get()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void urlResolverFetchesCachesAndServesStaleOnFailure() throws Exception {
        AtomicReference<String> body = new AtomicReference<>(accountJwt(Map.of()));
        AtomicInteger status = new AtomicInteger(200);
        AtomicInteger requests = new AtomicInteger();
        AtomicReference<String> lastPath = new AtomicReference<>();
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/jwt/v1/accounts/", ex -> {
            requests.incrementAndGet();
            lastPath.set(ex.getRequestURI().getPath());
            byte[] b = status.get() == 200 ? body.get().getBytes(UTF_8) : new byte[0];
            ex.sendResponseHeaders(status.get(), b.length == 0 ? -1 : b.length);
            if (b.length > 0) {
                ex.getResponseBody().write(b);
            }
            ex.close();
        });
        http.start();
        String base = "http://127.0.0.1:" + http.getAddress().getPort() + "/jwt/v1/accounts";
        broker = new TestBroker(settings(Map.of("type", "url", "url", base, "timeout", "2s", "cache-ttl", "1m",
                "stale-ttl", "10m")), clock);

        NKey user = Nats.user();
        broker.connect(auth(user, Nats.nowSeconds())).disconnect();
        assertThat(lastPath.get()).isEqualTo("/jwt/v1/accounts/" + Nats.pub(account));
        broker.connect(auth(user, Nats.nowSeconds())).disconnect();
        assertThat(requests.get()).isEqualTo(1); // cached

        clock.advance(Duration.ofMinutes(2));
        status.set(500);
        broker.connect(auth(user, Nats.nowSeconds())).disconnect(); // stale copy served
        assertThat(requests.get()).isEqualTo(2);

        clock.advance(Duration.ofMinutes(20));
        assertThat(broker.refusal(auth(user, Nats.nowSeconds()))).isEqualTo(0x88); // server unavailable

        status.set(404);
        clock.advance(Duration.ofMinutes(2));
        assertThat(broker.refusal(auth(user, Nats.nowSeconds()))).isEqualTo(0x87); // unknown account
    }

    @Test
    void aConnectBeyondTheFetchBoundIsRefusedAsServerUnavailableNotQueued() throws Exception {
        try (AccountServer server = new AccountServer()) {
            server.put(Nats.pub(account), accountJwt(Map.of()));
            broker = new TestBroker(settings(Map.of("type", "url", "url", server.url(), "max-concurrent-fetches", 1,
                    "cache-size", 100, "negative-ttl", "5s")), clock);
            server.hold();
            NKey user = Nats.user();
            var first = broker.client(auth(user, Nats.nowSeconds())).toAsync().connect();
            TestBroker.await(() -> server.requests() == 1, "the first account look-up to reach the server");

            NKey other = Nats.account();
            NKey u2 = Nats.user();
            server.put(Nats.pub(other), Nats.accountJwt(operator, other, Map.of()));
            assertThat(broker.refusal(NKeyAuthMechanism.of(NKeyIdentity.of(
                    Nats.userJwt(other, other, u2, Nats.claim(other)), Nats.seed(u2))))).isEqualTo(0x88);
            assertThat(server.requests()).isEqualTo(1);

            server.release();
            assertThat(first.get(10, java.util.concurrent.TimeUnit.SECONDS).getReasonCode().isError()).isFalse();
        }
    }
}
