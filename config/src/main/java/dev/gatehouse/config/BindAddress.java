package dev.gatehouse.config;

/**
 * A {@code HOST:PORT} listener address; IPv6 hosts in brackets, {@code [::1]:1883}.
 *
 * @param host the address to bind
 * @param port 0..65535; 0 picks a free port
 */
public record BindAddress(String host, int port) {

    /** Parse {@code HOST:PORT} or {@code [IPv6]:PORT}. */
    public static BindAddress parse(String text) {
        String host;
        String port;
        if (text.startsWith("[")) {
            int end = text.indexOf("]:");
            if (end < 0) {
                throw new IllegalArgumentException("expected [IPv6]:PORT but found \"" + text + "\"");
            }
            host = text.substring(1, end);
            port = text.substring(end + 2);
        } else {
            int colon = text.lastIndexOf(':');
            if (colon <= 0 || text.indexOf(':') != colon) {
                throw new IllegalArgumentException("expected HOST:PORT but found \"" + text + "\"");
            }
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port must be a number but found \"" + port + "\"");
        }
        if (p < 0 || p > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, not " + p);
        }
        return new BindAddress(host, p);
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
