package dev.gatehouse.broker.protocol.codec;

/**
 * The MQTT 5 property table (§2.2.2.2) as the broker needs it: each identifier's data type and
 * the packets a client may put it in. Identifiers that only a server sends (CONNACK's Maximum QoS,
 * Retain Available, Assigned Client Identifier …) are allowed in no packet here, so a client sending
 * one sends a malformed packet (§2.2.2.2: an identifier not valid for its packet type).
 */
final class PropertyRules {
    // Data types (MQTT 5 §1.5).
    static final byte BYTE = 1;
    static final byte TWO_BYTE = 2;
    static final byte FOUR_BYTE = 3;
    static final byte VAR_INT = 4;
    static final byte UTF8 = 5;
    static final byte BINARY = 6;
    static final byte UTF8_PAIR = 7;

    // Where a property is read: one bit per client-to-server packet, plus the will properties.
    static final int CONNECT = 1;
    static final int WILL = 1 << 1;
    static final int PUBLISH = 1 << 2;
    static final int PUBACK = 1 << 3;
    static final int PUBREC = 1 << 4;
    static final int PUBREL = 1 << 5;
    static final int PUBCOMP = 1 << 6;
    static final int SUBSCRIBE = 1 << 7;
    static final int UNSUBSCRIBE = 1 << 8;
    static final int DISCONNECT = 1 << 9;
    static final int AUTH = 1 << 10;

    private static final int ACKS = PUBACK | PUBREC | PUBREL | PUBCOMP;
    private static final int EVERY = CONNECT | WILL | PUBLISH | ACKS | SUBSCRIBE | UNSUBSCRIBE | DISCONNECT | AUTH;

    // Identifiers named here are the ones the rules in PropertyReader refer to.
    static final int PAYLOAD_FORMAT_INDICATOR = 0x01;
    static final int RESPONSE_TOPIC = 0x08;
    static final int SUBSCRIPTION_IDENTIFIER = 0x0B;
    static final int AUTHENTICATION_METHOD = 0x15;
    static final int AUTHENTICATION_DATA = 0x16;
    static final int REQUEST_PROBLEM_INFORMATION = 0x17;
    static final int REQUEST_RESPONSE_INFORMATION = 0x19;
    static final int RECEIVE_MAXIMUM = 0x21;
    static final int TOPIC_ALIAS = 0x23;
    static final int USER_PROPERTY = 0x26;
    static final int MAXIMUM_PACKET_SIZE = 0x27;

    static final int MAX_ID = 0x2A;
    private static final byte[] TYPE = new byte[MAX_ID + 1];
    private static final int[] ALLOWED = new int[MAX_ID + 1];

    static {
        define(0x01, BYTE, PUBLISH | WILL);                  // Payload Format Indicator
        define(0x02, FOUR_BYTE, PUBLISH | WILL);             // Message Expiry Interval
        define(0x03, UTF8, PUBLISH | WILL);                  // Content Type
        define(0x08, UTF8, PUBLISH | WILL);                  // Response Topic
        define(0x09, BINARY, PUBLISH | WILL);                // Correlation Data
        define(0x0B, VAR_INT, PUBLISH | SUBSCRIBE);          // Subscription Identifier
        define(0x11, FOUR_BYTE, CONNECT | DISCONNECT);       // Session Expiry Interval (and CONNACK)
        define(0x12, UTF8, 0);                               // Assigned Client Identifier: CONNACK only
        define(0x13, TWO_BYTE, 0);                           // Server Keep Alive: CONNACK only
        define(0x15, UTF8, CONNECT | AUTH);                  // Authentication Method
        define(0x16, BINARY, CONNECT | AUTH);                // Authentication Data
        define(0x17, BYTE, CONNECT);                         // Request Problem Information
        define(0x18, FOUR_BYTE, WILL);                       // Will Delay Interval
        define(0x19, BYTE, CONNECT);                         // Request Response Information
        define(0x1A, UTF8, 0);                               // Response Information: CONNACK only
        define(0x1C, UTF8, DISCONNECT);                      // Server Reference (and CONNACK)
        define(0x1F, UTF8, ACKS | DISCONNECT | AUTH);        // Reason String (and CONNACK, SUBACK, UNSUBACK)
        define(0x21, TWO_BYTE, CONNECT);                     // Receive Maximum (and CONNACK)
        define(0x22, TWO_BYTE, CONNECT);                     // Topic Alias Maximum (and CONNACK)
        define(0x23, TWO_BYTE, PUBLISH);                     // Topic Alias
        define(0x24, BYTE, 0);                               // Maximum QoS: CONNACK only
        define(0x25, BYTE, 0);                               // Retain Available: CONNACK only
        define(0x26, UTF8_PAIR, EVERY);                      // User Property
        define(0x27, FOUR_BYTE, CONNECT);                    // Maximum Packet Size (and CONNACK)
        define(0x28, BYTE, 0);                               // Wildcard Subscription Available: CONNACK only
        define(0x29, BYTE, 0);                               // Subscription Identifier Available: CONNACK only
        define(0x2A, BYTE, 0);                               // Shared Subscription Available: CONNACK only
    }

    private PropertyRules() {
    }

    private static void define(int id, byte type, int allowedIn) {
        TYPE[id] = type;
        ALLOWED[id] = allowedIn;
    }

    /** The data type of {@code id}, or 0 if MQTT 5 defines no such property. */
    static byte type(int id) {
        return id >= 0 && id <= MAX_ID ? TYPE[id] : 0;
    }

    static boolean allowedIn(int id, int context) {
        return (ALLOWED[id] & context) != 0;
    }
}
