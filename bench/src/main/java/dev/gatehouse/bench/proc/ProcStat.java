package dev.gatehouse.bench.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a process's CPU time and resident memory from {@code /proc}, so that brokers are compared by
 * work done per CPU-second, which on a 2-core machine shared with the load generator is steadier than
 * wall-clock throughput.
 */
public final class ProcStat {
    private final long clockTicksPerSecond;

    /** @param clockTicksPerSecond {@code getconf CLK_TCK} (USER_HZ), almost always 100 */
    public ProcStat(long clockTicksPerSecond) {
        this.clockTicksPerSecond = clockTicksPerSecond;
    }

    /** Asks {@code getconf CLK_TCK}; falls back to 100, the value on every Linux architecture in use. */
    public static ProcStat system() {
        long ticks = 100;
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (p.waitFor() == 0 && !out.isEmpty()) {
                ticks = Long.parseLong(out);
            }
        } catch (IOException | NumberFormatException e) {
            ticks = 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new ProcStat(ticks);
    }

    /** utime + stime of the process (all its threads), in seconds. */
    public double cpuSeconds(long pid) throws IOException {
        return parseCpuTicks(Files.readString(Path.of("/proc", Long.toString(pid), "stat")))
                / (double) clockTicksPerSecond;
    }

    /** VmRSS in bytes. */
    public long rssBytes(long pid) throws IOException {
        return parseRssBytes(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
    }

    /**
     * utime + stime in clock ticks from a {@code /proc/PID/stat} line. The command name (field 2) is in
     * parentheses and may itself hold spaces and ')', so fields are counted from the last ')'.
     */
    public static long parseCpuTicks(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a /proc/PID/stat line");
        }
        String[] fields = stat.substring(close + 1).trim().split("\\s+");
        // After the name: state is field 3, so utime (14) and stime (15) are at offsets 11 and 12.
        if (fields.length < 13) {
            throw new IllegalArgumentException("too few fields in /proc/PID/stat");
        }
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** VmRSS from {@code /proc/PID/status}, in bytes. */
    public static long parseRssBytes(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                String[] parts = line.substring(6).trim().split("\\s+");
                long value = Long.parseLong(parts[0]);
                String unit = parts.length > 1 ? parts[1] : "kB";
                if (!unit.equalsIgnoreCase("kB")) {
                    throw new IllegalArgumentException("unexpected VmRSS unit " + unit);
                }
                return value * 1024;
            }
        }
        throw new IllegalArgumentException("no VmRSS line");
    }
}
