package dev.gatehouse.bench.load;

import dev.gatehouse.bench.proc.JvmHeap;
import dev.gatehouse.bench.proc.ProcStat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.OptionalLong;

/** The broker process as the measurements see it: its CPU time, resident memory and (for a JVM) heap. */
public final class BrokerProbe {
    private final long pid;
    private final boolean jvm;
    private final ProcStat procStat;
    private final JvmHeap jvmHeap;

    public BrokerProbe(long pid, boolean jvm, ProcStat procStat, JvmHeap jvmHeap) {
        this.pid = pid;
        this.jvm = jvm;
        this.procStat = procStat;
        this.jvmHeap = jvmHeap;
    }

    public long pid() {
        return pid;
    }

    public double cpuSeconds() {
        try {
            return procStat.cpuSeconds(pid);
        } catch (IOException e) {
            throw new UncheckedIOException("broker process " + pid + " is gone", e);
        }
    }

    public long rssBytes() {
        try {
            return procStat.rssBytes(pid);
        } catch (IOException e) {
            throw new UncheckedIOException("broker process " + pid + " is gone", e);
        }
    }

    /** Heap used after a full GC, for JVM brokers only. */
    public OptionalLong heapAfterGc() {
        return jvm ? jvmHeap.usedAfterGc(pid) : OptionalLong.empty();
    }
}
