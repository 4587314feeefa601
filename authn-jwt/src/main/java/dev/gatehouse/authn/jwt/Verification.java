package dev.gatehouse.authn.jwt;

import com.auth0.jwt.interfaces.DecodedJWT;
import java.util.Optional;

/** The outcome of checking a token's format, algorithm and signature. */
public sealed interface Verification {

    /** The signature is good; claims are not checked yet. */
    record Verified(DecodedJWT jwt, boolean fromCache) implements Verification {
    }

    /**
     * The token was refused; {@code unverified} is the decoded token when it could be decoded, for
     * naming its {@code sub} and {@code kid} in the log only.
     */
    record Rejected(Refusal refusal, Optional<DecodedJWT> unverified) implements Verification {
    }
}
