package dev.gatehouse.broker.auth;

import dev.gatehouse.authn.spi.AuthDecision;
import dev.gatehouse.authn.spi.AuthRequest;
import dev.gatehouse.authn.spi.Authenticator;
import dev.gatehouse.authn.spi.FailureReason;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks authenticators in order until one decides. A request that names an MQTT 5 authentication
 * method only goes to the authenticators that list that method; when none does, it is refused with
 * 0x8C. An authenticator that throws or fails its stage refuses the client as "server unavailable":
 * a broken authenticator must never let anyone in.
 */
public final class AuthenticatorChain {
    private static final Logger log = LoggerFactory.getLogger(AuthenticatorChain.class);

    private final List<Authenticator> authenticators;

    public AuthenticatorChain(List<Authenticator> authenticators) {
        this.authenticators = List.copyOf(authenticators);
    }

    public List<Authenticator> authenticators() {
        return authenticators;
    }

    /** Whether some authenticator handles this MQTT 5 authentication method. */
    public boolean supportsMethod(String method) {
        for (Authenticator a : authenticators) {
            if (a.authenticationMethods().contains(method)) {
                return true;
            }
        }
        return false;
    }

    public CompletionStage<ChainResult> authenticate(AuthRequest request) {
        if (request.authenticationMethod().isPresent() && !supportsMethod(request.authenticationMethod().get())) {
            return CompletableFuture.completedFuture(new ChainResult.Refused(AuthDecision.failure(
                    FailureReason.BAD_AUTHENTICATION_METHOD,
                    "no authenticator handles authentication method '" + request.authenticationMethod().get() + "'"),
                    "broker"));
        }
        return next(request, 0);
    }

    /** Continue the exchange {@code authenticator} started with a challenge. */
    public CompletionStage<ChainResult> continueAuth(Authenticator authenticator, AuthRequest request, Object state,
                                                     byte[] clientData) {
        return ask(authenticator, () -> authenticator.continueAuth(request, state, clientData))
                .thenCompose(d -> d instanceof AuthDecision.Abstain
                        ? CompletableFuture.completedFuture(new ChainResult.Refused(AuthDecision.failure(
                                FailureReason.PROTOCOL_ERROR,
                                authenticator.name() + " abstained in the middle of its own exchange"),
                                authenticator.name()))
                        : CompletableFuture.completedFuture(toResult(d, authenticator)));
    }

    private CompletionStage<ChainResult> next(AuthRequest request, int from) {
        for (int i = from; i < authenticators.size(); i++) {
            Authenticator a = authenticators.get(i);
            if (request.authenticationMethod().isPresent()
                    && !a.authenticationMethods().contains(request.authenticationMethod().get())) {
                continue;
            }
            int index = i;
            return ask(a, () -> a.authenticate(request)).thenCompose(d -> d instanceof AuthDecision.Abstain
                    ? next(request, index + 1)
                    : CompletableFuture.completedFuture(toResult(d, a)));
        }
        return CompletableFuture.completedFuture(new ChainResult.AllAbstained());
    }

    private static ChainResult toResult(AuthDecision d, Authenticator a) {
        if (d instanceof AuthDecision.Success s) {
            return new ChainResult.Admitted(s, a.name(), a);
        }
        if (d instanceof AuthDecision.Failure f) {
            return new ChainResult.Refused(f, a.name());
        }
        if (d instanceof AuthDecision.Challenge c) {
            return new ChainResult.Challenged(c, a);
        }
        return new ChainResult.AllAbstained();
    }

    private interface Call {
        CompletionStage<AuthDecision> call();
    }

    /** Runs one authenticator call, turning a throw, a failed stage or a null into a refusal. */
    private static CompletionStage<AuthDecision> ask(Authenticator a, Call call) {
        CompletionStage<AuthDecision> stage;
        try {
            stage = call.call();
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(broken(a, e));
        }
        if (stage == null) {
            return CompletableFuture.completedFuture(broken(a, new NullPointerException("returned null")));
        }
        return stage.handle((d, e) -> {
            if (e != null) {
                return broken(a, e);
            }
            return d == null ? broken(a, new NullPointerException("completed with null")) : d;
        });
    }

    private static AuthDecision broken(Authenticator a, Throwable e) {
        log.warn("authenticator {} failed; refusing the client", a.name(), e);
        return AuthDecision.failure(FailureReason.SERVER_UNAVAILABLE,
                "authenticator " + a.name() + " failed: " + e.getClass().getSimpleName());
    }
}
