package dev.gatehouse.bench.load;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Where the broker listens and which loopback source addresses clients use: spreading clients over
 * 127.0.0.2 .. 127.0.0.(1+sources) gives each its own ephemeral port range, so tens of thousands of
 * connections (and TIME_WAITs after a connection-rate run) do not exhaust one address's ports.
 */
public record Endpoint(InetSocketAddress broker, int sources) {
    public Endpoint {
        if (!broker.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("loopback only: " + broker);
        }
        if (sources < 0 || sources > 250) {
            throw new IllegalArgumentException("sources must be 0..250");
        }
    }

    public static Endpoint loopback(int port, int sources) {
        return new Endpoint(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), sources);
    }

    /** Source address for client {@code i}, or null (kernel's choice) when sources is 0. */
    public InetSocketAddress sourceFor(int i) {
        if (sources == 0) {
            return null;
        }
        int last = 2 + Math.floorMod(i, sources);
        try {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last}), 0);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
