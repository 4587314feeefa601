package dev.gatehouse.authn.spi;

/**
 * A live connection as its authenticator admitted it: the request and the success that is in force
 * (after a re-authentication, the latest ones).
 */
public record AdmittedConnection(AuthRequest request, AuthDecision.Success success) {
}
