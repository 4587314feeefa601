package dev.gatehouse.authn.nkey.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nats.client.NKey;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class NKeyCodecTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    private static NKey jnats(NKeyType type) throws Exception {
        switch (type) {
            case OPERATOR: return NKey.createOperator(RANDOM);
            case ACCOUNT: return NKey.createAccount(RANDOM);
            case USER: return NKey.createUser(RANDOM);
            case SERVER: return NKey.createServer(RANDOM);
            case CLUSTER: return NKey.createCluster(RANDOM);
            default: throw new IllegalArgumentException(type.name());
        }
    }

    @Test
    void crc16IsXmodem() {
        assertThat(Crc16.of("123456789".getBytes(StandardCharsets.US_ASCII))).isEqualTo(0x31C3);
    }

    @Test
    void base32RoundTripsAndIsStrict() {
        for (int n = 0; n < 40; n++) {
            byte[] data = new byte[n];
            RANDOM.nextBytes(data);
            assertThat(Base32.decode(Base32.encode(data))).isEqualTo(data);
        }
        assertThatThrownBy(() -> Base32.decode("abcd")).isInstanceOf(NKeyException.class);
        assertThatThrownBy(() -> Base32.decode("A")).isInstanceOf(NKeyException.class);
    }

    @Test
    void referenceVectorsAgreeWithJnats() {
        String[][] vectors = {
                {"SOAELH6NJCEK4HST5644G4HK7TOAFZGRRJHNM4EUKUY7PPNDLIKO5IH4JM", "ODPWIBQJVIQ42462QAFI2RKJC4RZHCQSIVPRDDHWFCJAP52NRZK6Z2YC"},
                {"SAANWFZ3JINNPERWT3ALE45U7GYT2ZDW6GJUIVPDKUF6GKAX6AISZJMAS4", "AATEJXG7UX4HFJ6ZPRTP22P6OYZER36YYD3GVBOVW7QHLU32P4QFFTZJ"},
                {"SUAOTBNEUHZDFJT3EUMELT7MQTP24JF3XVCXQNDSCU74G5IU6VAJBKH5LI", "UDE6WTGLTTPCRJRJCKBJRGVNZTLIVR7LEEELR4CYWWWBKJS7XYIKXDUU"},
        };
        for (String[] v : vectors) {
            NKeyPair pair = NKeyPair.fromSeed(v[0]);
            assertThat(pair.publicKey().encoded()).isEqualTo(v[1]);
            assertThat(new String(pair.encodedSeed())).isEqualTo(v[0]);
        }
    }

    @ParameterizedTest
    @EnumSource(value = NKeyType.class, names = {"OPERATOR", "ACCOUNT", "USER", "SERVER", "CLUSTER"})
    void jnatsKeysDecodeHereAndSignaturesVerifyBothWays(NKeyType type) throws Exception {
        NKey theirs = jnats(type);
        String theirPublic = new String(theirs.getPublicKey());
        String theirSeed = new String(theirs.getSeed());

        NKeyPair ours = NKeyPair.fromSeed(theirSeed, type);
        assertThat(ours.type()).isEqualTo(type);
        assertThat(ours.publicKey().encoded()).isEqualTo(theirPublic);
        assertThat(new String(ours.encodedSeed())).isEqualTo(theirSeed);
        assertThat(PublicNKey.parse(theirPublic, type).encoded()).isEqualTo(theirPublic);
        assertThat(theirPublic.charAt(0)).isEqualTo(type.letter());

        byte[] message = new byte[48];
        RANDOM.nextBytes(message);
        byte[] theirSignature = theirs.sign(message);
        assertThat(PublicNKey.parse(theirPublic).verify(message, theirSignature)).isTrue();
        assertThat(ours.sign(message)).isEqualTo(theirSignature); // Ed25519 is deterministic
        byte[] ourSignature = ours.sign(message);
        assertThat(NKey.fromPublicKey(theirPublic.toCharArray()).verify(message, ourSignature)).isTrue();

        message[0] ^= 1;
        assertThat(PublicNKey.parse(theirPublic).verify(message, theirSignature)).isFalse();
    }

    @ParameterizedTest
    @EnumSource(value = NKeyType.class, names = {"OPERATOR", "ACCOUNT", "USER", "SERVER", "CLUSTER"})
    void ourKeysDecodeInJnats(NKeyType type) throws Exception {
        NKeyPair ours = NKeyPair.generate(type, RANDOM);
        NKey theirs = NKey.fromSeed(ours.encodedSeed());
        assertThat(new String(theirs.getPublicKey())).isEqualTo(ours.publicKey().encoded());
        assertThat(theirs.getType().name()).isEqualTo(type.name());
        byte[] message = "nonce".getBytes(StandardCharsets.US_ASCII);
        assertThat(theirs.verify(message, ours.sign(message))).isTrue();
        assertThat(NKey.isValidPublicUserKey(ours.publicKey().encoded().toCharArray()))
                .isEqualTo(type == NKeyType.USER);
    }

    @Test
    void badInputGivesClearErrors() throws Exception {
        String user = new String(NKey.createUser(RANDOM).getPublicKey());
        String seed = new String(NKey.createUser(RANDOM).getSeed());
        char[] flipped = user.toCharArray();
        flipped[10] = flipped[10] == 'A' ? 'B' : 'A';

        assertThatThrownBy(() -> PublicNKey.parse(new String(flipped))).hasMessageContaining("checksum");
        assertThatThrownBy(() -> PublicNKey.parse(user, NKeyType.ACCOUNT))
                .hasMessageContaining("expected an account key").hasMessageContaining("user");
        assertThatThrownBy(() -> PublicNKey.parse(user.substring(1))).hasMessageContaining("56 characters");
        assertThatThrownBy(() -> PublicNKey.parse(user.toLowerCase())).hasMessageContaining("base32");
        assertThatThrownBy(() -> PublicNKey.parse(seed.substring(0, 56))).hasMessageContaining("seed");
        assertThatThrownBy(() -> NKeyPair.fromSeed(user + "AA")).isInstanceOf(NKeyException.class);
        assertThatThrownBy(() -> NKeyPair.fromSeed(seed, NKeyType.ACCOUNT)).hasMessageContaining("expected an account seed".replace("an ", "a "));
        assertThat(NKeyPair.fromSeed(seed).toString()).doesNotContain(seed);
    }
}
