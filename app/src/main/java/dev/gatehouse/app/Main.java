package dev.gatehouse.app;

import dev.gatehouse.authn.spi.acl.Permissions;
import dev.gatehouse.broker.AnonymousAccess;
import dev.gatehouse.broker.Broker;
import dev.gatehouse.broker.ListenerConfig;
import java.io.PrintStream;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar gatehouse.jar [run] [--bind HOST:PORT]}: with no configuration the broker listens on
 * 127.0.0.1:1883 and admits anonymous clients from loopback addresses only.
 */
public final class Main {
    private static final Logger log = LoggerFactory.getLogger(Main.class);
    static final String DEFAULT_BIND = "127.0.0.1:1883";

    private Main() {
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Parses and runs; returns the process exit code (blocks while the broker runs). */
    static int run(String[] args, PrintStream out, PrintStream err) {
        String bind = DEFAULT_BIND;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "run" -> {
                    if (i != 0) {
                        err.println("gatehouse: 'run' must come first");
                        return 2;
                    }
                }
                case "--bind" -> {
                    if (i + 1 >= args.length) {
                        err.println("gatehouse: --bind needs HOST:PORT");
                        return 2;
                    }
                    bind = args[++i];
                }
                case "-h", "--help" -> {
                    usage(out);
                    return 0;
                }
                case "--config" -> {
                    err.println("gatehouse: --config is not supported by this build yet; "
                            + "run without it for the embedded default");
                    return 2;
                }
                default -> {
                    err.println("gatehouse: unknown argument '" + a + "'");
                    usage(err);
                    return 2;
                }
            }
        }
        HostPort hp;
        try {
            hp = HostPort.parse(bind);
        } catch (IllegalArgumentException e) {
            err.println("gatehouse: --bind: " + e.getMessage());
            return 2;
        }
        Broker broker;
        try {
            broker = startDefault(hp);
        } catch (CompletionException e) {
            err.println("gatehouse: " + (e.getCause() == null ? e : e.getCause()).getMessage());
            return 1;
        }
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.stop().join();
            done.countDown();
        }, "gatehouse-shutdown"));
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /**
     * The embedded default: one listener on {@code hp}, anonymous clients admitted with full access
     * from loopback addresses only (whatever address is bound), and a log line that says so.
     */
    static Broker startDefault(HostPort hp) {
        Broker broker = Broker.builder()
                .listener(ListenerConfig.tcp("default", hp.host(), hp.port())
                        .withAnonymous(AnonymousAccess.LOOPBACK_ONLY)
                        .withAnonymousPermissions(Permissions.allowAll()))
                .build();
        broker.start().join();
        log.warn("no configuration: anonymous clients are admitted from loopback addresses only, with full access; "
                + "listening on {}", broker.boundAddresses().get("default"));
        return broker;
    }

    private static void usage(PrintStream out) {
        out.println("usage: java -jar gatehouse.jar [run] [--bind HOST:PORT]");
        out.println("  with no configuration: listens on " + DEFAULT_BIND
                + " and admits anonymous clients from loopback only");
    }
}
