package dev.gatehouse.authn.jwt;

import dev.gatehouse.authn.jwt.jwks.HttpJwksFetcher;
import dev.gatehouse.authn.jwt.jwks.JwksKeySource;
import dev.gatehouse.authn.jwt.keys.CompositeKeySource;
import dev.gatehouse.authn.jwt.keys.KeySource;
import dev.gatehouse.authn.jwt.keys.StaticKeySource;

import dev.gatehouse.authn.spi.AuthenticatorContext;
import dev.gatehouse.authn.spi.AuthenticatorFactory;
import dev.gatehouse.authn.spi.Settings;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code type = jwt}: a {@link JwtAuthenticator} from settings (see {@code docs/authn-jwt.md}). A JWKS
 * endpoint, when configured, is fetched right away in the background.
 */
public final class JwtAuthenticatorFactory implements AuthenticatorFactory {

    @Override
    public String type() {
        return "jwt";
    }

    @Override
    public JwtAuthenticator create(Settings settings, AuthenticatorContext context) {
        JwtConfig config = JwtSettingsReader.read(settings);
        return create(config, context);
    }

    /** An authenticator for an already validated configuration. */
    public static JwtAuthenticator create(JwtConfig config, AuthenticatorContext context) {
        List<KeySource> sources = new ArrayList<>();
        if (!config.staticKeys().isEmpty()) {
            sources.add(new StaticKeySource(config.staticKeys()));
        }
        config.jwks().ifPresent(j -> sources.add(new JwksKeySource(j, new HttpJwksFetcher(j), context.clock(),
                context.blockingExecutor(), context.scheduler(), context.metrics())));
        KeySource keys = sources.size() == 1 ? sources.get(0) : new CompositeKeySource(sources);
        JwtAuthenticator authenticator = new JwtAuthenticator(config, keys, context);
        keys.start();
        return authenticator;
    }

}
