package dev.gatehouse.bench.jmh;

import dev.gatehouse.authn.spi.acl.AccessResult;
import dev.gatehouse.authn.spi.acl.Action;
import dev.gatehouse.authn.spi.acl.CompiledPermissions;
import dev.gatehouse.authn.spi.acl.Permissions;
import dev.gatehouse.authn.spi.acl.PlaceholderValues;
import dev.gatehouse.authn.spi.acl.SubscribeResult;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link CompiledPermissions} checks as every PUBLISH and SUBSCRIBE runs them: a typical device ACL of a
 * dozen rules with placeholders, the allowed rule near the end (the worst realistic case for first-match).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PermissionBenchmark {
    private CompiledPermissions permissions;

    @Setup
    public void setUp() {
        Permissions.Builder b = Permissions.builder();
        for (int i = 0; i < 10; i++) {
            b.deny(Action.ALL, "restricted/" + i + "/#");
        }
        b.allow(Action.SUBSCRIBE, "devices/${clientid}/cmd/#");
        b.allow(Action.PUBLISH, "devices/${clientid}/+/telemetry");
        b.allow(Action.PUBLISH, "users/${username}/#");
        permissions = b.build().compile(PlaceholderValues.of("dev-42", "alice", null));
    }

    @Benchmark
    public AccessResult publishAllowed() {
        return permissions.checkPublish("devices/dev-42/engine/telemetry", 1, false);
    }

    @Benchmark
    public AccessResult publishDeniedByDefault() {
        return permissions.checkPublish("devices/dev-43/engine/telemetry", 1, false);
    }

    @Benchmark
    public SubscribeResult subscribeAllowed() {
        return permissions.checkSubscribe("devices/dev-42/cmd/+", 1);
    }
}
