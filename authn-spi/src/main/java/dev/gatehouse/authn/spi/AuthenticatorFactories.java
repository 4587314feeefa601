package dev.gatehouse.authn.spi;

import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Finds {@link AuthenticatorFactory} implementations on a class path by their type name. */
public final class AuthenticatorFactories {
    private AuthenticatorFactories() {
    }

    /** Every factory visible to {@code loader}, by type; a duplicate type is a configuration error. */
    public static Map<String, AuthenticatorFactory> discover(ClassLoader loader) {
        Map<String, AuthenticatorFactory> byType = new TreeMap<>();
        for (AuthenticatorFactory f : ServiceLoader.load(AuthenticatorFactory.class, loader)) {
            AuthenticatorFactory previous = byType.putIfAbsent(f.type(), f);
            if (previous != null && previous.getClass() != f.getClass()) {
                throw new IllegalStateException("two authenticator factories claim type '" + f.type() + "': "
                        + previous.getClass().getName() + " and " + f.getClass().getName());
            }
        }
        return byType;
    }

    /** The factory for {@code type}, if one is on the class path. */
    public static Optional<AuthenticatorFactory> find(String type, ClassLoader loader) {
        return Optional.ofNullable(discover(loader).get(type));
    }
}
