package dev.gatehouse.authn.spi;

/**
 * Why an authenticator refused a client, expressed once and mapped to every wire format: the
 * MQTT 3.1.1 CONNACK return code, the MQTT 5.0 CONNACK reason code, and the MQTT 5.0 DISCONNECT
 * reason code used when a re-authentication fails (DISCONNECT allows fewer codes than CONNACK).
 */
public enum FailureReason {
    /** Credentials were present but wrong, expired or unverifiable. 3.1.1: 4, 5.0: 0x86. */
    BAD_CREDENTIALS(4, 0x86),
    /** The credentials are valid but this client may not connect. 3.1.1: 5, 5.0: 0x87. */
    NOT_AUTHORIZED(5, 0x87),
    /** The MQTT 5 authentication method is not supported. 3.1.1: 5, 5.0: 0x8C. */
    BAD_AUTHENTICATION_METHOD(5, 0x8C),
    /** A dependency (key set, resolver) is unavailable; the client should retry later. 3.1.1: 3, 5.0: 0x88. */
    SERVER_UNAVAILABLE(3, 0x88),
    /** The client is banned. 3.1.1: 5, 5.0: 0x8A. */
    BANNED(5, 0x8A),
    /** The client identifier is not acceptable. 3.1.1: 2, 5.0: 0x85. */
    CLIENT_IDENTIFIER_NOT_VALID(2, 0x85),
    /** The authentication exchange broke the protocol (e.g. unexpected AUTH data). 3.1.1: 5, 5.0: 0x82. */
    PROTOCOL_ERROR(5, 0x82);

    private final int v3ReturnCode;
    private final int v5ReasonCode;

    FailureReason(int v3ReturnCode, int v5ReasonCode) {
        this.v3ReturnCode = v3ReturnCode;
        this.v5ReasonCode = v5ReasonCode;
    }

    /** The MQTT 3.1 / 3.1.1 CONNACK return code. */
    public int v3ReturnCode() {
        return v3ReturnCode;
    }

    /** The MQTT 5.0 CONNACK reason code. */
    public int v5ReasonCode() {
        return v5ReasonCode;
    }

    /**
     * The MQTT 5.0 DISCONNECT reason code for a connection whose re-authentication failed:
     * 0x87 (not authorized) for every credential problem, 0x82 for a protocol error, 0x80
     * (unspecified) when the server could not decide. CONNACK-only codes such as 0x86 are
     * malformed in a DISCONNECT (MQTT 5.0 §3.14.2.1).
     */
    public int v5DisconnectCode() {
        return switch (this) {
            case PROTOCOL_ERROR -> 0x82;
            case SERVER_UNAVAILABLE -> 0x80;
            default -> 0x87;
        };
    }
}
