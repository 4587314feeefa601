package dev.gatehouse.authn.spi;

/** A setting is missing or has a bad value; the message starts with the setting's full path. */
public class SettingsException extends RuntimeException {
    private final String path;
    private final String problem;

    public SettingsException(String path, String problem) {
        super(path + ": " + problem);
        this.path = path;
        this.problem = problem;
    }

    /** The full dotted path of the offending setting, e.g. {@code gatehouse.authentication.0.secret}. */
    public String path() {
        return path;
    }

    /** What is wrong, without the path. */
    public String problem() {
        return problem;
    }
}
