package dev.gatehouse.authn.spi;

/**
 * Builds an {@link Authenticator} of one type from settings. Implementations are found with
 * {@link java.util.ServiceLoader}: list the class in
 * {@code META-INF/services/dev.gatehouse.authn.spi.AuthenticatorFactory}. A configuration entry
 * {@code {type = jwt, ...}} picks the factory whose {@link #type()} is {@code jwt}.
 */
public interface AuthenticatorFactory {

    /** The type name used in configuration, e.g. {@code jwt} or {@code nkey}. Lower case. */
    String type();

    /**
     * Build an authenticator. Invalid settings are reported by throwing {@link SettingsException}
     * naming the setting's path; the typed getters of {@link Settings} already do so.
     */
    Authenticator create(Settings settings, AuthenticatorContext context);
}
