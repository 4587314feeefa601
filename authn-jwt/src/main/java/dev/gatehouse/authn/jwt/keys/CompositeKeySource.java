package dev.gatehouse.authn.jwt.keys;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Asks sources in order; the first that finds keys wins. "Unavailable" beats "unknown" in the answer. */
public final class CompositeKeySource implements KeySource {
    private final List<KeySource> sources;

    public CompositeKeySource(List<KeySource> sources) {
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("no key sources");
        }
        this.sources = List.copyOf(sources);
    }

    @Override
    public CompletionStage<KeyLookup> lookup(Optional<String> kid, JwtAlgorithm alg) {
        return lookupFrom(0, kid, alg, null);
    }

    private CompletionStage<KeyLookup> lookupFrom(int i, Optional<String> kid, JwtAlgorithm alg, KeyLookup worst) {
        if (i == sources.size()) {
            return CompletableFuture.completedFuture(worst);
        }
        return sources.get(i).lookup(kid, alg).thenCompose(r -> {
            if (r instanceof KeyLookup.Found f) {
                return CompletableFuture.completedFuture(new KeyLookup.Found(f.candidates(), generation()));
            }
            KeyLookup next = worst == null || r instanceof KeyLookup.Unavailable ? r : worst;
            return lookupFrom(i + 1, kid, alg, next);
        });
    }

    @Override
    public long generation() {
        long g = 0;
        for (KeySource s : sources) {
            g = g * 31 + s.generation();
        }
        return g;
    }

    @Override
    public void onChange(Runnable listener) {
        sources.forEach(s -> s.onChange(listener));
    }

    @Override
    public boolean ready() {
        return sources.stream().allMatch(KeySource::ready);
    }

    @Override
    public void start() {
        sources.forEach(KeySource::start);
    }

    @Override
    public void close() {
        sources.forEach(KeySource::close);
    }
}
