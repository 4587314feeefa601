package dev.gatehouse.app;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code gatehouse jwt mint}: JWT developer tools for trying the {@code jwt} authenticator out. */
@Command(name = "jwt", mixinStandardHelpOptions = true, description = "JWT developer tools.",
        subcommands = {JwtMintCommand.class})
final class JwtCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }
}
