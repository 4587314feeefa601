package dev.gatehouse.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.gatehouse.authn.spi.Settings;
import dev.gatehouse.authn.spi.SettingsException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@link Settings} over a subtree of a Lightbend {@link Config}. Errors name the absolute path
 * ({@code gatehouse.authentication.1.secret}), so the operator knows which line to fix.
 *
 * <p>Records which top-level keys of the subtree were read, so the loader can report keys that an
 * authenticator factory never looked at as unknown (a typo such as {@code secert} would otherwise be
 * silently ignored).
 */
public final class HoconSettings implements Settings {
    private final String path;
    private final Config config;
    private final Path baseDirectory;
    private final Set<String> read = Collections.synchronizedSet(new LinkedHashSet<>());
    private volatile boolean allKeysRead;

    HoconSettings(String path, Config config, Path baseDirectory) {
        this.path = path;
        this.config = config;
        this.baseDirectory = baseDirectory;
    }

    /** Settings over {@code config}, rooted at {@code path}, resolving relative files against the working directory. */
    public static HoconSettings of(String path, Config config) {
        return new HoconSettings(path, config, Path.of(""));
    }

    @Override
    public String path() {
        return path;
    }

    /**
     * The directory of the configuration file: relative file names resolve against it (so a config and
     * its key files can move together).
     */
    @Override
    public Path baseDirectory() {
        return baseDirectory.toAbsolutePath();
    }

    @Override
    public Path getPath(String p) {
        return baseDirectory().resolve(getString(p)).normalize();
    }

    @Override
    public Set<String> keys() {
        // A factory that enumerates keys decides itself which ones it accepts.
        allKeysRead = true;
        return Collections.unmodifiableSet(new LinkedHashSet<>(config.root().keySet()));
    }

    /** Top-level keys no getter asked about (empty once {@link #keys()} was called). */
    Set<String> unreadKeys() {
        if (allKeysRead) {
            return Set.of();
        }
        Set<String> unread = new LinkedHashSet<>(config.root().keySet());
        unread.removeAll(read);
        return unread;
    }

    @Override
    public boolean has(String p) {
        mark(p);
        return config.hasPath(quote(p));
    }

    @Override
    public String getString(String p) {
        return get(p, () -> {
            ConfigValue v = config.getValue(quote(p));
            if (v.valueType() == ConfigValueType.OBJECT || v.valueType() == ConfigValueType.LIST) {
                throw new SettingsException(absolute(p), "expected a string but found " + typeName(v.valueType()));
            }
            return String.valueOf(v.unwrapped());
        });
    }

    @Override
    public int getInt(String p) {
        return get(p, () -> config.getInt(quote(p)));
    }

    @Override
    public long getLong(String p) {
        return get(p, () -> config.getLong(quote(p)));
    }

    @Override
    public boolean getBoolean(String p) {
        return get(p, () -> config.getBoolean(quote(p)));
    }

    @Override
    public Duration getDuration(String p) {
        return get(p, () -> config.getDuration(quote(p)));
    }

    @Override
    public List<String> getStringList(String p) {
        return get(p, () -> {
            ConfigValue v = config.getValue(quote(p));
            if (v.valueType() == ConfigValueType.STRING) {
                return List.of((String) v.unwrapped());
            }
            return List.copyOf(config.getStringList(quote(p)));
        });
    }

    @Override
    public Settings getSettings(String p) {
        return get(p, () -> new HoconSettings(absolute(p), config.getConfig(quote(p)), baseDirectory));
    }

    @Override
    public List<Settings> getSettingsList(String p) {
        return get(p, () -> {
            List<? extends Config> list = config.getConfigList(quote(p));
            List<Settings> out = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                out.add(new HoconSettings(absolute(p) + "." + i, list.get(i), baseDirectory));
            }
            return List.copyOf(out);
        });
    }

    @Override
    public Object getValue(String p) {
        return get(p, () -> config.getValue(quote(p)).unwrapped());
    }

    /** The underlying subtree, for code in this module that needs HOCON specifics (memory sizes, origins). */
    Config config() {
        return config;
    }

    private <T> T get(String p, Supplier<T> getter) {
        mark(p);
        try {
            return getter.get();
        } catch (com.typesafe.config.ConfigException e) {
            throw new SettingsException(absolute(p), describe(e));
        }
    }

    private void mark(String p) {
        int dot = p.indexOf('.');
        read.add(config.root().containsKey(p) || dot < 0 ? p : p.substring(0, dot));
    }

    /** A key that exists as written (it may contain dots, e.g. a user name) is one path element. */
    private String quote(String p) {
        return config.root().containsKey(p) && p.indexOf('.') >= 0 ? ConfigUtil.joinPath(p) : p;
    }

    /** Lightbend's message without its origin prefix and with the path left to the caller. */
    static String describe(com.typesafe.config.ConfigException e) {
        if (e instanceof com.typesafe.config.ConfigException.Missing) {
            return "is required but not set";
        }
        String m = e.getMessage();
        if (m == null) {
            return e.getClass().getSimpleName();
        }
        // "file.conf @ line 3: gatehouse.x has type STRING rather than NUMBER" -> "has type STRING rather than NUMBER"
        int colon = m.indexOf(": ");
        String rest = colon >= 0 && e.origin() != null ? m.substring(colon + 2) : m;
        if (e instanceof com.typesafe.config.ConfigException.WrongType
                || e instanceof com.typesafe.config.ConfigException.BadValue) {
            int has = rest.indexOf(" has type ");
            if (has > 0) {
                rest = rest.substring(has + 1);
            }
            int bad = rest.indexOf("Invalid value at '");
            if (bad >= 0) {
                int end = rest.indexOf("': ", bad);
                if (end > 0) {
                    rest = rest.substring(end + 3);
                }
            }
        }
        return rest;
    }

    static String typeName(ConfigValueType t) {
        switch (t) {
            case OBJECT:
                return "an object";
            case LIST:
                return "a list";
            case NUMBER:
                return "a number";
            case BOOLEAN:
                return "a boolean";
            case NULL:
                return "null";
            default:
                return "a string";
        }
    }
}
