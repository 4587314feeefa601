package dev.gatehouse.broker;

/**
 * What a listener does with a client that no authenticator admitted or refused (every
 * authenticator abstained, or there are none).
 */
public enum AnonymousAccess {
    /** Refuse it (3.1.1 return code 5, 5.0 reason 0x87). The default. */
    DENY,
    /** Admit it only when it connects from a loopback address (127.0.0.0/8, ::1). */
    LOOPBACK_ONLY,
    /** Admit it from anywhere. */
    ALLOW
}
