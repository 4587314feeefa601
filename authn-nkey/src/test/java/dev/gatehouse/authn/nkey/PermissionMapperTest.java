package dev.gatehouse.authn.nkey;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.authn.nkey.jwt.NatsPermissions;
import dev.gatehouse.authn.nkey.jwt.SubjectList;
import dev.gatehouse.authn.spi.acl.CompiledPermissions;
import dev.gatehouse.authn.spi.acl.PlaceholderValues;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PermissionMapperTest {
    private static CompiledPermissions compile(SubjectSyntax syntax, SubjectList pub, SubjectList sub) {
        return new PermissionMapper(syntax).map(new NatsPermissions(pub, sub))
                .compile(PlaceholderValues.of("c", "u", null));
    }

    private static SubjectList list(List<String> allow, List<String> deny) {
        return new SubjectList(Optional.ofNullable(allow), deny);
    }

    @Test
    void subjectsMapToTopicsAndDenyWins() {
        CompiledPermissions p = compile(SubjectSyntax.NATS,
                list(List.of("a.*.c", "b.>"), List.of("b.secret")), list(List.of("x.>"), List.of("x.private")));
        assertThat(p.checkPublish("a/1/c", 0, false).allowed()).isTrue();
        assertThat(p.checkPublish("a/1/d", 0, false).allowed()).isFalse();
        assertThat(p.checkPublish("b/q/r", 0, false).allowed()).isTrue();
        assertThat(p.checkPublish("b/secret", 0, false).allowed()).isFalse();
        assertThat(p.checkSubscribe("x/+", 0).allowed()).isTrue();
        assertThat(p.checkSubscribe("x/private", 0).allowed()).isFalse();
        // a deny that only overlaps becomes a delivery filter, as in NATS
        assertThat(p.checkSubscribe("x/#", 0).deliveryFilter()).isPresent();
        assertThat(p.checkSubscribe("y", 0).allowed()).isFalse();
    }

    @Test
    void absentAllowListAllowsEverythingButDenies() {
        CompiledPermissions p = compile(SubjectSyntax.NATS, list(null, List.of("admin.>")), SubjectList.unrestricted());
        assertThat(p.checkPublish("any/topic", 1, false).allowed()).isTrue();
        assertThat(p.checkPublish("admin/x", 1, false).allowed()).isFalse();
        assertThat(p.checkSubscribe("#", 0).allowed()).isTrue();
    }

    @Test
    void unmappableSubjectsNeverWiden() {
        CompiledPermissions p = compile(SubjectSyntax.NATS,
                list(List.of("a/b", "ok", "c.+"), List.of("d.x/y.z")), list(List.of("q queue"), List.of()));
        assertThat(p.checkPublish("a/b", 0, false).allowed()).isFalse();
        assertThat(p.checkPublish("ok", 0, false).allowed()).isTrue();
        assertThat(p.checkSubscribe("q", 0).allowed()).isFalse();
        PermissionMapper m = new PermissionMapper(SubjectSyntax.NATS);
        assertThat(m.filter("d.x/y.z", dev.gatehouse.authn.spi.acl.Effect.DENY)).contains("d/#");
        assertThat(m.filter("${username}", dev.gatehouse.authn.spi.acl.Effect.ALLOW)).isEmpty();
    }

    @Test
    void mqttSyntaxIsUsedVerbatim() {
        CompiledPermissions p = compile(SubjectSyntax.MQTT, list(List.of("a/+/c", "dotted.name/#"), List.of()),
                list(List.of("s/#"), List.of()));
        assertThat(p.checkPublish("a/b/c", 0, false).allowed()).isTrue();
        assertThat(p.checkPublish("dotted.name/x", 0, false).allowed()).isTrue();
        assertThat(p.checkSubscribe("s/t", 0).allowed()).isTrue();
    }
}
