package dev.gatehouse.broker.protocol;

import dev.gatehouse.authn.spi.acl.AccessResult;
import dev.gatehouse.authn.spi.acl.CompiledPermissions;
import dev.gatehouse.authn.spi.acl.SubscribeResult;
import dev.gatehouse.broker.log.ThrottledLog;

/**
 * Every permission check of a connection: PUBLISH, will, SUBSCRIBE and the re-check after
 * re-authentication, against the permissions its authenticator granted (compiled once, placeholders
 * resolved). Denials are logged with the deciding rule, the first per client at once and the rest as
 * a summary a minute, so a client flooding denied publishes cannot flood the log.
 */
final class PermissionGuard {
    private final ThrottledLog denials;
    private final dev.gatehouse.broker.core.TrafficCounters counters;
    private String clientId = "";
    private CompiledPermissions permissions;

    PermissionGuard(ThrottledLog denials, dev.gatehouse.broker.core.TrafficCounters counters) {
        this.denials = denials;
        this.counters = counters;
    }

    /** The permissions in force from now on (admission or re-authentication). */
    void grant(String clientId, CompiledPermissions permissions) {
        this.clientId = clientId;
        this.permissions = permissions;
    }

    CompiledPermissions permissions() {
        return permissions;
    }

    /** Whether the client may publish this; a denial is logged. */
    boolean mayPublish(String topic, int qos, boolean retain) {
        AccessResult access = permissions.checkPublish(topic, qos, retain);
        if (!access.allowed()) {
            counters.deniedPublish();
            denials.event(clientId + " publish", "denied PUBLISH by " + clientId,
                    "denied PUBLISH by {} to {}: {}",
                    clientId, topic, access.describe());
        }
        return access.allowed();
    }

    /** Whether the will may be published; a refusal is logged (once per connection at most, by nature). */
    AccessResult checkWill(String topic, int qos, boolean retain) {
        return permissions.checkPublish(topic, qos, retain);
    }

    /** The subscribe decision for a filter (a shared one is checked as the filter it matches with); a denial is logged. */
    SubscribeResult checkSubscribe(String requested, String matching, int qos) {
        SubscribeResult r = permissions.checkSubscribe(matching, qos);
        if (!r.allowed()) {
            counters.deniedSubscribe();
            denials.event(clientId + " subscribe", "denied SUBSCRIBE by " + clientId,
                    "denied SUBSCRIBE by {} to {}: {}",
                    clientId, requested, r.access().describe());
        }
        return r;
    }

    /** The subscribe decision for a filter the client already holds, without logging (re-authentication). */
    SubscribeResult recheck(String matching, int qos) {
        return permissions.checkSubscribe(matching, qos);
    }
}
