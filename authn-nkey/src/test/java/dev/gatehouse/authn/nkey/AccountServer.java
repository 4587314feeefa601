package dev.gatehouse.authn.nkey;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A NATS account server on loopback: {@code GET /accounts/<key>} answers 200 with the JWT put here, else
 * 404. Counts requests, can hold every answer until {@link #release()}, and runs a hook on each request
 * (while the resolver waits for it). Handlers run on their own threads so held requests overlap.
 */
final class AccountServer implements AutoCloseable {
    private final HttpServer http;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final Map<String, String> jwts = new ConcurrentHashMap<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicReference<CountDownLatch> gate = new AtomicReference<>(new CountDownLatch(0));
    private volatile Runnable onRequest = () -> { };

    AccountServer() throws IOException {
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.setExecutor(threads);
        http.createContext("/accounts/", ex -> {
            requests.incrementAndGet();
            onRequest.run();
            try {
                gate.get().await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            String key = ex.getRequestURI().getPath().substring("/accounts/".length());
            String jwt = jwts.get(key);
            if (jwt == null) {
                ex.sendResponseHeaders(404, -1);
            } else {
                byte[] b = jwt.getBytes(UTF_8);
                ex.sendResponseHeaders(200, b.length);
                ex.getResponseBody().write(b);
            }
            ex.close();
        });
        http.start();
    }

    String url() {
        return "http://127.0.0.1:" + http.getAddress().getPort() + "/accounts/";
    }

    void put(String account, String jwt) {
        jwts.put(account, jwt);
    }

    int requests() {
        return requests.get();
    }

    /** Hold every answer from now on until {@link #release()}. */
    void hold() {
        gate.set(new CountDownLatch(1));
    }

    void release() {
        gate.get().countDown();
    }

    void onRequest(Runnable hook) {
        this.onRequest = hook;
    }

    @Override
    public void close() {
        release();
        http.stop(0);
        threads.shutdownNow();
    }
}
