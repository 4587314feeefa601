package dev.gatehouse.authn.nkey.resolver;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Account JWTs preloaded from configuration, by account public key. */
public final class MemoryResolver implements AccountResolver {
    private final Map<String, String> jwts;

    public MemoryResolver(Map<String, String> jwtsByAccount) {
        this.jwts = Map.copyOf(jwtsByAccount);
    }

    @Override
    public CompletionStage<Optional<String>> resolve(String accountPublicKey) {
        return CompletableFuture.completedFuture(Optional.ofNullable(jwts.get(accountPublicKey)));
    }

    @Override
    public String describe() {
        return "memory (" + jwts.size() + " accounts)";
    }
}
