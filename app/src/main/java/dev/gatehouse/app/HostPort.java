package dev.gatehouse.app;

/** A {@code HOST:PORT} command-line value; IPv6 hosts are written in brackets, {@code [::1]:1883}. */
record HostPort(String host, int port) {

    static HostPort parse(String text) {
        String host;
        String port;
        if (text.startsWith("[")) {
            int end = text.indexOf("]:");
            if (end < 0) {
                throw new IllegalArgumentException("expected [IPv6]:PORT, got '" + text + "'");
            }
            host = text.substring(1, end);
            port = text.substring(end + 2);
        } else {
            int colon = text.lastIndexOf(':');
            if (colon <= 0 || text.indexOf(':') != colon) {
                throw new IllegalArgumentException("expected HOST:PORT, got '" + text + "'");
            }
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port must be a number, got '" + port + "'");
        }
        if (p < 0 || p > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + p);
        }
        return new HostPort(host, p);
    }
}
