package dev.gatehouse.authn.jwt.jwks;

/** Fetches the raw bytes of a JWK Set. Blocking: always called off the network threads. */
@FunctionalInterface
public interface JwksFetcher {
    byte[] fetch() throws JwksException;
}
