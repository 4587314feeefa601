package dev.gatehouse.app;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gatehouse jwt mint}: sign a token for trying the broker out. A developer tool: a real deployment gets its
 * tokens from an identity provider.
 */
@Command(name = "mint", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Sign a JWT for trying the broker out and print it on standard output.",
                "",
                "The key never comes from a bare command-line argument: command lines are visible to every local "
                        + "user (ps, /proc/PID/cmdline) and are kept in shell history. HMAC secrets come from an "
                        + "environment variable (--secret-env) or a file (--key); RS256, ES256 and EdDSA sign with an "
                        + "unencrypted PKCS#8 PEM private key file (openssl genpkey ...).",
                ""},
        footer = {"", "Example:",
                "  export GATEHOUSE_JWT_SECRET=$(openssl rand -base64 32)",
                "  gatehouse jwt mint --alg HS256 --secret-env GATEHOUSE_JWT_SECRET \\",
                "      --sub dev-7 --exp 1h --acl-json '{\"pub\":[\"devices/$${clientid}/#\"]}'"})
final class JwtMintCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--alg", required = true, paramLabel = "ALG",
            description = "HS256, HS384, HS512, RS256, ES256 or EdDSA.")
    MintAlgorithm alg;

    @ArgGroup(exclusive = true, multiplicity = "1")
    KeySource key;

    /** Exactly one place the key comes from. */
    static final class KeySource {
        @Option(names = "--key", paramLabel = "FILE",
                description = "Private key (PEM PKCS#8) for RS256/ES256/EdDSA, or a file holding the HMAC secret "
                        + "(one trailing line break is ignored).")
        Path file;

        @Option(names = "--secret-env", paramLabel = "VAR",
                description = "Environment variable holding the HMAC secret, e.g. GATEHOUSE_JWT_SECRET.")
        String env;
    }

    @Option(names = "--secret-base64", description = "The HMAC secret is base64 (as with secret-base64 = true).")
    boolean secretBase64;

    @Option(names = "--sub", required = true, paramLabel = "SUB", description = "Subject (sub claim).")
    String sub;

    @Option(names = "--exp", paramLabel = "DURATION", defaultValue = "1h",
            description = "Lifetime from now: 30s, 15m, 1h, 7d; 'none' for no exp claim (default: ${DEFAULT-VALUE}).")
    String exp;

    @Option(names = "--iss", paramLabel = "ISSUER", description = "Issuer (iss claim).")
    String iss;

    @Option(names = "--aud", paramLabel = "AUDIENCE", description = "Audience (aud claim); repeat for several.")
    List<String> aud = new ArrayList<>();

    @Option(names = "--claim", paramLabel = "NAME=VALUE",
            description = "Another claim; repeatable. JSON values (2, true, [\"a\"], {\"k\":1}) are taken as JSON, "
                    + "anything else as a string.")
    List<String> claims = new ArrayList<>();

    @Option(names = "--acl-json", paramLabel = "JSON",
            description = "The ACL claim: {\"pub\":[...],\"sub\":[...],\"all\":[...]} or an array of rules.")
    String aclJson;

    @Option(names = "--acl-claim", paramLabel = "NAME", defaultValue = "acl",
            description = "Name of the ACL claim (the authenticator's acl-claim; default: ${DEFAULT-VALUE}).")
    String aclClaim;

    @Option(names = "--kid", paramLabel = "KID", description = "Key id for the header (kid).")
    String kid;

    /** Where {@code --secret-env} looks; a field so tests can supply it. */
    Map<String, String> environment = System.getenv();
    /** Now, for {@code iat} and {@code exp}. */
    Clock clock = Clock.systemUTC();

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        try {
            spec.commandLine().getOut().println(token(signer()));
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("gatehouse: jwt mint: " + e.getMessage());
            return 1;
        } catch (NoSuchFileException e) {
            err.println("gatehouse: jwt mint: no such file: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("gatehouse: jwt mint: cannot read the key: " + e);
            return 1;
        }
    }

    private Algorithm signer() throws IOException {
        if (!alg.hmac()) {
            if (key.file == null) {
                throw new IllegalArgumentException(alg + " signs with a private key: use --key FILE");
            }
            return SigningKeys.privateKey(alg, key.file);
        }
        return key.file != null
                ? SigningKeys.hmac(alg, SigningKeys.secretFile(key.file), secretBase64, key.file.toString())
                : SigningKeys.hmac(alg, SigningKeys.secretEnv(key.env, environment), secretBase64,
                        "environment variable " + key.env);
    }

    private String token(Algorithm signer) {
        Map<String, Object> extra = ClaimValues.pairs(claims);
        if (aclJson != null) {
            extra.put(aclClaim, ClaimValues.acl(aclJson));
        }
        Instant now = clock.instant();
        // withPayload first: the dedicated options below then set their claims last.
        JWTCreator.Builder b = JWT.create().withPayload(extra).withSubject(sub).withIssuedAt(now);
        if (!exp.equals("none")) {
            b.withExpiresAt(now.plus(DurationText.parse(exp)));
        }
        if (iss != null) {
            b.withIssuer(iss);
        }
        if (!aud.isEmpty()) {
            b.withAudience(aud.toArray(String[]::new));
        }
        if (kid != null) {
            b.withKeyId(kid);
        }
        return b.sign(signer);
    }
}
