package dev.gatehouse.app;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code gatehouse nkey generate|public}: NATS NKey tools for setting up the {@code nkey} authenticator. */
@Command(name = "nkey", mixinStandardHelpOptions = true, description = "NATS NKey tools.",
        subcommands = {NkeyGenerateCommand.class, NkeyPublicCommand.class})
final class NkeyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }
}
