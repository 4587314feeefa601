package dev.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gatehouse.authn.spi.AuthenticatorFactories;
import dev.gatehouse.authn.spi.acl.Permissions;
import dev.gatehouse.broker.AnonymousAccess;
import dev.gatehouse.broker.ListenerConfig;
import dev.gatehouse.broker.Transport;
import dev.gatehouse.config.passwd.PasswordFile;
import dev.gatehouse.config.passwd.PasswordHash;
import dev.gatehouse.broker.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every file in examples/ loads and validates, with the files it names created next to it. */
class ExamplesTest {
    static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    private Path copy(String name) throws Exception {
        return Files.copy(EXAMPLES.resolve(name), dir.resolve(name));
    }

    private static GatehouseSettings validate(Path file, Map<String, String> env) {
        return ConfiguredBroker.validate(GatehouseConfig.parseFile(file, env), ConfiguredBroker.Options.defaults());
    }

    @Test
    void everyExampleIsCovered() throws Exception {
        try (var files = Files.list(EXAMPLES)) {
            // configuration files only: examples/authenticator-example is a module of the build, tested there
            assertThat(files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("default.conf", "tls-ws.conf", "password-file.conf", "jwt.conf",
                            "persistent.conf");
        }
    }

    @Test
    void defaultIsTheLoopbackAnonymousDefaultOfTheJar() throws Exception {
        GatehouseSettings s = validate(copy("default.conf"), Map.of());
        assertThat(s.listeners()).containsExactly(ListenerConfig.tcp("default", "127.0.0.1", 1883)
                .withAnonymous(AnonymousAccess.LOOPBACK_ONLY).withAnonymousPermissions(Permissions.allowAll()));
    }

    @Test
    void defaultStaysInMemory() throws Exception {
        assertThat(validate(copy("default.conf"), Map.of()).persistence().enabled()).isFalse();
    }

    @Test
    void persistentStoresNextToTheFile() throws Exception {
        GatehouseSettings s = validate(copy("persistent.conf"), Map.of());
        assertThat(s.persistence().enabled()).isTrue();
        assertThat(s.persistence().dir()).isEqualTo(dir.resolve("data").toAbsolutePath().normalize());
        assertThat(s.persistence().sync()).isEqualTo(dev.gatehouse.store.rocksdb.StoreOptions.SyncMode.BATCH);
    }

    @Test
    void tlsAndWebSocket() throws Exception {
        Path certs = Files.createDirectories(dir.resolve("certs"));
        TestPki pki = new TestPki(certs);
        pki.issue("server", true);
        pki.caFile();
        GatehouseSettings s = validate(copy("tls-ws.conf"), Map.of());
        assertThat(s.listeners()).extracting(ListenerConfig::transport)
                .containsExactly(Transport.TCP, Transport.TLS, Transport.WS, Transport.WSS);
    }

    @Test
    void passwordFile() throws Exception {
        PasswordFile.upsert(dir.resolve("passwd"), "alice", PasswordHash.create(new byte[] {1}, 10, new SecureRandom()));
        GatehouseSettings s = validate(copy("password-file.conf"), Map.of());
        assertThat(s.authentication()).extracting(GatehouseSettings.AuthenticatorEntry::type)
                .containsExactly("password-file");
    }

    @Test
    void jwtWithTheSecretFromTheEnvironment() throws Exception {
        assumeTrue(AuthenticatorFactories.find("jwt", getClass().getClassLoader()).isPresent(),
                "the jwt authenticator is not on this module's class path; the app module checks this example");
        GatehouseSettings s = validate(copy("jwt.conf"),
                Map.of("GATEHOUSE_JWT_SECRET", "an-example-secret-of-at-least-32-bytes!"));
        assertThat(s.authentication()).extracting(GatehouseSettings.AuthenticatorEntry::type).containsExactly("jwt");
    }
}
