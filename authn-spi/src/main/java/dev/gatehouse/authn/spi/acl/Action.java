package dev.gatehouse.authn.spi.acl;

/** What a rule governs. */
public enum Action {
    PUBLISH,
    SUBSCRIBE,
    /** Both publish and subscribe. */
    ALL;

    boolean covers(Action requested) {
        return this == ALL || this == requested;
    }
}
