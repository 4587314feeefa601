package dev.gatehouse.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import dev.gatehouse.authn.nkey.codec.NKeyPair;
import dev.gatehouse.authn.nkey.codec.NKeyType;
import dev.gatehouse.authn.nkey.codec.PublicNKey;
import dev.gatehouse.config.BindAddress;
import dev.gatehouse.config.ConfiguredBroker;
import dev.gatehouse.config.GatehouseConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nkey} and {@code jwt mint} as a separate JVM; the minted token checked by the real jwt authenticator. */
class DeveloperToolsProcessTest {
    private static final Path JWT_EXAMPLE = Path.of("..", "examples", "jwt.conf").toAbsolutePath().normalize();
    private static final String SECRET = "a-tour-secret-of-at-least-32-bytes!!";

    @TempDir
    Path dir;

    private CliProcessTest.Result run(Map<String, String> env, String... args) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                "dev.gatehouse.app.Main"));
        cmd.addAll(List.of(args));
        Path out = dir.resolve("out-" + System.nanoTime());
        Path err = dir.resolve("err-" + System.nanoTime());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().remove("GATEHOUSE_JWT_SECRET");
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("gatehouse " + String.join(" ", args) + " did not finish");
        }
        return new CliProcessTest.Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void nkeyGenerateWritesAnOwnerOnlySeedWhosePublicKeyNkeyPublicPrints() throws Exception {
        Path seed = dir.resolve("op.nk");
        CliProcessTest.Result gen = run(Map.of(), "nkey", "generate", "--role", "operator", "--out", seed.toString());
        assertThat(gen.code()).as(gen.err()).isZero();
        String pub = gen.out().strip();
        assertThat(PublicNKey.isValid(pub, NKeyType.OPERATOR)).as(pub).isTrue();
        // Only the public key goes to stdout: the seed (an "SO..." string) stays in the file.
        assertThat(gen.out().strip().split("\n")).hasSize(1);
        assertThat(gen.out()).doesNotContain(Files.readString(seed).strip());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(seed))).isEqualTo("rw-------");
        assertThat(NKeyPair.fromSeed(Files.readString(seed).strip(), NKeyType.OPERATOR).publicKey().encoded())
                .isEqualTo(pub);

        CliProcessTest.Result shown = run(Map.of(), "nkey", "public", seed.toString());
        assertThat(shown.code()).as(shown.err()).isZero();
        assertThat(shown.out().strip()).isEqualTo(pub);

        CliProcessTest.Result again = run(Map.of(), "nkey", "generate", "--role", "user", "--out", seed.toString());
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).contains("already exists");

        CliProcessTest.Result toStdout = run(Map.of(), "nkey", "generate", "--role", "user");
        assertThat(toStdout.code()).isZero();
        String[] lines = toStdout.out().strip().split("\n");
        assertThat(lines).hasSize(2);
        assertThat(NKeyPair.fromSeed(lines[0], NKeyType.USER).publicKey().encoded()).isEqualTo(lines[1]);
        assertThat(toStdout.err()).contains("warning").contains("--out").doesNotContain(lines[0]);
    }

    @Test
    void aTokenMintedFromTheEnvironmentIsAcceptedByTheTourConfigAndItsAclEnforced() throws Exception {
        CliProcessTest.Result mint = run(Map.of("GATEHOUSE_JWT_SECRET", SECRET), "jwt", "mint", "--alg", "HS256",
                "--secret-env", "GATEHOUSE_JWT_SECRET", "--sub", "dev-7", "--iss", "https://auth.example.com",
                "--exp", "1h", "--acl-json", "{\"pub\":[\"devices/dev-7/#\"],\"sub\":[\"devices/#\"]}");
        assertThat(mint.code()).as(mint.err()).isZero();
        String token = mint.out().strip();
        assertThat(token.split("\\.")).hasSize(3);
        assertThat(mint.out() + mint.err()).doesNotContain(SECRET);

        // The README's tour: examples/jwt.conf, secret from the environment, bound to loopback.
        try (ConfiguredBroker broker = ConfiguredBroker.create(
                GatehouseConfig.parseFile(JWT_EXAMPLE, Map.of("GATEHOUSE_JWT_SECRET", SECRET)),
                ConfiguredBroker.Options.defaults().withBindOverride(new BindAddress("127.0.0.1", 0)))) {
            broker.start().join();
            Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier("dev-7")
                    .serverHost("127.0.0.1").serverPort(broker.broker().port("main")).buildBlocking();
            c.connectWith().simpleAuth().username("dev-7").password(token.getBytes(StandardCharsets.UTF_8))
                    .applySimpleAuth().send();
            Mqtt5BlockingClient.Mqtt5Publishes received = c.publishes(MqttGlobalPublishFilter.ALL);
            c.subscribeWith().topicFilter("devices/#").qos(MqttQos.AT_LEAST_ONCE).send();
            Mqtt5PublishResult allowed = c.publishWith().topic("devices/dev-7/temp").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(new byte[] {21}).send();
            assertThat(((Mqtt5PublishResult.Mqtt5Qos1Result) allowed).getPubAck().getReasonCode())
                    .isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
            assertThat(received.receive(10, TimeUnit.SECONDS)).hasValueSatisfying(
                    m -> assertThat(m.getTopic().toString()).isEqualTo("devices/dev-7/temp"));
            // Outside the token's acl claim: PUBACK 0x87, which the blocking client raises as an exception.
            assertThatThrownBy(() -> c.publishWith().topic("devices/dev-8/temp").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(new byte[] {22}).send()).isInstanceOfSatisfying(Mqtt5PubAckException.class,
                            e -> assertThat(e.getMqttMessage().getReasonCode())
                                    .isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED));
            received.close();
            c.disconnect();
        }
    }

    @Test
    void jwtMintTakesNoSecretFromTheCommandLineAndNamesAMissingVariable() throws Exception {
        CliProcessTest.Result bare = run(Map.of(), "jwt", "mint", "--alg", "HS256", "--secret", SECRET, "--sub", "x");
        assertThat(bare.code()).isEqualTo(2);
        assertThat(bare.err()).contains("unknown argument '--secret'");

        CliProcessTest.Result unset = run(Map.of(), "jwt", "mint", "--alg", "HS256", "--secret-env",
                "GATEHOUSE_JWT_SECRET", "--sub", "x");
        assertThat(unset.code()).isEqualTo(1);
        assertThat(unset.err()).contains("environment variable GATEHOUSE_JWT_SECRET is not set");

        CliProcessTest.Result tooShort = run(Map.of("GATEHOUSE_JWT_SECRET", "short"), "jwt", "mint", "--alg", "HS256",
                "--secret-env", "GATEHOUSE_JWT_SECRET", "--sub", "x");
        assertThat(tooShort.code()).isEqualTo(1);
        assertThat(tooShort.err()).contains("is 5 bytes").doesNotContain("short\n");
    }
}
