package dev.gatehouse.config.passwd;

import dev.gatehouse.authn.spi.Authenticator;
import dev.gatehouse.authn.spi.AuthenticatorContext;
import dev.gatehouse.authn.spi.AuthenticatorFactory;
import dev.gatehouse.authn.spi.Settings;
import dev.gatehouse.authn.spi.SettingsException;
import dev.gatehouse.authn.spi.acl.Permissions;
import dev.gatehouse.config.PermissionRules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code {type = password-file, file = "passwd", unknown-user = fail, default-permissions = deny-all,
 * users { alice { permissions = [...] } }}}.
 */
public final class PasswordFileAuthenticatorFactory implements AuthenticatorFactory {
    public static final String TYPE = "password-file";
    private static final Logger log = LoggerFactory.getLogger(PasswordFileAuthenticatorFactory.class);
    private static final Set<String> USER_KEYS = Set.of("permissions");

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Authenticator create(Settings settings, AuthenticatorContext context) {
        Path file = settings.getPath("file");
        if (!Files.isRegularFile(file)) {
            throw settings.problem("file", "no such file: " + file);
        }
        Map<String, PasswordHash> users;
        try {
            users = PasswordFile.read(file);
        } catch (IOException e) {
            throw settings.problem("file", "cannot read " + file + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw settings.problem("file", file + ": " + e.getMessage());
        }
        PasswordFileAuthenticator.UnknownUser unknown = unknownUser(settings);
        Permissions defaults = settings.has("default-permissions")
                ? PermissionRules.parse(settings.absolute("default-permissions"), settings.getValue("default-permissions"))
                : Permissions.denyAll();
        Map<String, Permissions> perUser = new LinkedHashMap<>();
        if (settings.has("users")) {
            Settings all = settings.getSettings("users");
            for (String user : all.keys()) {
                Settings one = all.getSettings(user);
                for (String k : one.keys()) {
                    if (!USER_KEYS.contains(k)) {
                        throw one.problem(k, "unknown key (a user has: permissions)");
                    }
                }
                perUser.put(user, PermissionRules.parse(one.absolute("permissions"), one.getValue("permissions")));
                if (!users.containsKey(user)) {
                    log.warn("{}: user {} has permissions but is not in {}", all.path(), user, file);
                }
            }
        }
        log.info("password-file: {} users from {}", users.size(), file);
        return new PasswordFileAuthenticator(TYPE, users, perUser, defaults, unknown, context.blockingExecutor());
    }

    private static PasswordFileAuthenticator.UnknownUser unknownUser(Settings settings) {
        String v = settings.getString("unknown-user", "fail").trim().toLowerCase(Locale.ROOT);
        switch (v) {
            case "fail":
                return PasswordFileAuthenticator.UnknownUser.FAIL;
            case "abstain":
                return PasswordFileAuthenticator.UnknownUser.ABSTAIN;
            default:
                throw new SettingsException(settings.absolute("unknown-user"),
                        "expected fail or abstain but found \"" + v + "\"");
        }
    }
}
