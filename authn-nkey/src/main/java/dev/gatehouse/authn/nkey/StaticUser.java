package dev.gatehouse.authn.nkey;

import dev.gatehouse.authn.nkey.codec.PublicNKey;
import dev.gatehouse.authn.spi.acl.Permissions;
import java.util.Objects;

/** A user configured by public key, with the permissions it gets once it proved the key. */
public record StaticUser(PublicNKey key, String name, Permissions permissions) {
    public StaticUser {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(permissions, "permissions");
    }
}
