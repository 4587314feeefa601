package dev.gatehouse.authn.jwt.jwks;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Where and how often to fetch a JWK Set.
 *
 * @param url             {@code https}, or {@code http} on a loopback host only
 * @param refreshInterval how often the set is re-fetched in the background
 * @param minRefreshGap   the least time between two fetches; an unknown {@code kid} triggers a fetch
 *                        only when the previous one is at least this old
 * @param connectTimeout  TCP/TLS connect timeout
 * @param readTimeout     time allowed for the response
 * @param caFile          PEM bundle of CA certificates to trust for the endpoint instead of the JVM's
 * @param maxBytes        the largest key set accepted
 */
public record JwksConfig(URI url, Duration refreshInterval, Duration minRefreshGap, Duration connectTimeout,
                         Duration readTimeout, Optional<Path> caFile, int maxBytes) {
    public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofMinutes(5);
    public static final Duration DEFAULT_MIN_REFRESH_GAP = Duration.ofSeconds(30);
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(5);
    public static final int DEFAULT_MAX_BYTES = 1024 * 1024;

    public JwksConfig {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(caFile, "caFile");
        requirePositive(refreshInterval, "refreshInterval");
        Objects.requireNonNull(minRefreshGap, "minRefreshGap");
        requirePositive(connectTimeout, "connectTimeout");
        requirePositive(readTimeout, "readTimeout");
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be positive");
        }
        String problem = urlProblem(url);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** A config with every default but the URL. */
    public static JwksConfig of(URI url) {
        return new JwksConfig(url, DEFAULT_REFRESH_INTERVAL, DEFAULT_MIN_REFRESH_GAP, DEFAULT_CONNECT_TIMEOUT,
                DEFAULT_READ_TIMEOUT, Optional.empty(), DEFAULT_MAX_BYTES);
    }

    public JwksConfig withMinRefreshGap(Duration gap) {
        return new JwksConfig(url, refreshInterval, gap, connectTimeout, readTimeout, caFile, maxBytes);
    }

    public JwksConfig withRefreshInterval(Duration interval) {
        return new JwksConfig(url, interval, minRefreshGap, connectTimeout, readTimeout, caFile, maxBytes);
    }

    /** Why a URL may not serve keys, or {@code null} when it may. */
    public static String urlProblem(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (url.getHost() == null) {
            return "must be an absolute https URL";
        }
        if (scheme.equals("https")) {
            return null;
        }
        if (scheme.equals("http")) {
            return isLoopback(url.getHost()) ? null
                    : "plain http is allowed only on a loopback host (127.0.0.1, ::1, localhost); use https";
        }
        return "must be an https URL, not " + (scheme.isEmpty() ? "a relative one" : scheme);
    }

    private static boolean isLoopback(String host) {
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (!h.matches("[0-9.]+") && !h.contains(":")) {
            return false; // never resolve a name here: only literal loopback addresses count
        }
        try {
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }
}
