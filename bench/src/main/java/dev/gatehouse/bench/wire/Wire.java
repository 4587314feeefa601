package dev.gatehouse.bench.wire;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The few MQTT 3.1.1 / 5.0 packets the load generator sends, encoded straight into a caller's buffer.
 *
 * <p>Hand-written rather than a client library so that the generator spends a few nanoseconds per
 * packet and measures the broker, not itself. Every method writes one whole packet at the buffer's
 * position, or throws {@link java.nio.BufferOverflowException} having written a partial one, so callers
 * check {@link #publishSize} (or leave generous head room) first. For MQTT 5 the properties are always
 * empty, except the authentication method and data of CONNECT and AUTH.
 */
public final class Wire {
    public static final int CONNECT = 1;
    public static final int CONNACK = 2;
    public static final int PUBLISH = 3;
    public static final int PUBACK = 4;
    public static final int PUBREC = 5;
    public static final int PUBREL = 6;
    public static final int PUBCOMP = 7;
    public static final int SUBSCRIBE = 8;
    public static final int SUBACK = 9;
    public static final int PINGREQ = 12;
    public static final int PINGRESP = 13;
    public static final int DISCONNECT = 14;
    public static final int AUTH = 15;

    /** AUTH reason code "continue authentication". */
    public static final int AUTH_CONTINUE = 0x18;

    public static final int V311 = 4;
    public static final int V5 = 5;

    private static final byte[] MQTT = "MQTT".getBytes(StandardCharsets.US_ASCII);

    private Wire() {
    }

    /** CONNECT with clean session / clean start; null username, password or auth method are left out. */
    public static void connect(ByteBuffer out, int version, String clientId, int keepAliveSeconds,
                               String username, byte[] password, String authMethod, byte[] authData) {
        connect(out, version, clientId, keepAliveSeconds, username, password, authMethod, authData, true);
    }

    /**
     * CONNECT; with {@code cleanSession} false a persistent session: MQTT 3.1.1 clean session 0 (kept until the
     * broker's own limit), MQTT 5 clean start 0 with Session Expiry Interval 0xFFFFFFFF (never).
     */
    public static void connect(ByteBuffer out, int version, String clientId, int keepAliveSeconds,
                               String username, byte[] password, String authMethod, byte[] authData,
                               boolean cleanSession) {
        byte[] id = utf8(clientId);
        byte[] user = username == null ? null : utf8(username);
        byte[] method = authMethod == null ? null : utf8(authMethod);
        int props = 0;
        if (version == V5) {
            if (!cleanSession) {
                props += 5;
            }
            if (method != null) {
                props += 1 + 2 + method.length;
                if (authData != null) {
                    props += 1 + 2 + authData.length;
                }
            }
        }
        int remaining = 2 + MQTT.length + 1 + 1 + 2 + (version == V5 ? varIntSize(props) + props : 0) + 2 + id.length;
        if (user != null) {
            remaining += 2 + user.length;
        }
        if (password != null) {
            remaining += 2 + password.length;
        }
        int flags = cleanSession ? 0x02 : 0;
        if (user != null) {
            flags |= 0x80;
        }
        if (password != null) {
            flags |= 0x40;
        }
        out.put((byte) (CONNECT << 4));
        putVarInt(out, remaining);
        putBytes(out, MQTT);
        out.put((byte) version);
        out.put((byte) flags);
        out.putShort((short) keepAliveSeconds);
        if (version == V5) {
            putVarInt(out, props);
            if (!cleanSession) {
                out.put((byte) 0x11);
                out.putInt(-1);
            }
            if (method != null) {
                out.put((byte) 0x15);
                putBytes(out, method);
                if (authData != null) {
                    out.put((byte) 0x16);
                    putBytes(out, authData);
                }
            }
        }
        putBytes(out, id);
        if (user != null) {
            putBytes(out, user);
        }
        if (password != null) {
            putBytes(out, password);
        }
    }

    /** Bytes that {@link #publish} will write. */
    public static int publishSize(int version, int topicLength, int qos, int payloadLength) {
        int remaining = remainingOfPublish(version, topicLength, qos, payloadLength);
        return 1 + varIntSize(remaining) + remaining;
    }

    /**
     * PUBLISH of {@code payload[0, payloadLength)} to an already encoded topic; packetId is ignored for QoS 0.
     */
    public static void publish(ByteBuffer out, int version, byte[] topic, int qos, boolean dup, int packetId,
                               byte[] payload, int payloadLength) {
        publish(out, version, topic, qos, dup, false, packetId, payload, payloadLength);
    }

    /** {@link #publish} with the retain flag as given. */
    public static void publish(ByteBuffer out, int version, byte[] topic, int qos, boolean dup, boolean retain,
                               int packetId, byte[] payload, int payloadLength) {
        out.put((byte) (PUBLISH << 4 | (dup ? 0x08 : 0) | qos << 1 | (retain ? 1 : 0)));
        putVarInt(out, remainingOfPublish(version, topic.length, qos, payloadLength));
        putBytes(out, topic);
        if (qos > 0) {
            out.putShort((short) packetId);
        }
        if (version == V5) {
            out.put((byte) 0);
        }
        out.put(payload, 0, payloadLength);
    }

    private static int remainingOfPublish(int version, int topicLength, int qos, int payloadLength) {
        return 2 + topicLength + (qos > 0 ? 2 : 0) + (version == V5 ? 1 : 0) + payloadLength;
    }

    /** PUBACK, PUBREC, PUBREL or PUBCOMP with success (no reason code: the short form both versions accept). */
    public static void ack(ByteBuffer out, int type, int packetId) {
        out.put((byte) (type << 4 | (type == PUBREL ? 0x02 : 0)));
        out.put((byte) 2);
        out.putShort((short) packetId);
    }

    /** SUBSCRIBE to one filter at the given maximum QoS. */
    public static void subscribe(ByteBuffer out, int version, int packetId, String filter, int qos) {
        byte[] f = utf8(filter);
        int remaining = 2 + (version == V5 ? 1 : 0) + 2 + f.length + 1;
        out.put((byte) (SUBSCRIBE << 4 | 0x02));
        putVarInt(out, remaining);
        out.putShort((short) packetId);
        if (version == V5) {
            out.put((byte) 0);
        }
        putBytes(out, f);
        out.put((byte) qos);
    }

    public static void pingreq(ByteBuffer out) {
        out.put((byte) (PINGREQ << 4));
        out.put((byte) 0);
    }

    /** DISCONNECT, normal (the 2-byte form is valid in both versions: 5.0 reads a missing reason as 0). */
    public static void disconnect(ByteBuffer out) {
        out.put((byte) (DISCONNECT << 4));
        out.put((byte) 0);
    }

    /** MQTT 5 AUTH "continue authentication" (0x18) carrying the method and the client's data. */
    public static void auth(ByteBuffer out, String authMethod, byte[] authData) {
        byte[] method = utf8(authMethod);
        int props = 1 + 2 + method.length + (authData == null ? 0 : 1 + 2 + authData.length);
        int remaining = 1 + varIntSize(props) + props;
        out.put((byte) (AUTH << 4));
        putVarInt(out, remaining);
        out.put((byte) 0x18);
        putVarInt(out, props);
        out.put((byte) 0x15);
        putBytes(out, method);
        if (authData != null) {
            out.put((byte) 0x16);
            putBytes(out, authData);
        }
    }

    /** Bytes that {@link #auth} will write. */
    public static int authSize(String authMethod, byte[] authData) {
        int props = 1 + 2 + utf8(authMethod).length + (authData == null ? 0 : 1 + 2 + authData.length);
        int remaining = 1 + varIntSize(props) + props;
        return 1 + varIntSize(remaining) + remaining;
    }

    /** A received MQTT 5 AUTH: reason code, authentication method (or null) and data (or null). */
    public record Auth(int reasonCode, String method, byte[] data) {
    }

    /**
     * Parses the body of an AUTH packet ({@code buf[start, start + length)}). A body of length 0 is
     * reason 0x00 with no properties (MQTT 5 3.15.2.1).
     */
    public static Auth parseAuth(ByteBuffer buf, int start, int length) {
        if (length == 0) {
            return new Auth(0, null, null);
        }
        int p = start;
        int end = start + length;
        int reason = buf.get(p++) & 0xFF;
        if (p == end) {
            return new Auth(reason, null, null);
        }
        int propsLength = 0;
        int shift = 0;
        int digit;
        do {
            digit = buf.get(p++) & 0xFF;
            propsLength |= (digit & 0x7F) << shift;
            shift += 7;
        } while ((digit & 0x80) != 0 && shift < 28);
        int propsEnd = p + propsLength;
        if (propsEnd > end) {
            throw new IllegalArgumentException("AUTH properties run past the packet");
        }
        String method = null;
        byte[] data = null;
        while (p < propsEnd) {
            int id = buf.get(p++) & 0xFF;
            switch (id) {
                case 0x15: // authentication method, UTF-8 string
                case 0x1F: { // reason string
                    int n = buf.getShort(p) & 0xFFFF;
                    byte[] b = new byte[n];
                    buf.get(p + 2, b);
                    p += 2 + n;
                    if (id == 0x15) {
                        method = new String(b, StandardCharsets.UTF_8);
                    }
                    break;
                }
                case 0x16: { // authentication data, binary
                    int n = buf.getShort(p) & 0xFFFF;
                    data = new byte[n];
                    buf.get(p + 2, data);
                    p += 2 + n;
                    break;
                }
                case 0x26: { // user property: two strings
                    for (int k = 0; k < 2; k++) {
                        p += 2 + (buf.getShort(p) & 0xFFFF);
                    }
                    break;
                }
                default:
                    throw new IllegalArgumentException("unexpected AUTH property 0x" + Integer.toHexString(id));
            }
        }
        return new Auth(reason, method, data);
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static int varIntSize(int value) {
        if (value < 128) {
            return 1;
        }
        if (value < 16_384) {
            return 2;
        }
        if (value < 2_097_152) {
            return 3;
        }
        return 4;
    }

    static void putVarInt(ByteBuffer out, int value) {
        int v = value;
        do {
            int digit = v & 0x7F;
            v >>>= 7;
            out.put((byte) (v > 0 ? digit | 0x80 : digit));
        } while (v > 0);
    }

    private static void putBytes(ByteBuffer out, byte[] b) {
        out.putShort((short) b.length);
        out.put(b);
    }
}
