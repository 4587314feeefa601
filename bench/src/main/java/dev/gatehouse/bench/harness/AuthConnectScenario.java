package dev.gatehouse.bench.harness;

import dev.gatehouse.bench.auth.AuthKind;
import dev.gatehouse.bench.auth.AuthMaterial;
import dev.gatehouse.bench.load.ConnectRateResult;
import dev.gatehouse.bench.load.ConnectRateRun;
import dev.gatehouse.bench.load.Credentials;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipFile;

/**
 * Connection rate with credentials: JWT HS256 / RS256 / ES256 in the CONNECT password ({@code from =
 * password}, MQTT 3.1.1), or the NKey challenge over MQTT 5 AUTH (static users). Gatehouse only: the other
 * brokers have no built-in equivalent.
 *
 * <p>Each scenario starts its own Gatehouse with a configuration written for this run (fresh keys, see
 * {@link AuthMaterial}) and measures, in every rep and on that same process, three passes of N clients:
 * anonymous (the authenticator abstains, the listener admits), one shared credential, and one credential
 * per client. For JWT the shared token is verified once and then served from the authenticator's
 * verified-token cache; the distinct tokens are minted per pass, never seen before, so every connect pays
 * a real signature check ("cold"). NKey has no cache: every connect draws a nonce and verifies an Ed25519
 * signature, and the client signs it inside the measured phase (the generator's cost, not the broker's).
 * Ratios are to the anonymous pass of the same rep.
 */
public final class AuthConnectScenario implements Scenario {
    private final String name;
    private final AuthKind auth;
    private final int clients;
    private final int concurrency;
    private final Path gatehouseJar;
    private AuthMaterial material;

    public AuthConnectScenario(AuthKind auth, int clients, int concurrency, Path gatehouseJar) {
        this.name = "connection rate, " + auth.label() + ", " + clients + " clients";
        this.auth = auth;
        this.clients = clients;
        this.concurrency = concurrency;
        this.gatehouseJar = gatehouseJar;
    }

    @Override
    public String name() {
        return name;
    }

    public AuthKind auth() {
        return auth;
    }

    @Override
    public String unavailableReason(BrokerKind kind) {
        if (kind != BrokerKind.GATEHOUSE) {
            return "not comparable: " + kind.label() + " has no built-in equivalent";
        }
        if (!jarHas(auth.factoryClass().replace('.', '/') + ".class")) {
            return "not available: " + auth.module() + " is not in " + gatehouseJar;
        }
        return null;
    }

    private boolean jarHas(String entry) {
        try (ZipFile zip = new ZipFile(gatehouseJar.toFile())) {
            return zip.getEntry(entry) != null;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public boolean freshBroker() {
        return true;
    }

    @Override
    public String configName() {
        return "gatehouse-" + auth.id();
    }

    /** Generates this run's keys (once) and writes the configuration that trusts them. */
    @Override
    public Path gatehouseConfig(Path dir) throws IOException {
        if (material == null) {
            material = AuthMaterial.generate(auth, auth.jwt() ? 0 : clients, new SecureRandom());
        }
        return material.writeConfig(dir);
    }

    @Override
    public List<Metric> run(ScenarioContext ctx) throws IOException {
        if (material == null) {
            throw new IllegalStateException(name + ": no configuration was written (gatehouseConfig not called)");
        }
        ConnectRateRun runner = new ConnectRateRun(ctx.endpoint(), ctx.probe());
        int version = auth.mqttVersion();
        long timeout = 120_000_000_000L;
        ConnectRateResult anon = runner.run(clients, concurrency, version, i -> Credentials.ANONYMOUS, timeout);
        Credentials one = material.shared();
        ConnectRateResult shared = runner.run(clients, concurrency, version, i -> one, timeout);
        Credentials[] each = material.distinct(clients);
        ConnectRateResult distinct = runner.run(clients, concurrency, version, i -> each[i], timeout);
        report(ctx, "anonymous", anon);
        report(ctx, auth.sharedLabel(), shared);
        report(ctx, auth.distinctLabel(), distinct);

        List<Metric> m = new ArrayList<>();
        String anonLabel = "anonymous, same broker";
        m.add(Metric.higher(anonLabel + ": connections/s", "conn/s", anon.perSecond()));
        m.add(Metric.higher(auth.sharedLabel() + ": connections/s", "conn/s", shared.perSecond()));
        m.add(Metric.higher(auth.distinctLabel() + ": connections/s", "conn/s", distinct.perSecond()));
        m.add(Metric.higher(anonLabel + ": connections per broker CPU-s", "conn/CPU-s", anon.perCpuSecond()));
        m.add(Metric.higher(auth.sharedLabel() + ": connections per broker CPU-s", "conn/CPU-s", shared.perCpuSecond()));
        m.add(Metric.higher(auth.distinctLabel() + ": connections per broker CPU-s", "conn/CPU-s", distinct.perCpuSecond()));
        m.add(Metric.higher(auth.sharedLabel() + " / anonymous, connections/s", "ratio", ratio(shared.perSecond(), anon.perSecond())));
        m.add(Metric.higher(auth.distinctLabel() + " / anonymous, connections/s", "ratio", ratio(distinct.perSecond(), anon.perSecond())));
        m.add(Metric.higher(auth.sharedLabel() + " / anonymous, per broker CPU-s", "ratio", ratio(shared.perCpuSecond(), anon.perCpuSecond())));
        m.add(Metric.higher(auth.distinctLabel() + " / anonymous, per broker CPU-s", "ratio", ratio(distinct.perCpuSecond(), anon.perCpuSecond())));
        m.add(Metric.lower(anonLabel + ": p99 CONNECT->CONNACK", "ms", anon.connectLatency().p99() / 1e6));
        m.add(Metric.lower(auth.sharedLabel() + ": p99 CONNECT->CONNACK", "ms", shared.connectLatency().p99() / 1e6));
        m.add(Metric.lower(auth.distinctLabel() + ": p99 CONNECT->CONNACK", "ms", distinct.connectLatency().p99() / 1e6));
        m.add(Metric.lower("failed, all three passes", "conns", anon.failed() + shared.failed() + distinct.failed()));
        return m;
    }

    private void report(ScenarioContext ctx, String pass, ConnectRateResult r) {
        if (r.failed() > 0) {
            ctx.note().accept(name + ", " + pass + ": " + r.failed() + " of " + r.attempted() + " failed, first: "
                    + r.firstFailure());
        }
    }

    private static double ratio(double a, double b) {
        return b > 0 && !Double.isNaN(a) ? a / b : Double.NaN;
    }
}
