package dev.gatehouse.authn.nkey.resolver;

import dev.gatehouse.authn.nkey.codec.NKeyType;
import dev.gatehouse.authn.nkey.codec.PublicNKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Account JWTs from a folder of {@code <account public key>.jwt} files (as {@code nsc} or the
 * nats-server directory resolver keep them). Each look-up checks the file's modification time and
 * size on the blocking executor and re-reads it when either changed, so an edited or replaced
 * file (a new revocation, say) applies to the next connection. The authenticator also looks up the
 * accounts of live connections periodically, which is how a revocation reaches connected clients.
 *
 * <p>Only JWTs of files that exist are cached, at most {@code cacheSize} of them (least recently
 * used first out): clients name the accounts, and a folder may hold more accounts than are worth
 * keeping in memory; an evicted one is simply read again.
 */
public final class DirectoryResolver implements AccountResolver {
    private record Cached(FileTime modified, long size, String jwt) {
    }

    private final Path directory;
    private final Executor executor;
    private final LruCache<String, Cached> cache;

    /** @param cacheSize account JWTs kept in memory, at least 1 */
    public DirectoryResolver(Path directory, int cacheSize, Executor executor) {
        this.directory = directory;
        this.cache = new LruCache<>(cacheSize);
        this.executor = executor;
    }

    /** With the default cache size ({@link UrlResolverSettings#DEFAULT_CACHE_SIZE}). */
    public DirectoryResolver(Path directory, Executor executor) {
        this(directory, UrlResolverSettings.DEFAULT_CACHE_SIZE, executor);
    }

    @Override
    public CompletionStage<Optional<String>> resolve(String accountPublicKey) {
        if (!PublicNKey.isValid(accountPublicKey, NKeyType.ACCOUNT)) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return CompletableFuture.supplyAsync(() -> read(accountPublicKey), executor);
    }

    private Optional<String> read(String key) {
        Path file = directory.resolve(key + ".jwt");
        try {
            BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
            Cached c = cache.get(key);
            if (c != null && c.modified.equals(attrs.lastModifiedTime()) && c.size == attrs.size()) {
                return Optional.of(c.jwt);
            }
            String jwt = Files.readString(file, StandardCharsets.UTF_8).trim();
            cache.put(key, new Cached(attrs.lastModifiedTime(), attrs.size(), jwt));
            return Optional.of(jwt);
        } catch (NoSuchFileException e) {
            cache.remove(key);
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Account JWTs in memory now; never more than the cache size. */
    public int cachedAccounts() {
        return cache.size();
    }

    @Override
    public String describe() {
        return "directory " + directory;
    }
}
