package dev.gatehouse.bench.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.bench.load.ConnectRateResult;
import dev.gatehouse.bench.load.ConnectRateRun;
import dev.gatehouse.bench.load.Credentials;
import dev.gatehouse.bench.load.Endpoint;
import dev.gatehouse.bench.load.BrokerProbe;
import dev.gatehouse.bench.proc.JvmHeap;
import dev.gatehouse.bench.proc.ProcStat;
import dev.gatehouse.config.BindAddress;
import dev.gatehouse.config.ConfiguredBroker;
import dev.gatehouse.config.GatehouseConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The generated configuration starts a broker the way {@code gatehouse run --config} does, and the load
 * generator's credentials get through it: shared, per-client, and anonymous (the listener allows it). A
 * tampered credential is refused, so the scenario really measures authentication. Tiny runs; no timing.
 */
@Timeout(60)
class AuthConnectEndToEndTest {
    private static final int CLIENTS = 20;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(AuthKind.class)
    void every_pass_connects_and_a_forged_credential_does_not(AuthKind kind) throws Exception {
        AuthMaterial material = AuthMaterial.generate(kind, CLIENTS, new SecureRandom());
        Path conf = material.writeConfig(dir);
        ConfiguredBroker broker = ConfiguredBroker.create(GatehouseConfig.parseFile(conf),
                ConfiguredBroker.Options.defaults().withBindOverride(new BindAddress("127.0.0.1", 0)));
        broker.start().join();
        try {
            Endpoint endpoint = Endpoint.loopback(broker.broker().port("bench"), 4);
            BrokerProbe probe = new BrokerProbe(ProcessHandle.current().pid(), false, ProcStat.system(),
                    new JvmHeap("jcmd"));
            ConnectRateRun run = new ConnectRateRun(endpoint, probe);
            int version = kind.mqttVersion();

            ConnectRateResult anon = run.run(CLIENTS, 5, version, i -> Credentials.ANONYMOUS, 20_000_000_000L);
            Credentials shared = material.shared();
            ConnectRateResult one = run.run(CLIENTS, 5, version, i -> shared, 20_000_000_000L);
            Credentials[] each = material.distinct(CLIENTS);
            ConnectRateResult distinct = run.run(CLIENTS, 5, version, i -> each[i], 20_000_000_000L);

            assertThat(anon.failed()).as(anon.firstFailure()).isZero();
            assertThat(one.failed()).as(one.firstFailure()).isZero();
            assertThat(distinct.failed()).as(distinct.firstFailure()).isZero();
            assertThat(Arrays.stream(each).map(c -> kind.jwt()
                    ? new String(c.password(), StandardCharsets.US_ASCII) : new String(c.authData(), StandardCharsets.US_ASCII))
                    .distinct().count()).isEqualTo(CLIENTS);

            ConnectRateResult forged = run.run(3, 3, version, i -> forge(kind, each[i]), 20_000_000_000L);
            assertThat(forged.connected()).isZero();
            assertThat(forged.firstFailure()).contains("CONNACK refused");
        } finally {
            broker.close();
        }
    }

    /** The same credential with its signature broken: a flipped last signature byte / a wrong nonce signature. */
    private static Credentials forge(AuthKind kind, Credentials good) {
        if (kind.jwt()) {
            byte[] token = good.password().clone();
            int last = token.length - 2; // a middle character of the last base64url group: always significant
            token[last] = (byte) (token[last] == 'A' ? 'B' : 'A');
            return Credentials.password(good.username(), token);
        }
        return Credentials.challenge(good.authMethod(), good.authData(), nonce -> {
            byte[] sig = good.challenge().apply(nonce);
            sig[0] ^= 1;
            return sig;
        });
    }
}
