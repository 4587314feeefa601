package dev.gatehouse.bench.auth;

/** The credential schemes the auth connection-rate scenarios measure. */
public enum AuthKind {
    JWT_HS256("JWT HS256", "jwt-hs256", true),
    JWT_RS256("JWT RS256", "jwt-rs256", true),
    JWT_ES256("JWT ES256", "jwt-es256", true),
    NKEY("NKey challenge (MQTT 5 AUTH)", "nkey", false);

    private final String label;
    private final String id;
    private final boolean jwt;

    AuthKind(String label, String id, boolean jwt) {
        this.label = label;
        this.id = id;
        this.jwt = jwt;
    }

    public String label() {
        return label;
    }

    /** File-name friendly: the scenario's work directory and config file are named after it. */
    public String id() {
        return id;
    }

    public boolean jwt() {
        return jwt;
    }

    /** The authenticator factory class the app jar must carry. */
    public String factoryClass() {
        return jwt ? "dev.gatehouse.authn.jwt.JwtAuthenticatorFactory" : "dev.gatehouse.authn.nkey.NKeyAuthenticatorFactory";
    }

    public String module() {
        return jwt ? "authn-jwt" : "authn-nkey";
    }

    /** MQTT 3.1.1 for a token in the password; MQTT 5 for the AUTH challenge. */
    public int mqttVersion() {
        return jwt ? 4 : 5;
    }

    /** How the two token regimes are called in the report. */
    public String distinctLabel() {
        return jwt ? "distinct token per client (cold: signature verified)" : "one user key per client";
    }

    public String sharedLabel() {
        return jwt ? "one shared token (cached)" : "one shared user key";
    }
}
