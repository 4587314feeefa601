package dev.gatehouse.config;

import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every key Gatehouse understands under {@code gatehouse}: the source of the unknown-key check, and the
 * list that {@code docs/configuration.md} and {@code reference.conf} are tested against.
 * Authenticator entries are open: their keys belong to the factory of their {@code type}.
 */
final class Schema {
    sealed interface Node permits Obj, ListOf, Leaf, Open, PermissionList {
    }

    /** An object with exactly these keys. */
    record Obj(Map<String, Node> fields) implements Node {
    }

    /** A list whose elements all look like {@code element}. */
    record ListOf(Node element) implements Node {
    }

    /** A scalar (or a list of scalars). */
    record Leaf() implements Node {
    }

    /** Checked by someone else (an authenticator factory). */
    record Open() implements Node {
    }

    /** {@code allow-all}, {@code deny-all} or a list of permission rules. */
    record PermissionList() implements Node {
    }

    static final List<String> RULE_KEYS = List.of("permission", "action", "topic", "qos", "retain");

    private static final Leaf LEAF = new Leaf();

    static final Obj TLS = obj("cert", LEAF, "key", LEAF, "pkcs12", LEAF, "password", LEAF, "client-auth", LEAF,
            "ca", LEAF);

    static final Obj LISTENER = obj("name", LEAF, "type", LEAF, "bind", LEAF, "anonymous", LEAF,
            "anonymous-permissions", new PermissionList(), "websocket-path", LEAF, "tls", TLS,
            "max-connections", LEAF);

    static final Obj LIMITS = obj(
            "max-packet-size", LEAF,
            "max-client-id-length", LEAF,
            "connect-timeout", LEAF,
            "auth-timeout", LEAF,
            "receive-maximum", LEAF,
            "max-inflight", LEAF,
            "max-queued-messages", LEAF,
            "max-subscriptions-per-session", LEAF,
            "max-session-expiry", LEAF,
            "server-keep-alive", LEAF,
            "topic-alias-maximum", LEAF,
            "max-retained-messages", LEAF,
            "denied-publish-action", LEAF,
            "max-connections", LEAF,
            "max-sessions", LEAF,
            "max-topic-length", LEAF,
            "max-topic-levels", LEAF,
            "min-keep-alive", LEAF,
            "max-keep-alive", LEAF,
            "max-outbound-buffer", LEAF,
            "slow-consumer-timeout", LEAF,
            "outbound-topic-aliases", LEAF);

    static final Obj PERSISTENCE = obj("enabled", LEAF, "dir", LEAF, "sync", LEAF, "sync-interval", LEAF,
            "max-disk", LEAF);

    static final Obj GATEHOUSE = obj(
            "io-threads", LEAF,
            "listeners", new ListOf(LISTENER),
            "limits", LIMITS,
            "default-permissions", new PermissionList(),
            "persistence", PERSISTENCE,
            "http", obj("bind", LEAF),
            "sys-interval", LEAF,
            "authentication", new ListOf(new Open()));

    static final Obj ROOT = obj("gatehouse", GATEHOUSE);

    private Schema() {
    }

    private static Obj obj(Object... keysAndNodes) {
        Map<String, Node> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndNodes.length; i += 2) {
            m.put((String) keysAndNodes[i], (Node) keysAndNodes[i + 1]);
        }
        return new Obj(java.util.Collections.unmodifiableMap(m));
    }

    /**
     * Every documented key path, list elements written {@code []}: {@code gatehouse.listeners[].tls.cert}.
     */
    static List<String> documentedPaths() {
        List<String> out = new ArrayList<>();
        collect("", ROOT, out);
        return out;
    }

    private static void collect(String prefix, Node node, List<String> out) {
        if (node instanceof Obj o) {
            o.fields().forEach((k, v) -> {
                String p = prefix.isEmpty() ? k : prefix + "." + k;
                if (!p.equals("gatehouse")) {
                    out.add(p);
                }
                collect(p, v, out);
            });
        } else if (node instanceof ListOf l) {
            if (l.element() instanceof Open) {
                // Open elements (authenticators) share one key; the rest belongs to their type.
                out.add(prefix + "[].type");
            }
            collect(prefix + "[]", l.element(), out);
        }
    }

    /** Report keys the schema does not know, with a suggestion when one is close. */
    static void checkKeys(String path, ConfigValue value, Node node, Problems problems) {
        if (value == null || value.valueType() == ConfigValueType.NULL) {
            return;
        }
        if (node instanceof Obj o && value instanceof ConfigObject obj) {
            for (Map.Entry<String, ConfigValue> e : obj.entrySet()) {
                String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                Node child = o.fields().get(e.getKey());
                if (child == null) {
                    problems.add(p, "unknown key" + Suggestions.didYouMean(e.getKey(), o.fields().keySet()));
                } else {
                    checkKeys(p, e.getValue(), child, problems);
                }
            }
        } else if (node instanceof ListOf l && value instanceof ConfigList list) {
            for (int i = 0; i < list.size(); i++) {
                checkKeys(path + "." + i, list.get(i), l.element(), problems);
            }
        }
    }
}
