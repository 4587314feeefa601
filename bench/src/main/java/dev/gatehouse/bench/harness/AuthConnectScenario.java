package dev.gatehouse.bench.harness;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipFile;

/**
 * The hook for connection rate with credentials (JWT HS256 / RS256 / ES256 in the password, NKey
 * challenge over MQTT 5 AUTH). It runs once the app jar carries the authenticator and can be told to
 * use it; until then it prints why it was skipped. When it becomes available: give
 * {@link dev.gatehouse.bench.load.ConnectRateRun#run} a per-client {@code Credentials} factory that
 * mints the token (or answers the challenge), start Gatehouse with the matching config, and compare
 * against the anonymous rate.
 */
public final class AuthConnectScenario implements Scenario {
    private final String name;
    private final String module;
    private final String factoryClass;
    private final Path gatehouseJar;

    public AuthConnectScenario(String name, String module, String factoryClass, Path gatehouseJar) {
        this.name = name;
        this.module = module;
        this.factoryClass = factoryClass;
        this.gatehouseJar = gatehouseJar;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String unavailableReason(BrokerKind kind) {
        if (kind != BrokerKind.GATEHOUSE) {
            return "not comparable: " + kind.label() + " has no built-in equivalent";
        }
        if (!jarHas(factoryClass.replace('.', '/') + ".class")) {
            return "not available yet: " + module + " is not in the app jar";
        }
        return "not available yet: the app jar has no way (--config) to enable " + module + " for a run";
    }

    private boolean jarHas(String entry) {
        try (ZipFile zip = new ZipFile(gatehouseJar.toFile())) {
            return zip.getEntry(entry) != null;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public List<Metric> run(ScenarioContext ctx) {
        throw new IllegalStateException(name + " is not runnable yet");
    }
}
