package dev.gatehouse.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed and resolved HOCON configuration: the user's file over the defaults in {@code reference.conf}, with
 * {@code include}s followed and {@code ${?VAR}} substitutions taken from the environment.
 *
 * <p>Parsing checks syntax and substitutions only; {@link ConfiguredBroker#create} validates every value.
 */
public final class GatehouseConfig {
    /** Keys whose values {@link #render(boolean)} masks: whatever names a password, secret, token or seed. */
    private static final Pattern SECRET_KEY = Pattern.compile("(?i).*(password|passphrase|secret|token|seed|credential|private).*");
    private static final Pattern PLACEHOLDER_SUBSTITUTION = Pattern.compile("\\$\\{\\??(clientid|username|cert_cn)}");

    private final Config root;
    private final Path baseDirectory;
    private final String origin;

    private GatehouseConfig(Config root, Path baseDirectory, String origin) {
        this.root = root;
        this.baseDirectory = baseDirectory;
        this.origin = origin;
    }

    /** Read {@code file}, taking {@code ${?VAR}} values from the process environment. */
    public static GatehouseConfig parseFile(Path file) {
        return parseFile(file, System.getenv());
    }

    /** Read {@code file}, taking {@code ${?VAR}} values from {@code environment}. */
    public static GatehouseConfig parseFile(Path file, Map<String, String> environment) {
        Path abs = file.toAbsolutePath().normalize();
        if (!Files.isRegularFile(abs)) {
            throw new ConfigException(List.of(new Problem(file.toString(), "no such configuration file")));
        }
        Path dir = abs.getParent() == null ? Path.of("") : abs.getParent();
        return parse(() -> ConfigFactory.parseFile(abs.toFile(),
                ConfigParseOptions.defaults().setAllowMissing(false).setSyntax(ConfigSyntax.CONF)), dir,
                environment, file.toString());
    }

    /** Parse HOCON text; relative files are resolved against {@code baseDirectory}. */
    public static GatehouseConfig parseString(String hocon, Path baseDirectory, Map<String, String> environment) {
        return parse(() -> ConfigFactory.parseString(hocon, ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF)),
                baseDirectory, environment, "<string>");
    }

    /** {@code reference.conf} alone: one TCP listener on 127.0.0.1:1883 that refuses anonymous clients. */
    public static GatehouseConfig defaults() {
        return parseString("", Path.of(""), Map.of());
    }

    private static GatehouseConfig parse(java.util.function.Supplier<Config> reader, Path dir,
                                         Map<String, String> environment, String origin) {
        try {
            Config user = reader.get();
            Config merged = user.withFallback(reference());
            // Substitutions look in the file first, then in the given environment (not System.getenv directly,
            // so tests and embedders control it).
            Config source = merged.withFallback(ConfigValueFactory.fromMap(environment).toConfig());
            Config resolved = merged.resolveWith(source, ConfigResolveOptions.defaults().setUseSystemEnvironment(false));
            return new GatehouseConfig(resolved, dir, origin);
        } catch (com.typesafe.config.ConfigException e) {
            throw new ConfigException(List.of(syntaxProblem(e, origin)));
        }
    }

    /** Gatehouse's own {@code reference.conf} (only its {@code gatehouse} subtree, whatever else is on the class path). */
    static Config reference() {
        return ConfigFactory.parseResources(GatehouseConfig.class, "/reference.conf").withOnlyPath("gatehouse");
    }

    private static Problem syntaxProblem(com.typesafe.config.ConfigException e, String origin) {
        String where = e.origin() == null ? origin : e.origin().description();
        String message = e.getMessage();
        if (e.origin() != null && message.startsWith(e.origin().description())) {
            message = message.substring(e.origin().description().length()).replaceFirst("^:\\s*", "");
        }
        Matcher m = PLACEHOLDER_SUBSTITUTION.matcher(message);
        if (e instanceof com.typesafe.config.ConfigException.UnresolvedSubstitution && m.find()) {
            message = "${" + m.group(1) + "} outside quotes is a HOCON substitution, not a permission placeholder; "
                    + "quote the whole topic, e.g. topic = \"devices/${" + m.group(1) + "}/#\"";
        }
        return new Problem(where, message);
    }

    /** The whole resolved tree (reference defaults included). */
    public Config config() {
        return root;
    }

    /** The directory relative file names are resolved against: the configuration file's directory. */
    public Path baseDirectory() {
        return baseDirectory;
    }

    /** Where the configuration came from, for messages. */
    public String origin() {
        return origin;
    }

    /** Validate into typed settings; authenticator types are checked against {@code knownTypes}. */
    GatehouseSettings settings(Set<String> knownTypes) {
        return new SettingsReader(root, baseDirectory, knownTypes).read();
    }

    /**
     * The effective {@code gatehouse} tree as HOCON, defaults filled in; with {@code maskSecrets} every value
     * under a key naming a password, secret, token, seed or credential is replaced by {@code "***"}.
     */
    public String render(boolean maskSecrets) {
        Object plain = plain(root.root().get("gatehouse"), "", maskSecrets);
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("gatehouse", plain);
        return ConfigValueFactory.fromMap(top).render(ConfigRenderOptions.defaults()
                .setOriginComments(false).setComments(false).setJson(false).setFormatted(true));
    }

    private static Object plain(ConfigValue v, String key, boolean mask) {
        if (v == null || v.valueType() == ConfigValueType.NULL) {
            return null;
        }
        if (mask && SECRET_KEY.matcher(key).matches() && v.valueType() != ConfigValueType.OBJECT) {
            return "***";
        }
        if (v instanceof ConfigObject o) {
            Map<String, Object> m = new LinkedHashMap<>();
            new java.util.TreeMap<>(o).forEach((k, child) -> m.put(k, plain(child, k, mask)));
            return m;
        }
        if (v instanceof ConfigList l) {
            List<Object> out = new ArrayList<>();
            for (ConfigValue e : l) {
                out.add(plain(e, key, mask));
            }
            return out;
        }
        return v.unwrapped();
    }
}
