package dev.gatehouse.authn.nkey.jwt;

import dev.gatehouse.authn.nkey.codec.NKeyType;
import dev.gatehouse.authn.nkey.jwt.TrustException.Kind;
import dev.gatehouse.authn.nkey.resolver.AccountResolver;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Verifies a user JWT up to a trusted operator, as nats-server does: user signature, validity
 * times, account resolution, account signature by a trusted operator (or one of its signing keys,
 * honouring {@code strict_signing_key_usage}), the user's issuer being the account or one of its
 * signing keys, scoped-key templates, and revocations. Source address, time windows, connection
 * type and the nonce are the caller's checks. Failures complete the stage with a
 * {@link TrustException}.
 */
public final class TrustChain {
    private final List<OperatorClaims> operators;
    private final AccountResolver resolver;
    private final Clock clock;
    private volatile Consumer<AccountClaims> accountListener = a -> { };

    public TrustChain(List<OperatorClaims> operators, AccountResolver resolver, Clock clock) {
        if (operators.isEmpty()) {
            throw new IllegalArgumentException("at least one trusted operator is required");
        }
        this.operators = List.copyOf(operators);
        this.resolver = resolver;
        this.clock = clock;
    }

    public AccountResolver resolver() {
        return resolver;
    }

    /**
     * Called with every account JWT that verified (on a connect, a re-authentication or a
     * {@link #verifiedAccount} refresh), before the user's own checks: lets the caller notice an
     * account JWT that changed under live connections. Must be quick and must not throw.
     */
    public void onAccountVerified(Consumer<AccountClaims> listener) {
        this.accountListener = listener;
    }

    /** Resolve and verify the JWT of {@code accountKey} (signature, trusted operator, validity times). */
    public CompletionStage<AccountClaims> verifiedAccount(String accountKey) {
        return lookup(accountKey).thenApply(jwt -> verifyAccount(jwt, accountKey));
    }

