package dev.gatehouse.app;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --plugins DIR}: every {@code *.jar} directly in DIR, in a class loader whose parent is the broker's, so
 * that {@code ServiceLoader} finds the authenticator factories they list in
 * {@code META-INF/services/dev.gatehouse.authn.spi.AuthenticatorFactory}. Parent first: a plugin sees the SPI
 * (and whatever else the broker carries) as the broker does, and cannot replace a class of the broker.
 */
final class Plugins {
    private static final Logger log = LoggerFactory.getLogger(Plugins.class);

    private Plugins() {
    }

    /** The jars of {@code dir}, sorted by name; an error naming the directory if it is not one. */
    static List<Path> jars(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--plugins " + dir + ": not a directory");
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".jar") && Files.isRegularFile(f))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new IllegalArgumentException("--plugins " + dir + ": " + e.getMessage(), e);
        }
    }

    /** A loader over the jars of {@code dir} (it stays open for as long as the process runs). */
    static ClassLoader loader(Path dir) {
        List<URL> urls = new ArrayList<>();
        List<Path> jars = jars(dir);
        if (jars.isEmpty()) {
            log.warn("plugins: no .jar files in {}", dir);
        } else {
            log.info("plugins from {}: {}", dir, jars.stream().map(j -> j.getFileName().toString()).toList());
        }
        for (Path jar : jars) {
            try {
                urls.add(jar.toUri().toURL());
            } catch (MalformedURLException e) {
                throw new IllegalArgumentException("--plugins " + dir + ": " + e.getMessage(), e);
            }
        }
        return new URLClassLoader("gatehouse-plugins", urls.toArray(URL[]::new), Plugins.class.getClassLoader());
    }
}
