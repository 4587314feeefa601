package dev.gatehouse.authn.nkey.codec;

/** CRC-16/XMODEM (poly 0x1021, init 0, no reflection, no final xor), the NKey checksum. */
public final class Crc16 {
    private Crc16() {
    }

    /** The checksum of {@code data[0..length)}. */
    public static int of(byte[] data, int length) {
        int crc = 0;
        for (int i = 0; i < length; i++) {
            crc ^= (data[i] & 0xFF) << 8;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            crc &= 0xFFFF;
        }
        return crc;
    }

    public static int of(byte[] data) {
        return of(data, data.length);
    }
}
