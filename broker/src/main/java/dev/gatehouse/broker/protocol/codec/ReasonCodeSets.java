package dev.gatehouse.broker.protocol.codec;

/**
 * The reason codes MQTT 5 defines for each packet a client sends with one (§3.4.2.1, §3.5.2.1,
 * §3.6.2.1, §3.7.2.1, §3.14.2.1, §3.15.2.1). A byte outside its packet's set is not a reason code of
 * that packet: the packet is malformed. DISCONNECT accepts every code defined for it, including those
 * the table lists for servers, so that a lenient client is not cut off for its choice of code.
 */
final class ReasonCodeSets {
    static final long[] PUBACK_PUBREC = of(0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99);
    static final long[] PUBREL_PUBCOMP = of(0x00, 0x92);
    static final long[] DISCONNECT = of(0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8B, 0x8D, 0x8E, 0x8F,
            0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xA0, 0xA1, 0xA2);
    static final long[] AUTH = of(0x00, 0x18, 0x19);

    private ReasonCodeSets() {
    }

    private static long[] of(int... codes) {
        long[] set = new long[4];
        for (int c : codes) {
            set[c >> 6] |= 1L << (c & 63);
        }
        return set;
    }

    static boolean contains(long[] set, int code) {
        return (set[code >> 6] & (1L << (code & 63))) != 0;
    }
}
