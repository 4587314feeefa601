package dev.gatehouse.authn.nkey.jwt;

/** A NATS JWT is malformed, badly signed, or its claims have the wrong shape. */
public class JwtException extends RuntimeException {
    public JwtException(String message) {
        super(message);
    }
}
