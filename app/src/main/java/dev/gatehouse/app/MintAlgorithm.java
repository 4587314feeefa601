package dev.gatehouse.app;

import dev.gatehouse.authn.jwt.keys.JwtAlgorithm;

/** The algorithms {@code jwt mint} signs with, and the verifier-side algorithm each one is. */
enum MintAlgorithm {
    HS256(JwtAlgorithm.HS256), HS384(JwtAlgorithm.HS384), HS512(JwtAlgorithm.HS512),
    RS256(JwtAlgorithm.RS256), ES256(JwtAlgorithm.ES256), EdDSA(JwtAlgorithm.EdDSA);

    final JwtAlgorithm jwt;

    MintAlgorithm(JwtAlgorithm jwt) {
        this.jwt = jwt;
    }

    boolean hmac() {
        return jwt.family() == JwtAlgorithm.KeyFamily.HMAC;
    }
}
