package dev.gatehouse.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads {@code --claim k=v} and {@code --acl-json} into claim values java-jwt can write. */
final class ClaimValues {
    /** Trailing tokens fail, so {@code 2 3} is the string "2 3", not the number 2. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    /** Claims that have their own option; setting them twice would leave a reader guessing which one wins. */
    private static final Set<String> OWN_OPTION = Set.of("sub", "iss", "aud", "exp", "iat");

    private ClaimValues() {
    }

    /**
     * {@code k=v} pairs in order. A value that is JSON (a number, {@code true}, {@code false}, {@code null}, an
     * object, an array or a quoted string) is taken as JSON; anything else is a plain string.
     */
    static Map<String, Object> pairs(List<String> claims) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String c : claims) {
            int eq = c.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--claim expects NAME=VALUE but found '" + c + "'");
            }
            String name = c.substring(0, eq);
            if (OWN_OPTION.contains(name)) {
                throw new IllegalArgumentException("--claim " + name + "=...: use --" + name + " instead");
            }
            out.put(name, value(c.substring(eq + 1)));
        }
        return out;
    }

    private static Object value(String text) {
        if (text.isBlank()) {
            return text;
        }
        try {
            return JSON.convertValue(JSON.readTree(text), Object.class);
        } catch (JsonProcessingException | IllegalArgumentException notJson) {
            return text;
        }
    }

    /** The ACL claim: a JSON object (EMQX pub/sub/all form) or an array of rules. */
    static Object acl(String json) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("--acl-json is not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !(node.isObject() || node.isArray())) {
            throw new IllegalArgumentException("--acl-json must be a JSON object ({\"pub\": [...], \"sub\": [...]}) "
                    + "or an array of rules");
        }
        return JSON.convertValue(node, Object.class);
    }
}
