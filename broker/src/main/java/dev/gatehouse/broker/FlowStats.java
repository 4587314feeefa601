package dev.gatehouse.broker;

/**
 * A snapshot of how much the broker holds for its clients' flow control, for tests, health checks
 * and metrics: every figure here is bounded by a limit in {@link Limits}.
 *
 * @param outboundBufferedBytes        bytes waiting in every connection's outbound buffer, with Netty's
 *                                     per-entry overhead (bounded by {@link Limits#maxOutboundBuffer()}
 *                                     per connection, plus at most one packet)
 * @param largestOutboundBufferedBytes the largest of those for a single connection
 * @param readsPausedUnwritable        connections not being read because their outbound buffer is full
 * @param readsPausedCongested         connections not being read because a subscriber they feed is behind
 * @param slowConsumerDisconnects      connections closed since start for staying unwritable longer than
 *                                     {@link Limits#slowConsumerTimeout()}
 */
public record FlowStats(long outboundBufferedBytes, long largestOutboundBufferedBytes, int readsPausedUnwritable,
                        int readsPausedCongested, long slowConsumerDisconnects) {
}
