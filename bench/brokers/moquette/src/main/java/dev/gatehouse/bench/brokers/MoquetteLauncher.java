package dev.gatehouse.bench.brokers;

import io.moquette.BrokerConstants;
import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * Runs Moquette for the benchmark: one TCP listener on the given loopback address, anonymous clients,
 * in-memory only, no telemetry. Stops on SIGTERM (the harness stops it by PID).
 */
public final class MoquetteLauncher {
    private MoquetteLauncher() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: MoquetteLauncher HOST PORT");
            System.exit(2);
        }
        Properties p = new Properties();
        p.setProperty(BrokerConstants.HOST_PROPERTY_NAME, args[0]);
        p.setProperty(BrokerConstants.PORT_PROPERTY_NAME, args[1]);
        p.setProperty(BrokerConstants.WEB_SOCKET_PORT_PROPERTY_NAME, BrokerConstants.DISABLED_PORT_BIND);
        p.setProperty(BrokerConstants.ALLOW_ANONYMOUS_PROPERTY_NAME, "true");
        p.setProperty(BrokerConstants.PERSISTENCE_ENABLED_PROPERTY_NAME, "false");
        p.setProperty(BrokerConstants.ENABLE_TELEMETRY_NAME, "false");
        Server server = new Server();
        server.startServer(new MemoryConfig(p));
        System.out.println("moquette listening on " + args[0] + ":" + args[1]);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stopServer();
            stopped.countDown();
        }, "moquette-stop"));
        stopped.await();
    }
}
