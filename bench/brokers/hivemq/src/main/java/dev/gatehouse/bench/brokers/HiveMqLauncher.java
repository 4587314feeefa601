package dev.gatehouse.bench.brokers;

import com.hivemq.embedded.EmbeddedHiveMQ;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs HiveMQ CE embedded for the benchmark: one TCP listener on the given loopback address, anonymous usage
 * statistics off (CE admits anonymous clients unless an extension says otherwise). Persistence is in-memory unless
 * the fourth argument says {@code file} (HiveMQ CE's own default: sessions, queued and retained messages on disk
 * under WORKDIR/data); the optional fifth raises the per-client queue ({@code max-queue-size}, default 1000).
 * Stops on SIGTERM (the harness stops it by PID), HiveMQ shutting down its persistence cleanly.
 */
public final class HiveMqLauncher {
    private HiveMqLauncher() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3 || args.length > 5) {
            System.err.println("usage: HiveMqLauncher HOST PORT WORKDIR [in-memory|file [MAX_QUEUE_SIZE]]");
            System.exit(2);
        }
        String mode = args.length > 3 ? args[3] : "in-memory";
        if (!mode.equals("in-memory") && !mode.equals("file")) {
            System.err.println("persistence mode must be in-memory or file: " + mode);
            System.exit(2);
        }
        String queue = args.length > 4
                ? "  <mqtt><queued-messages><max-queue-size>" + Long.parseLong(args[4])
                        + "</max-queue-size><strategy>discard</strategy></queued-messages></mqtt>\n"
                : "";
        Path work = Path.of(args[2]);
        Path conf = Files.createDirectories(work.resolve("conf"));
        Path data = Files.createDirectories(work.resolve("data"));
        Path extensions = Files.createDirectories(work.resolve("extensions"));
        String xml = "<?xml version=\"1.0\"?>\n"
                + "<hivemq>\n"
                + "  <listeners>\n"
                + "    <tcp-listener><port>" + args[1] + "</port><bind-address>" + args[0] + "</bind-address></tcp-listener>\n"
                + "  </listeners>\n"
                + queue
                + "  <persistence><mode>" + mode + "</mode></persistence>\n"
                + "  <anonymous-usage-statistics><enabled>false</enabled></anonymous-usage-statistics>\n"
                + "</hivemq>\n";
        Files.writeString(conf.resolve("config.xml"), xml, StandardCharsets.UTF_8);
        EmbeddedHiveMQ hivemq = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(conf)
                .withDataFolder(data)
                .withExtensionsFolder(extensions)
                .build();
        hivemq.start().join();
        System.out.println("hivemq listening on " + args[0] + ":" + args[1] + ", persistence " + mode);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            hivemq.stop().join();
            stopped.countDown();
        }, "hivemq-stop"));
        stopped.await();
    }
}
