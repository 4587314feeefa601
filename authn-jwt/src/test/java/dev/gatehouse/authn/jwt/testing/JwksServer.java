package dev.gatehouse.authn.jwt.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** A real JWKS endpoint on loopback: serves a settable key set, counts requests, can go down. */
public final class JwksServer implements AutoCloseable {
    private final HttpServer server;
    private final AtomicReference<String> body = new AtomicReference<>("{\"keys\":[]}");
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicBoolean down = new AtomicBoolean();

    public JwksServer(String json) throws IOException {
        body.set(json);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            byte[] out;
            int status;
            if (down.get()) {
                status = 503;
                out = "down".getBytes(StandardCharsets.UTF_8);
            } else if (!exchange.getRequestURI().getPath().equals("/jwks.json")) {
                status = 404;
                out = "not found".getBytes(StandardCharsets.UTF_8);
            } else {
                status = 200;
                out = body.get().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
            }
            exchange.sendResponseHeaders(status, out.length);
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(out);
            }
        });
        server.start();
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json");
    }

    /** The base URL of this server with another path (for jku/x5u attacks). */
    public URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    public void serve(String json) {
        body.set(json);
    }

    public void down(boolean isDown) {
        down.set(isDown);
    }

    public int requests() {
        return requests.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
