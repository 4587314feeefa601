package dev.gatehouse.app;

import dev.gatehouse.config.BindAddress;
import dev.gatehouse.authn.spi.acl.Permissions;
import dev.gatehouse.broker.AnonymousAccess;
import dev.gatehouse.broker.Broker;
import dev.gatehouse.broker.ListenerConfig;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar gatehouse.jar [run] [--config FILE] [--bind HOST:PORT]}, {@code check-config FILE},
 * {@code passwd FILE USER}, {@code nkey generate|public}, {@code jwt mint}. With no subcommand the command is {@code run}; with no configuration the broker
 * listens on 127.0.0.1:1883 and admits anonymous clients from loopback addresses only.
 */
@Command(name = "gatehouse", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Gatehouse MQTT broker", subcommands = {RunCommand.class, CheckConfigCommand.class,
                PasswdCommand.class, NkeyCommand.class, JwtCommand.class})
public final class Main {
    private static final Logger log = LoggerFactory.getLogger(Main.class);
    static final String DEFAULT_BIND = "127.0.0.1:1883";
    /** Arguments that belong to the top-level command rather than an implicit {@code run}. */
    private static final Set<String> TOP_LEVEL = Set.of("-h", "--help", "-V", "--version");

    public static void main(String[] args) {
        Shutdown.install(); // from the start: a signal at any point still flushes the asynchronous log
        int code = run(args, System.out, System.err);
        Logging.flush(); // the log queue is asynchronous: drain it before the JVM exits
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Parses and runs; returns the process exit code (blocks while the broker runs). */
    static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cli = commandLine(out, err);
        return cli.execute(withImplicitRun(args, cli));
    }

    /** The command tree; a further tool is one more entry in {@code subcommands} above. */
    static CommandLine commandLine(PrintStream out, PrintStream err) {
        CommandLine cli = new CommandLine(new Main());
        // --role user, --alg eddsa: operators should not have to match the enum's spelling.
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cli.setParameterExceptionHandler((ex, a) -> {
            PrintWriter w = ex.getCommandLine().getErr();
            if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
                w.println("gatehouse: unknown argument '" + u.getUnmatched().get(0) + "'");
            } else {
                w.println("gatehouse: " + ex.getMessage());
            }
            ex.getCommandLine().usage(w);
            return 2;
        });
        cli.setExecutionExceptionHandler((ex, c, parsed) -> {
            c.getErr().println("gatehouse: " + ex.getMessage());
            return 1;
        });
        return cli;
    }

    /** No subcommand means {@code run}: {@code gatehouse --bind h:p} is {@code gatehouse run --bind h:p}. */
    private static String[] withImplicitRun(String[] args, CommandLine cli) {
        if (args.length > 0 && (cli.getSubcommands().containsKey(args[0]) || TOP_LEVEL.contains(args[0]))) {
            return args;
        }
        List<String> all = new ArrayList<>(args.length + 1);
        all.add("run");
        all.addAll(List.of(args));
        return all.toArray(String[]::new);
    }

    /**
     * The embedded default: one listener on {@code address}, anonymous clients admitted with full access
     * from loopback addresses only (whatever address is bound); {@link #announceDefault} logs that.
     */
    static Broker startDefault(BindAddress address) {
        return startDefault(address, java.time.Duration.ZERO);
    }

    static Broker startDefault(BindAddress address, java.time.Duration warmUp) {
        Broker broker = Broker.builder()
                .warmUp(warmUp)
                .sysInterval(java.time.Duration.ofSeconds(10))
                .listener(ListenerConfig.tcp("default", address.host(), address.port())
                        .withAnonymous(AnonymousAccess.LOOPBACK_ONLY)
                        .withAnonymousPermissions(Permissions.allowAll()))
                .build();
        broker.start().join();
        return broker;
    }

    /** The warning that the default broker admits anonymous loopback clients, with its address. */
    static void announceDefault(Broker broker) {
        log.warn("no configuration: anonymous clients are admitted from loopback addresses only, with full access; "
                + "listening on {}", broker.boundAddresses().get("default"));
    }

    /** {@code gatehouse VERSION (commit ID)}: both baked in at build time ({@link BuildInfo}). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {BuildInfo.current().describe()};
        }
    }

    static String version() {
        return BuildInfo.current().version();
    }
}
