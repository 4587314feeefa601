package dev.gatehouse.authn.jwt.keys;

import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.util.Arrays;
import java.util.Optional;

/** The NIST curves JOSE uses for ECDSA, each tied to one algorithm (RFC 7518 §3.4). */
public enum EcCurve {
    P_256("P-256", "secp256r1", JwtAlgorithm.ES256),
    P_384("P-384", "secp384r1", JwtAlgorithm.ES384),
    P_521("P-521", "secp521r1", JwtAlgorithm.ES512);

    private final String jwkName;
    private final String stdName;
    private final JwtAlgorithm algorithm;

    EcCurve(String jwkName, String stdName, JwtAlgorithm algorithm) {
        this.jwkName = jwkName;
        this.stdName = stdName;
        this.algorithm = algorithm;
    }

    /** The {@code crv} value in a JWK. */
    public String jwkName() {
        return jwkName;
    }

    /** The only algorithm a key on this curve verifies. */
    public JwtAlgorithm algorithm() {
        return algorithm;
    }

    /** The JDK's parameters for this curve. */
    public ECParameterSpec parameters() {
        try {
            AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
            p.init(new ECGenParameterSpec(stdName));
            return p.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("curve " + stdName + " is missing from this JVM", e);
        }
    }

    /** The curve of a JWK {@code crv} name. */
    public static Optional<EcCurve> fromJwk(String crv) {
        return Arrays.stream(values()).filter(c -> c.jwkName.equals(crv)).findFirst();
    }

    /** The curve an EC public key lies on, if it is one of these. */
    public static Optional<EcCurve> of(ECPublicKey key) {
        ECParameterSpec spec = key.getParams();
        for (EcCurve c : values()) {
            ECParameterSpec known = c.parameters();
            if (known.getCurve().equals(spec.getCurve()) && known.getGenerator().equals(spec.getGenerator())
                    && known.getOrder().equals(spec.getOrder())) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
