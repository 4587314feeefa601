package dev.gatehouse.authn.nkey;

import dev.gatehouse.broker.testing.TestAuthMechanism;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/** A test mechanism: sends fixed CONNECT data and answers the nonce with whatever the test says. */
final class ScriptedAuth extends TestAuthMechanism {
    private final byte[] connectData;
    private final Function<byte[], byte[]> answer;
    volatile byte[] lastNonce;

    /** {@code answer} returning null means: never answer. */
    ScriptedAuth(byte[] connectData, Function<byte[], byte[]> answer) {
        super("NKEY", 30);
        this.connectData = connectData;
        this.answer = answer;
    }

    @Override
    protected byte[] connectData() {
        return connectData;
    }

    @Override
    protected CompletableFuture<byte[]> answer(byte[] nonce) {
        lastNonce = nonce;
        byte[] a = answer.apply(nonce);
        return a == null ? new CompletableFuture<>() : CompletableFuture.completedFuture(a);
    }
}
