package dev.gatehouse.bench.proc;

import java.io.IOException;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Heap in use after a full GC of another JVM, through {@code jcmd PID GC.run} and {@code GC.heap_info}. */
public final class JvmHeap {
    private static final Pattern USED = Pattern.compile("total (\\d+)K, used (\\d+)K");

    private final String jcmd;

    public JvmHeap(String jcmd) {
        this.jcmd = jcmd;
    }

    /** Uses the jcmd beside the running JVM. */
    public static JvmHeap beside(String javaHome) {
        return new JvmHeap(javaHome + "/bin/jcmd");
    }

    /** Bytes used after GC, or empty if the process is not a JVM or jcmd failed. */
    public OptionalLong usedAfterGc(long pid) {
        try {
            run(pid, "GC.run");
            return parseUsed(run(pid, "GC.heap_info"));
        } catch (IOException e) {
            return OptionalLong.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalLong.empty();
        }
    }

    /** Sums every "total NK, used MK" line (G1 prints one for the heap; other collectors one per generation). */
    public static OptionalLong parseUsed(String heapInfo) {
        Matcher m = USED.matcher(heapInfo);
        long used = 0;
        boolean found = false;
        while (m.find()) {
            used += Long.parseLong(m.group(2)) * 1024;
            found = true;
            if (heapInfo.contains("garbage-first heap")) {
                break;
            }
        }
        return found ? OptionalLong.of(used) : OptionalLong.empty();
    }

    private String run(long pid, String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(jcmd, Long.toString(pid), command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("jcmd timed out");
        }
        if (p.exitValue() != 0) {
            throw new IOException("jcmd " + command + " exited " + p.exitValue());
        }
        return new String(out);
    }
}
