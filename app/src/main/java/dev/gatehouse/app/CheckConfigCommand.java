package dev.gatehouse.app;

import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.ConfiguredBroker;
import dev.gatehouse.config.GatehouseConfig;
import dev.gatehouse.config.GatehouseSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code gatehouse check-config FILE}: validate everything {@code run} would (authenticators included) without
 * opening a port, print the effective configuration with secrets masked; exit 0 when valid, 1 otherwise.
 */
@Command(name = "check-config", mixinStandardHelpOptions = true,
        description = "Validate a configuration file and print it with defaults filled in and secrets masked.")
final class CheckConfigCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "HOCON configuration file.")
    Path file;

    @Option(names = "--plugins", paramLabel = "DIR",
            description = "Load authenticator jars from this directory, as run --plugins does.")
    Path plugins;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            GatehouseConfig config = GatehouseConfig.parseFile(file);
            ConfiguredBroker.Options options = ConfiguredBroker.Options.defaults();
            if (plugins != null) {
                options = options.withClassLoader(Plugins.loader(plugins));
            }
            GatehouseSettings s = ConfiguredBroker.validate(config, options);
            out.println(config.render(true));
            out.println("# " + file + ": OK (" + s.listeners().size() + " listener(s), " + s.authentication().size()
                    + " authenticator(s), " + s.persistence().describe() + ")");
            return 0;
        } catch (ConfigException e) {
            e.problems().forEach(p -> err.println(p));
            err.println("gatehouse: " + file + ": " + e.problems().size() + " problem(s)");
            return 1;
        }
    }
}
