package dev.gatehouse.bench.load;

import java.nio.ByteBuffer;

/** What a connection does with its events; all calls come from the {@link IoLoop}'s thread. */
public interface ConnHandler {
    /** TCP is up: typically write CONNECT. */
    void onTcpConnected(Conn conn);

    /** One whole packet; the body is only valid during the call. */
    void onFrame(Conn conn, int type, int flags, ByteBuffer buf, int start, int length);

    /** The connection closed or failed; {@code why} says how. */
    void onClosed(Conn conn, String why);
}
