package dev.gatehouse.config.passwd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PasswordHashTest {
    @TempDir
    Path dir;

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void pbkdf2OverBytesMatchesTheJdkForTextPasswords() throws Exception {
        byte[] salt = "NaCl-and-more".getBytes(StandardCharsets.US_ASCII);
        byte[] jdk = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512")
                .generateSecret(new PBEKeySpec("pässword".toCharArray(), salt, 1000, 64 * 8)).getEncoded();
        assertThat(Pbkdf2.sha512(utf8("pässword"), salt, 1000, 64)).isEqualTo(jdk);
        // Longer than one HMAC block, to exercise the block counter.
        byte[] jdk100 = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512")
                .generateSecret(new PBEKeySpec("pw".toCharArray(), salt, 3, 100 * 8)).getEncoded();
        assertThat(Pbkdf2.sha512(utf8("pw"), salt, 3, 100)).isEqualTo(jdk100);
    }

    @Test
    void ourFormatRoundTrips() {
        PasswordHash h = PasswordHash.create(utf8("s3cret"), 1000, new SecureRandom());
        String encoded = h.encode();
        assertThat(encoded).startsWith("$gatehouse-pbkdf2-sha512$1000$");
        PasswordHash back = PasswordHash.parse(encoded);
        assertThat(back).isEqualTo(h);
        assertThat(back.matches(utf8("s3cret"))).isTrue();
        assertThat(back.matches(utf8("s3cret "))).isFalse();
        assertThat(back.matches(new byte[0])).isFalse();
        assertThat(h.toString()).doesNotContain(encoded.substring(encoded.lastIndexOf('$') + 1));
    }

    @Test
    void weakOrMalformedHashesAreRefused() {
        assertThatThrownBy(() -> PasswordHash.parse("plain")).hasMessageContaining("plain-text passwords are not accepted");
        assertThatThrownBy(() -> PasswordHash.parse("$6$c2FsdA==$aGFzaA==")).hasMessageContaining("too weak");
        assertThatThrownBy(() -> PasswordHash.parse("$7$abc$c2FsdA==$aGFzaA==")).hasMessage("iterations must be a number");
        assertThatThrownBy(() -> PasswordHash.parse("$7$101$c2FsdA==$aGFzaA==")).hasMessage("a $7$ salt is 12 or 64 bytes, not 4");
        assertThatThrownBy(() -> PasswordHash.parse("$7$999999999$c2FsdA==$aGFzaA==")).hasMessageContaining("iterations must be 1..");
        assertThatThrownBy(() -> PasswordHash.parse("$argon2id$v=19$m=1")).hasMessageContaining("argon2");
    }

    @Test
    void passwordFileReportsBadLinesByNumberWithoutEchoingThem() throws Exception {
        Path f = dir.resolve("passwd");
        String good = PasswordHash.create(utf8("x"), 10, new SecureRandom()).line("alice");
        Files.writeString(f, "# comment\n\n" + good + "\nbob:topsecret\nnocolon\n" + good + "\n");
        assertThatThrownBy(() -> PasswordFile.read(f)).hasMessage("line 4 (user bob): not a password hash "
                + "(plain-text passwords are not accepted); line 5: expected user:hash; line 6: user alice appears twice")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("topsecret"));
    }

    @Test
    void upsertReplacesOneUserAndKeepsTheRest() throws Exception {
        Path f = dir.resolve("passwd");
        Files.writeString(f, "# users\n" + PasswordHash.create(utf8("a"), 10, new SecureRandom()).line("alice") + "\n");
        PasswordFile.upsert(f, "bob", PasswordHash.create(utf8("b"), 10, new SecureRandom()));
        PasswordFile.upsert(f, "alice", PasswordHash.create(utf8("a2"), 10, new SecureRandom()));
        Map<String, PasswordHash> users = PasswordFile.read(f);
        assertThat(users).containsOnlyKeys("alice", "bob");
        assertThat(users.get("alice").matches(utf8("a2"))).isTrue();
        assertThat(users.get("bob").matches(utf8("b"))).isTrue();
        assertThat(Files.readAllLines(f).get(0)).isEqualTo("# users");
    }

    @Test
    void readsALineWrittenByMosquittoPasswd() throws Exception {
        Path tool = Path.of("/usr/bin/mosquitto_passwd");
        assumeTrue(Files.isExecutable(tool), "mosquitto_passwd is not installed (apt-get install mosquitto); "
                + "skipping the mosquitto interoperability check");
        Path f = dir.resolve("mosquitto.passwd");
        Process p = new ProcessBuilder(tool.toString(), "-c", "-b", f.toString(), "mosq-user", "mosq-pässword")
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
        assertThat(Files.readString(f)).startsWith("mosq-user:$7$");
        PasswordHash h = PasswordFile.read(f).get("mosq-user");
        assertThat(h.scheme()).isEqualTo("7");
        assertThat(h.matches(utf8("mosq-pässword"))).isTrue();
        assertThat(h.matches(utf8("mosq-password"))).isFalse();
    }
}
