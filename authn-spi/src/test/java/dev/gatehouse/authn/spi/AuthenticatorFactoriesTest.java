package dev.gatehouse.authn.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.authn.spi.acl.Permissions;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;

class AuthenticatorFactoriesTest {

    /** Admits exactly the user named by the {@code user} setting. */
    public static final class EchoFactory implements AuthenticatorFactory {
        @Override
        public String type() {
            return "echo";
        }

        @Override
        public Authenticator create(Settings settings, AuthenticatorContext context) {
            String user = settings.getString("user");
            return new Authenticator() {
                @Override
                public String name() {
                    return "echo";
                }

                @Override
                public CompletionStage<AuthDecision> authenticate(AuthRequest request) {
                    return CompletableFuture.completedFuture(request.username().filter(user::equals).isPresent()
                            ? AuthDecision.success(user, Permissions.allowAll())
                            : AuthDecision.abstain());
                }
            };
        }
    }

    @Test
    void findsFactoriesByTypeThroughServiceLoader() throws Exception {
        ClassLoader loader = getClass().getClassLoader();
        assertThat(AuthenticatorFactories.discover(loader)).containsKey("echo");
        assertThat(AuthenticatorFactories.find("nope", loader)).isEmpty();

        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try {
            AuthenticatorContext ctx = new AuthenticatorContext(Clock.systemUTC(), scheduler, scheduler);
            Authenticator a = AuthenticatorFactories.find("echo", loader).orElseThrow()
                    .create(MapSettings.of(Map.of("user", "alice")), ctx);
            AuthDecision yes = a.authenticate(AuthRequest.builder("c", MqttVersion.V3_1_1).username("alice").build())
                    .toCompletableFuture().get();
            AuthDecision no = a.authenticate(AuthRequest.builder("c", MqttVersion.V3_1_1).username("bob").build())
                    .toCompletableFuture().get();
            assertThat(yes).isInstanceOf(AuthDecision.Success.class);
            assertThat(no).isSameAs(AuthDecision.abstain());
        } finally {
            scheduler.shutdownNow();
        }
    }
}
