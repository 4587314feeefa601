package dev.gatehouse.authn.nkey.jwt;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Expands scoped-signing-key templates: {@code {{name()}}}, {@code {{subject()}}},
 * {@code {{account-name()}}}, {@code {{account-subject()}}}, {@code {{tag(x)}}},
 * {@code {{account-tag(x)}}}. A tag function yields one subject per matching {@code x:value} tag;
 * a subject whose function has no value is dropped from allow lists and kept (cut at the unknown
 * token with {@code >}) in deny lists, so a missing value never widens access.
 */
final class Templates {
    private static final Pattern FN = Pattern.compile("\\{\\{\\s*([a-z-]+)\\(([^)]*)\\)\\s*}}");

    private Templates() {
    }

    static NatsPermissions expand(NatsPermissions template, UserClaims user, AccountClaims account) {
        return new NatsPermissions(expand(template.pub(), user, account), expand(template.sub(), user, account));
    }

    private static SubjectList expand(SubjectList list, UserClaims user, AccountClaims account) {
        Optional<List<String>> allow = list.allow().map(a -> {
            List<String> out = new ArrayList<>();
            for (String s : a) {
                out.addAll(subjects(s, user, account, false));
            }
            return out;
        });
        List<String> deny = new ArrayList<>();
        for (String s : list.deny()) {
            deny.addAll(subjects(s, user, account, true));
        }
        return new SubjectList(allow, deny);
    }

    private static List<String> subjects(String template, UserClaims user, AccountClaims account, boolean deny) {
        List<String> results = new ArrayList<>(List.of(""));
        Matcher m = FN.matcher(template);
        int last = 0;
        while (m.find()) {
            String literal = template.substring(last, m.start());
            List<String> values = values(m.group(1), m.group(2).trim(), user, account);
            if (values.isEmpty()) {
                if (!deny) {
                    return List.of();
                }
                String prefix = literal.endsWith(".") || literal.isEmpty() ? literal : literal + ".";
                List<String> cut = new ArrayList<>();
                for (String r : results) {
                    cut.add(r + prefix + ">");
                }
                return cut;
            }
            List<String> next = new ArrayList<>();
            for (String r : results) {
                for (String v : values) {
                    next.add(r + literal + v);
                }
            }
            results = next;
            last = m.end();
        }
        List<String> out = new ArrayList<>();
        for (String r : results) {
            out.add(r + template.substring(last));
        }
        return out;
    }

    private static List<String> values(String fn, String arg, UserClaims user, AccountClaims account) {
        switch (fn) {
            case "name":
                return safe(user.jwt().name().orElse(""));
            case "subject":
                return safe(user.subject());
            case "account-name":
                return safe(account.jwt().name().orElse(""));
            case "account-subject":
                return safe(account.subject());
            case "tag":
                return tags(user.tags(), arg);
            case "account-tag":
                return tags(account.tags(), arg);
            default:
                throw new TrustException(TrustException.Kind.NOT_AUTHORIZED, "unknown template function " + fn + "()");
        }
    }

    private static List<String> tags(List<String> tags, String name) {
        List<String> out = new ArrayList<>();
        String prefix = name.toLowerCase() + ":";
        for (String t : tags) {
            if (t.toLowerCase().startsWith(prefix)) {
                out.addAll(safe(t.substring(prefix.length())));
            }
        }
        return out;
    }

    /** A value usable as one subject token: non-empty, no wildcard, separator or space. */
    private static List<String> safe(String v) {
        if (v.isEmpty() || v.contains(".") || v.contains("*") || v.contains(">") || v.contains(" ")
                || v.contains("/") || v.contains("+") || v.contains("#")) {
            return List.of();
        }
        return List.of(v);
    }
}
