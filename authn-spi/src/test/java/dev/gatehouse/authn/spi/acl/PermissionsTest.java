package dev.gatehouse.authn.spi.acl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PermissionsTest {

    private static CompiledPermissions compile(Permissions p, String clientId, String username) {
        return p.compile(PlaceholderValues.of(clientId, username, null));
    }

    @Test
    void firstMatchWinsThenDefault() {
        Permissions p = Permissions.builder()
                .deny(Action.PUBLISH, "a/secret")
                .allow(Action.PUBLISH, "a/#")
                .build();
        CompiledPermissions c = compile(p, "c1", "u1");
        assertThat(c.checkPublish("a/secret", 0, false).allowed()).isFalse();
        assertThat(c.checkPublish("a/secret", 0, false).describe()).isEqualTo("rule #1 (deny publish a/secret)");
        assertThat(c.checkPublish("a/b", 1, false).allowed()).isTrue();
        assertThat(c.checkPublish("b", 1, false).allowed()).isFalse();
        assertThat(c.checkPublish("b", 1, false).describe()).isEqualTo("default deny");
        assertThat(compile(Permissions.allowAll(), "c", "u").checkPublish("x", 2, true).allowed()).isTrue();
    }

    @Test
    void actionQosAndRetainConditions() {
        Permissions p = Permissions.builder()
                .rule(Rule.allow(Action.PUBLISH, "t/#").withQos(0, 1).withRetain(false))
                .allow(Action.SUBSCRIBE, "s/#")
                .build();
        CompiledPermissions c = compile(p, "c", "u");
        assertThat(c.checkPublish("t/1", 1, false).allowed()).isTrue();
        assertThat(c.checkPublish("t/1", 2, false).allowed()).isFalse();
        assertThat(c.checkPublish("t/1", 0, true).allowed()).isFalse();
        assertThat(c.checkPublish("s/1", 0, false).allowed()).isFalse();
        assertThat(c.checkSubscribe("s/+", 2).allowed()).isTrue();
        assertThat(c.checkSubscribe("t/#", 0).allowed()).isFalse();
    }

    @Test
    void subscribeNeedsACoveringAllowRule() {
        Permissions p = Permissions.builder().allow(Action.SUBSCRIBE, "a/+").allow(Action.ALL, "b/#").build();
        CompiledPermissions c = compile(p, "c", "u");
        assertThat(c.checkSubscribe("a/x", 0).allowed()).isTrue();
        assertThat(c.checkSubscribe("a/+", 0).allowed()).isTrue();
        assertThat(c.checkSubscribe("a/#", 0).allowed()).isFalse();
        assertThat(c.checkSubscribe("b/+/c", 0).allowed()).isTrue();
        assertThat(c.checkSubscribe("#", 0).allowed()).isFalse();
    }

    @Test
    void overlappingDenyBecomesADeliveryFilter() {
        Permissions p = Permissions.builder()
                .deny(Action.SUBSCRIBE, "a/secret/#")
                .allow(Action.SUBSCRIBE, "a/#")
                .build();
        CompiledPermissions c = compile(p, "c", "u");
        SubscribeResult wide = c.checkSubscribe("a/#", 1);
        assertThat(wide.allowed()).isTrue();
        assertThat(wide.deliveryFilter()).isPresent();
        assertThat(wide.deliveryFilter().get().permits("a/public")).isTrue();
        assertThat(wide.deliveryFilter().get().permits("a/secret/x")).isFalse();
        assertThat(c.checkSubscribe("a/public/+", 1).deliveryFilter()).isEmpty();
        assertThat(c.checkSubscribe("a/secret/+", 1).allowed()).isFalse();
    }

    @Test
    void placeholdersAreReplacedPerConnection() {
        Permissions p = Permissions.builder()
                .allow(Action.ALL, "devices/${clientid}/#")
                .allow(Action.PUBLISH, "users/${username}/dev-${clientid}")
                .build();
        CompiledPermissions c = compile(p, "c1", "alice");
        assertThat(c.checkPublish("devices/c1/x", 0, false).allowed()).isTrue();
        assertThat(c.checkPublish("devices/c2/x", 0, false).allowed()).isFalse();
        assertThat(c.checkPublish("users/alice/dev-c1", 0, false).allowed()).isTrue();
        assertThat(c.checkSubscribe("devices/c1/#", 0).allowed()).isTrue();
        assertThat(c.checkSubscribe("devices/+/#", 0).allowed()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"+", "#", "a/b", "", "x\0y", "$SYS", "a+", "/"})
    void unsafePlaceholderValuesNeverWidenAnAllowRule(String username) {
        Permissions p = Permissions.builder().allow(Action.ALL, "users/${username}/#").build();
        CompiledPermissions c = compile(p, "c1", username);
        for (String topic : List.of("users/x/y", "users/a/b/c", "users/+/y", "users/#", "users/$SYS/x", "users")) {
            if (TopicFilters.isValidTopicName(topic)) {
                assertThat(c.checkPublish(topic, 0, false).allowed()).as(topic).isFalse();
            }
        }
        for (String filter : List.of("users/#", "users/+/#", "users/a/#", "#")) {
            assertThat(c.checkSubscribe(filter, 0).allowed()).as(filter).isFalse();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"+", "#", "a/b", ""})
    void unsafePlaceholderValuesMakeADenyRuleBroaderNotNarrower(String username) {
        Permissions p = Permissions.builder()
                .deny(Action.PUBLISH, "users/${username}/admin")
                .allow(Action.PUBLISH, "users/#")
                .build();
        CompiledPermissions c = compile(p, "c1", username);
        assertThat(c.checkPublish("users/a/b/admin", 0, false).allowed()).isFalse();
        assertThat(c.checkPublish("users/x/admin", 0, false).allowed()).isFalse();
    }

    @Test
    void missingPlaceholderValueCountsAsUnsafe() {
        Permissions p = Permissions.builder().allow(Action.ALL, "certs/${cert_cn}/#").build();
        CompiledPermissions c = compile(p, "c1", "u");
        assertThat(c.checkPublish("certs/x/y", 0, false).allowed()).isFalse();
    }

    @Test
    void eqIsALiteralFilter() {
        Permissions p = Permissions.builder()
                .allow(Action.ALL, "eq t/${clientid}/#")
                .build();
        CompiledPermissions c = compile(p, "c1", "u");
        assertThat(c.checkSubscribe("t/${clientid}/#", 0).allowed()).isTrue();
        assertThat(c.checkSubscribe("t/c1/#", 0).allowed()).isFalse();
        assertThat(c.checkSubscribe("t/${clientid}/x", 0).allowed()).isFalse();
        assertThat(c.checkPublish("t/c1/x", 0, false).allowed()).isFalse();
    }

    @Test
    void dollarTopicsAreNotMatchedByLeadingWildcards() {
        CompiledPermissions c = compile(Permissions.builder().allow(Action.ALL, "#").build(), "c", "u");
        assertThat(c.checkPublish("$SYS/broker", 0, false).allowed()).isFalse();
        assertThat(c.checkSubscribe("$SYS/#", 0).allowed()).isFalse();
        assertThat(c.checkPublish("a/b", 0, false).allowed()).isTrue();
    }

    @Test
    void thenAppendsAFallback() {
        Permissions own = Permissions.builder().deny(Action.PUBLISH, "x").build();
        Permissions combined = own.then(Permissions.allowAll());
        CompiledPermissions c = compile(combined, "c", "u");
        assertThat(c.checkPublish("x", 0, false).allowed()).isFalse();
        assertThat(c.checkPublish("y", 0, false).allowed()).isTrue();
    }

    @Test
    void rejectsMalformedRules() {
        assertThatThrownBy(() -> Rule.allow(Action.ALL, "a/#/b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Rule.allow(Action.ALL, "a/${nope}")).hasMessageContaining("unknown placeholder");
        assertThatThrownBy(() -> Rule.allow(Action.ALL, "a/${clientid")).hasMessageContaining("malformed");
        assertThatThrownBy(() -> Rule.allow(Action.ALL, "a").withQos(3)).isInstanceOf(IllegalArgumentException.class);
    }
}
