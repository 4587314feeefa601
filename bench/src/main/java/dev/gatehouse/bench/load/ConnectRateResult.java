package dev.gatehouse.bench.load;

import dev.gatehouse.bench.stats.Percentiles;

/** Connection-rate run: how many complete CONNECT/CONNACK/DISCONNECT cycles per second and per broker CPU-second. */
public record ConnectRateResult(int attempted, int connected, int failed, double seconds, double perSecond,
                                double brokerCpuSeconds, double perCpuSecond, Percentiles connectLatency,
                                String firstFailure) {
}
