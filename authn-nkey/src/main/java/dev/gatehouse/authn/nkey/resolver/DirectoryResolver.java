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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;

/**
 * Account JWTs from a folder of {@code <account public key>.jwt} files (as {@code nsc} or the
 * nats-server directory resolver keep them). Each look-up checks the file's modification time and
 * size on the blocking executor and re-reads it when either changed, so an edited or replaced
 * file (a new revocation, say) applies to the next connection. The authenticator also looks up the
 * accounts of live connections periodically, which is how a revocation reaches connected clients.
 */
public final class DirectoryResolver implements AccountResolver {
    private record Cached(FileTime modified, long size, String jwt) {
    }

    private final Path directory;
    private final Executor executor;
    private final ConcurrentMap<String, Cached> cache = new ConcurrentHashMap<>();

    public DirectoryResolver(Path directory, Executor executor) {
        this.directory = directory;
        this.executor = executor;
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

    @Override
    public String describe() {
        return "directory " + directory;
    }
}
