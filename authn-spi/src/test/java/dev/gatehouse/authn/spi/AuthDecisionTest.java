package dev.gatehouse.authn.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.authn.spi.acl.Permissions;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AuthDecisionTest {

    @Test
    void failureReasonsMapToBothProtocolVersions() {
        assertThat(FailureReason.BAD_CREDENTIALS.v3ReturnCode()).isEqualTo(4);
        assertThat(FailureReason.BAD_CREDENTIALS.v5ReasonCode()).isEqualTo(0x86);
        assertThat(FailureReason.NOT_AUTHORIZED.v3ReturnCode()).isEqualTo(5);
        assertThat(FailureReason.NOT_AUTHORIZED.v5ReasonCode()).isEqualTo(0x87);
        assertThat(FailureReason.SERVER_UNAVAILABLE.v3ReturnCode()).isEqualTo(3);
        assertThat(FailureReason.SERVER_UNAVAILABLE.v5ReasonCode()).isEqualTo(0x88);
        assertThat(FailureReason.BAD_AUTHENTICATION_METHOD.v5ReasonCode()).isEqualTo(0x8C);
    }

    @Test
    void everyDecisionCarriesItsData() {
        Instant exp = Instant.parse("2030-01-01T00:00:00Z");
        AuthDecision[] all = {
                AuthDecision.success("alice", Permissions.allowAll(), exp),
                AuthDecision.failure(FailureReason.BAD_CREDENTIALS, "bad signature").withReasonString("bad credentials"),
                AuthDecision.challenge(new byte[] {1, 2}, "state"),
                AuthDecision.abstain()};
        StringBuilder seen = new StringBuilder();
        for (AuthDecision d : all) {
            if (d instanceof AuthDecision.Success s) {
                seen.append("S").append(s.expiresAt().orElseThrow().getEpochSecond());
            } else if (d instanceof AuthDecision.Failure f) {
                seen.append("F").append(f.reason().v5ReasonCode()).append(f.reasonString().orElse(""));
            } else if (d instanceof AuthDecision.Challenge c) {
                seen.append("C").append(c.authData().length).append(c.state());
            } else {
                assertThat(d).isSameAs(AuthDecision.abstain());
                seen.append("A");
            }
            seen.append(';');
        }
        assertThat(seen).hasToString("S1893456000;F134bad credentials;C2state;A;");
    }

    @Test
    void peerCommonNameIsEmptyWithoutCertificates() {
        AuthRequest r = AuthRequest.builder("c1", MqttVersion.V5).username("u").build();
        assertThat(r.peerCommonName()).isEmpty();
        assertThat(r.username()).contains("u");
        assertThat(r.password()).isEmpty();
    }
}