    private CompletionStage<String> lookup(String accountKey) {
        CompletionStage<Optional<String>> lookup;
        try {
            lookup = resolver.resolve(accountKey);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new TrustException(Kind.UNAVAILABLE,
                    "account resolver failed for " + accountKey + ": " + e));
        }
        return lookup.handle((jwt, e) -> {
            if (e != null) {
                Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                throw new TrustException(Kind.UNAVAILABLE, "account resolver (" + resolver.describe() + ") failed for "
                        + accountKey + ": " + cause.getMessage());
            }
            if (jwt.isEmpty()) {
                throw new TrustException(Kind.NOT_AUTHORIZED, "account " + accountKey + " is unknown to "
                        + resolver.describe());
            }
            return jwt.get();
        });
    }

    /** Decode and verify {@code userJwt} and its account. */
    public CompletionStage<VerifiedUser> verify(String userJwt) {
        UserClaims user;
        try {
            user = verifyUser(userJwt);
        } catch (TrustException e) {
            return CompletableFuture.failedFuture(e);
        }
        String accountKey = user.account();
        UserClaims u = user;
        return lookup(accountKey).thenApply(jwt -> complete(u, verifyAccount(jwt, accountKey)));
    }

    private long now() {
        return clock.instant().getEpochSecond();
    }

    UserClaims verifyUser(String token) {
        NatsJwt jwt;
        UserClaims user;
        try {
            jwt = NatsJwt.decode(token).verifySignature();
            user = UserClaims.from(jwt);
            if (jwt.issuerKey().type() != NKeyType.ACCOUNT) {
                throw new JwtException("a user JWT must be issued by an account key, not " + jwt.issuer());
            }
            dev.gatehouse.authn.nkey.codec.PublicNKey.parse(user.subject(), NKeyType.USER);
            if (user.issuerAccount().isPresent()) {
                dev.gatehouse.authn.nkey.codec.PublicNKey.parse(user.issuerAccount().get(), NKeyType.ACCOUNT);
            }
        } catch (JwtException | IllegalArgumentException e) {
            throw new TrustException(Kind.INVALID, "user JWT: " + e.getMessage());
        }
        checkTimes(jwt, "user");
        return user;
    }

    private AccountClaims verifyAccount(String token, String expected) {
        AccountClaims account;
        try {
            NatsJwt jwt = NatsJwt.decode(token).verifySignature();
            account = AccountClaims.from(jwt);
        } catch (JwtException | IllegalArgumentException e) {
            throw new TrustException(Kind.NOT_AUTHORIZED, "account JWT for " + expected + ": " + e.getMessage());
        }
        if (!account.subject().equals(expected)) {
            throw new TrustException(Kind.NOT_AUTHORIZED, "account JWT subject " + account.subject()
                    + " is not the requested account " + expected);
        }
        String issuer = account.jwt().issuer();
        long now = now();
        boolean trusted = false;
        for (OperatorClaims op : operators) {
            if ((op.expires() == 0 || now <= op.expires()) && op.maySignAccounts(issuer)) {
                trusted = true;
                break;
            }
        }
        if (!trusted) {
            throw new TrustException(Kind.NOT_AUTHORIZED, "account " + expected + " is signed by " + issuer
                    + ", which is not a trusted operator or operator signing key");
        }
        try {
            checkTimes(account.jwt(), "account");
        } catch (TrustException e) {
            throw new TrustException(Kind.NOT_AUTHORIZED, e.getMessage());
        }
        try {
            accountListener.accept(account);
        } catch (RuntimeException e) {
            // the listener's problem, not the client's
        }
        return account;
    }

    private VerifiedUser complete(UserClaims user, AccountClaims account) {
        Optional<NatsPermissions> permissions;
        if (user.issuer().equals(account.subject())) {
            permissions = userOrDefault(user, account);
        } else {
            SigningKey key = account.signingKeys().get(user.issuer());
            if (key == null) {
                throw new TrustException(Kind.NOT_AUTHORIZED, "user " + user.subject() + " is issued by "
                        + user.issuer() + ", which is neither account " + account.subject()
                        + " nor one of its signing keys");
            }
            if (key.scoped()) {
                if (!user.permissions().isEmpty()) {
                    throw new TrustException(Kind.NOT_AUTHORIZED, "user " + user.subject()
                            + " is issued by a scoped signing key but carries its own permissions");
                }
                permissions = Optional.of(Templates.expand(key.template().get(), user, account));
            } else {
                permissions = userOrDefault(user, account);
            }
        }
        if (account.isRevoked(user.subject(), user.jwt().issuedAt())) {
            throw new TrustException(Kind.NOT_AUTHORIZED, "user " + user.subject() + " is revoked by account "
                    + account.subject());
        }
        return new VerifiedUser(user, account, permissions, earliest(user.jwt().expires(), account.jwt().expires()));
    }

    private static Optional<NatsPermissions> userOrDefault(UserClaims user, AccountClaims account) {
        if (!user.permissions().isEmpty()) {
            return Optional.of(user.permissions());
        }
        return account.defaultPermissions();
    }

    private static Optional<Instant> earliest(long a, long b) {
        long e = a == 0 ? b : b == 0 ? a : Math.min(a, b);
        return e == 0 ? Optional.empty() : Optional.of(Instant.ofEpochSecond(e));
    }

    private void checkTimes(NatsJwt jwt, String what) {
        long now = now();
        if (jwt.isExpired(now)) {
            throw new TrustException(Kind.INVALID, what + " JWT " + jwt.subject() + " expired at "
                    + Instant.ofEpochSecond(jwt.expires()));
        }
        if (jwt.isNotYetValid(now)) {
            throw new TrustException(Kind.INVALID, what + " JWT " + jwt.subject() + " is not valid before "
                    + Instant.ofEpochSecond(jwt.notBefore()));
        }
    }
}
