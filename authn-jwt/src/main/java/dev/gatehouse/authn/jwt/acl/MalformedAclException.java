package dev.gatehouse.authn.jwt.acl;

/** An ACL claim (or the default-permissions setting) that cannot be read as rules. */
public class MalformedAclException extends Exception {
    public MalformedAclException(String message) {
        super(message);
    }
}
