package dev.gatehouse.authn.nkey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.authn.nkey.jwt.Json;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SmallPartsTest {
    @Test
    void jsonIsStrict() {
        assertThat(Json.parseObject("{\"a\":[1,-2.5e1,\"x\\u0041\",true,null,{}]}").get("a"))
                .isEqualTo(java.util.Arrays.asList(1L, -25.0, "xA", true, null, Map.of()));
        for (String bad : List.of("{\"a\":1,\"a\":2}", "{a:1}", "[1,]", "{\"a\":01}", "{} x", "\"\u0001\"", "{\"a\":tru}")) {
            assertThatThrownBy(() -> Json.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(Json.parse(Json.write(Map.of("k", List.of("a\"b", 3L))))).isEqualTo(Map.of("k", List.of("a\"b", 3L)));
    }

    @Test
    void cidrBlocks() throws Exception {
        assertThat(Cidr.parse("127.0.0.0/8").contains(InetAddress.getByName("127.9.8.7"))).isTrue();
        assertThat(Cidr.parse("10.0.0.0/8").contains(InetAddress.getByName("11.0.0.1"))).isFalse();
        assertThat(Cidr.parse("192.168.1.7").contains(InetAddress.getByName("192.168.1.7"))).isTrue();
        assertThat(Cidr.parse("192.168.1.0/25").contains(InetAddress.getByName("192.168.1.200"))).isFalse();
        assertThat(Cidr.parse("::1/128").contains(InetAddress.getByName("::1"))).isTrue();
        assertThat(Cidr.parse("10.0.0.0/8").contains(InetAddress.getByName("::ffff:10.1.2.3"))).isTrue();
        assertThatThrownBy(() -> Cidr.parse("example.com")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void connectionCounterCountsClientIdsOnce() {
        ConnectionCounter c = new ConnectionCounter();
        assertThat(c.tryAcquire("A", "c1", 1)).isTrue();
        assertThat(c.tryAcquire("A", "c1", 1)).isTrue(); // takeover / re-auth of the same client
        assertThat(c.tryAcquire("A", "c2", 1)).isFalse();
        c.release("A", "c1");
        assertThat(c.connections("A")).isEqualTo(1);
        c.release("A", "c1");
        assertThat(c.connections("A")).isZero();
        assertThat(c.tryAcquire("A", "c2", 1)).isTrue();
        assertThat(c.tryAcquire("B", "x", -1)).isTrue();
        assertThat(c.tryAcquire("Z", "x", 0)).isFalse();
    }
}
