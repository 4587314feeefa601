package dev.gatehouse.authn.jwt.jwks;

/** A key set could not be fetched or parsed; the message names no secret. */
public class JwksException extends Exception {
    public JwksException(String message) {
        super(message);
    }

    public JwksException(String message, Throwable cause) {
        super(message, cause);
    }
}
