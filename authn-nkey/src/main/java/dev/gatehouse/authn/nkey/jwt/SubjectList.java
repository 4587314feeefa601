package dev.gatehouse.authn.nkey.jwt;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One NATS permission list: {@code allow} (absent = everything allowed) and {@code deny}
 * (checked after allow; deny wins).
 */
public record SubjectList(Optional<List<String>> allow, List<String> deny) {
    public SubjectList {
        allow = allow.map(List::copyOf);
        deny = List.copyOf(deny);
    }

    /** No restriction. */
    public static SubjectList unrestricted() {
        return new SubjectList(Optional.empty(), List.of());
    }

    /** Whether neither list is set. */
    public boolean isEmpty() {
        return allow.isEmpty() && deny.isEmpty();
    }

    static SubjectList from(Map<String, Object> m) {
        return new SubjectList(ClaimReader.optStrings(m, "allow"), ClaimReader.strings(m, "deny"));
    }
}
