package dev.gatehouse.authn.nkey.jwt;

import java.util.Map;

/** NATS {@code pub} and {@code sub} permission lists, as in a user JWT or an account's defaults. */
public record NatsPermissions(SubjectList pub, SubjectList sub) {
    /** No restriction at all. */
    public static NatsPermissions unrestricted() {
        return new NatsPermissions(SubjectList.unrestricted(), SubjectList.unrestricted());
    }

    /** Whether no list is set. */
    public boolean isEmpty() {
        return pub.isEmpty() && sub.isEmpty();
    }

    /** Read {@code pub} and {@code sub} from a JSON object. */
    public static NatsPermissions from(Map<String, Object> m) {
        return new NatsPermissions(SubjectList.from(ClaimReader.object(m, "pub")),
                SubjectList.from(ClaimReader.object(m, "sub")));
    }
}
