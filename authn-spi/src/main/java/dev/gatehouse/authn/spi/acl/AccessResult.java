package dev.gatehouse.authn.spi.acl;

import java.util.Optional;

/**
 * The outcome of a permission check, with the rule that decided it (empty when the default
 * decision applied) so that a denial can be logged with its cause.
 */
public record AccessResult(boolean allowed, Optional<Rule> rule, int ruleIndex) {

    /** "rule #2 (deny publish a/#)" or "default deny", for logs. */
    public String describe() {
        return rule.map(r -> "rule #" + (ruleIndex + 1) + " (" + r + ")")
                .orElse(allowed ? "default allow" : "default deny");
    }
}
