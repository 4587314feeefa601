package dev.gatehouse.authn.nkey;

import dev.gatehouse.authn.nkey.jwt.NatsPermissions;
import dev.gatehouse.authn.nkey.jwt.SubjectList;
import dev.gatehouse.authn.spi.acl.Action;
import dev.gatehouse.authn.spi.acl.Effect;
import dev.gatehouse.authn.spi.acl.Permissions;
import dev.gatehouse.authn.spi.acl.Rule;
import dev.gatehouse.authn.spi.acl.TopicFilters;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns NATS {@code pub}/{@code sub} allow/deny lists into Gatehouse {@link Permissions}: every
 * deny first (so deny wins), then the allows (an absent allow list allows {@code #}), default deny.
 *
 * <p>NATS subjects map token by token: {@code .} becomes {@code /}, {@code *} becomes {@code +},
 * a trailing {@code >} becomes {@code #}. A subject that has no faithful MQTT form (a token with
 * {@code / + #}, an empty token, a {@code ${}) never widens access: as an allow it is dropped, as
 * a deny it is cut at that token and ends in {@code #}. A {@code sub} entry with a queue group
 * ({@code "subject queue"}) cannot be expressed: as an allow it is dropped, as a deny it denies the
 * subject.
 */
public final class PermissionMapper {
    private static final Logger log = LoggerFactory.getLogger(PermissionMapper.class);

    private final SubjectSyntax syntax;

    public PermissionMapper(SubjectSyntax syntax) {
        this.syntax = syntax;
    }

    /** The Gatehouse permissions for these NATS lists. */
    public Permissions map(NatsPermissions p) {
        List<Rule> rules = new ArrayList<>();
        deny(rules, Action.PUBLISH, p.pub());
        deny(rules, Action.SUBSCRIBE, p.sub());
        allow(rules, Action.PUBLISH, p.pub());
        allow(rules, Action.SUBSCRIBE, p.sub());
        return Permissions.of(rules, Effect.DENY);
    }

    private void deny(List<Rule> rules, Action action, SubjectList list) {
        for (String subject : list.deny()) {
            rules.add(Rule.deny(action, filter(stripQueue(subject, action), Effect.DENY).orElseThrow()));
        }
    }

    private void allow(List<Rule> rules, Action action, SubjectList list) {
        if (list.allow().isEmpty()) {
            rules.add(Rule.allow(action, "#"));
            return;
        }
        for (String subject : list.allow().get()) {
            if (action == Action.SUBSCRIBE && subject.trim().contains(" ")) {
                log.warn("dropping sub allow \"{}\": queue-group permissions have no MQTT equivalent", subject);
                continue;
            }
            Optional<String> f = filter(subject.trim(), Effect.ALLOW);
            if (f.isPresent()) {
                rules.add(Rule.allow(action, f.get()));
            } else {
                log.warn("dropping {} allow \"{}\": it has no MQTT topic-filter form", action.name().toLowerCase(), subject);
            }
        }
    }

    private static String stripQueue(String subject, Action action) {
        String s = subject.trim();
        int space = s.indexOf(' ');
        return action == Action.SUBSCRIBE && space > 0 ? s.substring(0, space) : s;
    }

    /** The MQTT filter for one subject; empty for an allow that cannot be expressed. */
    Optional<String> filter(String subject, Effect effect) {
        if (syntax == SubjectSyntax.MQTT) {
            if (TopicFilters.isValidFilter(subject) && !subject.contains("${") && !subject.startsWith("eq ")) {
                return Optional.of(subject);
            }
            return effect == Effect.ALLOW ? Optional.empty() : Optional.of("#");
        }
        String[] tokens = subject.split("\\.", -1);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < tokens.length; i++) {
            String t = tokens[i];
            String level;
            if (t.equals("*")) {
                level = "+";
            } else if (t.equals(">") && i == tokens.length - 1) {
                level = "#";
            } else if (t.isEmpty() || t.indexOf('/') >= 0 || t.indexOf('+') >= 0 || t.indexOf('#') >= 0
                    || t.indexOf('\0') >= 0 || t.contains("${") || t.contains(" ") || t.contains("*")
                    || t.contains(">")) {
                if (effect == Effect.ALLOW) {
                    return Optional.empty();
                }
                out.append('#');
                return Optional.of(out.toString());
            } else {
                level = t;
            }
            out.append(level);
            if (i < tokens.length - 1) {
                out.append('/');
            }
        }
        return Optional.of(out.toString());
    }
}
