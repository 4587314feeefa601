package dev.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.authn.spi.acl.Permissions;
import dev.gatehouse.config.passwd.PasswordFile;
import dev.gatehouse.config.passwd.PasswordHash;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ConfiguredBroker#rebuild}: a reload's settings and chain, built without touching the running broker. */
class RebuildTest {
    @TempDir
    Path dir;

    private ConfiguredBroker broker;

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private GatehouseConfig config(String hocon) {
        return GatehouseConfig.parseString(hocon, dir, Map.of());
    }

    @Test
    void rebuildValidatesAndBuildsANewChainWithoutChangingTheRunningOne() throws Exception {
        PasswordFile.upsert(dir.resolve("passwd"), "alice",
                PasswordHash.create("pw".getBytes(StandardCharsets.UTF_8), 1000, new SecureRandom()));
        broker = ConfiguredBroker.create(config("gatehouse.listeners = [ { name = m, bind = \"127.0.0.1:0\" } ]"),
                ConfiguredBroker.Options.defaults().withBindOverride(new BindAddress("127.0.0.1", 0)));
        broker.start().join();

        ConfiguredBroker.Rebuilt r = broker.rebuild(config("""
                gatehouse.listeners = [ { name = m, bind = "127.0.0.1:1" } ]
                gatehouse.default-permissions = allow-all
                gatehouse.authentication = [ { type = password-file, file = passwd } ]
                """));
        try {
            assertThat(r.authenticators()).extracting(ConfiguredBroker.Built::type).containsExactly("password-file");
            assertThat(r.settings().defaultPermissions()).isEqualTo(Permissions.allowAll());
            // The --bind override applies to a rebuild too, so listener comparisons see what is really bound.
            assertThat(r.settings().listeners().get(0).port()).isZero();
            assertThat(broker.broker().authenticators()).isEmpty();
        } finally {
            r.discard();
        }

        assertThatThrownBy(() -> broker.rebuild(config("""
                gatehouse.listeners = [ { name = m, bind = "127.0.0.1:0" } ]
                gatehouse.authentication = [ { type = password-file, file = missing } ]
                """))).isInstanceOf(ConfigException.class).hasMessageContaining("gatehouse.authentication.0");

        // A failed rebuild must not shut down the threads the running broker's authenticators share.
        ConfiguredBroker.Rebuilt again = broker.rebuild(config("""
                gatehouse.listeners = [ { name = m, bind = "127.0.0.1:0" } ]
                gatehouse.authentication = [ { type = password-file, file = passwd } ]
                """));
        again.discard();
    }
}
