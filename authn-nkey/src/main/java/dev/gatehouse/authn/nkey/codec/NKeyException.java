package dev.gatehouse.authn.nkey.codec;

/** An NKey, seed or signature is malformed: bad base32, checksum, role, length or prefix. */
public class NKeyException extends IllegalArgumentException {
    public NKeyException(String message) {
        super(message);
    }
}
