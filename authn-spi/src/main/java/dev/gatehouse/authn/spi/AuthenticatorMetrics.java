package dev.gatehouse.authn.spi;

/**
 * Where an authenticator reports fetches from the sources it depends on (a JWKS endpoint, a NATS account server),
 * so that the host can count them and their failures without the authenticator, or this SPI, depending on a
 * metrics library. Get it from {@link AuthenticatorContext#metrics()}; it is never null.
 *
 * <p>Keep {@code source} to a fixed word per kind of source ({@code jwks}, {@code account-resolver}): it becomes
 * a metric label, so never put a URL, key id or account in it.
 */
@FunctionalInterface
public interface AuthenticatorMetrics {

    /** Reports nothing. */
    AuthenticatorMetrics NONE = (source, succeeded) -> {
    };

    /**
     * A fetch from {@code source} ended, in success or failure (an unreachable endpoint, an HTTP error, an
     * unusable answer). Called from the thread that fetched; must be quick and must not throw.
     */
    void fetched(String source, boolean succeeded);
}
