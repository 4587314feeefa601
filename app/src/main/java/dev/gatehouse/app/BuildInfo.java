package dev.gatehouse.app;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The version and git commit baked in at build time ({@code build-info.properties}, filtered by Maven with the
 * project version and the commit the git-commit-id plugin read). Outside a git checkout, or run from classes
 * that were never filtered, the commit is {@code unknown}.
 */
record BuildInfo(String version, String commit) {
    static final String UNKNOWN = "unknown";
    private static final BuildInfo CURRENT = load();

    static BuildInfo current() {
        return CURRENT;
    }

    /** {@code gatehouse 0.1.0 (commit 1a2b3c4d5e6f)}: what {@code --version} prints. */
    String describe() {
        return "gatehouse " + version + " (commit " + commit + ")";
    }

    private static BuildInfo load() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("build-info.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // fall through to the unknowns
        }
        return new BuildInfo(value(p.getProperty("version"), "(development build)"), value(p.getProperty("commit"),
                UNKNOWN));
    }

    /** An unfiltered {@code ${...}} (or empty) value is as good as none. */
    private static String value(String v, String fallback) {
        return v == null || v.isBlank() || v.contains("${") ? fallback : v.trim();
    }
}
