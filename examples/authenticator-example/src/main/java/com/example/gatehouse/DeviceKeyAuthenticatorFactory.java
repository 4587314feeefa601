package com.example.gatehouse;

import dev.gatehouse.authn.spi.Authenticator;
import dev.gatehouse.authn.spi.AuthenticatorContext;
import dev.gatehouse.authn.spi.AuthenticatorFactory;
import dev.gatehouse.authn.spi.Settings;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code { type = device-key, secret-env = DEVICE_KEY_SECRET, topic-root = devices }}: found by ServiceLoader
 * through {@code META-INF/services/dev.gatehouse.authn.spi.AuthenticatorFactory}.
 */
public final class DeviceKeyAuthenticatorFactory implements AuthenticatorFactory {
    private final Function<String, String> environment;

    /** The constructor ServiceLoader calls: secrets come from the process environment. */
    public DeviceKeyAuthenticatorFactory() {
        this(System::getenv);
    }

    /** For tests: an environment of their own. */
    DeviceKeyAuthenticatorFactory(Map<String, String> environment) {
        this(environment::get);
    }

    private DeviceKeyAuthenticatorFactory(Function<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public String type() {
        return "device-key";
    }

    @Override
    public Authenticator create(Settings settings, AuthenticatorContext context) {
        // The secret never sits in the configuration file: the file names the variable that holds it.
        String variable = settings.getString("secret-env");
        String secret = environment.apply(variable);
        if (secret == null || secret.isEmpty()) {
            // Reported as "gatehouse.authentication.N.secret-env: ..." by check-config and run.
            throw settings.problem("secret-env", "environment variable " + variable + " is not set or empty");
        }
        String root = settings.getString("topic-root", "devices");
        if (root.isEmpty() || root.contains("+") || root.contains("#") || root.endsWith("/")) {
            throw settings.problem("topic-root", "must be a plain topic prefix without wildcards or trailing '/'");
        }
        return new DeviceKeyAuthenticator(secret.getBytes(StandardCharsets.UTF_8), root);
    }
}
