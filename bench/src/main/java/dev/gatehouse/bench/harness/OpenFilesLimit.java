package dev.gatehouse.bench.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The hard RLIMIT_NOFILE of this process, which brokers started from it inherit. */
public final class OpenFilesLimit {
    private OpenFilesLimit() {
    }

    public static long hard() {
        try {
            return parseHard(Files.readString(Path.of("/proc/self/limits")));
        } catch (IOException | RuntimeException e) {
            return 1024;
        }
    }

    /** The hard column of the "Max open files" line of {@code /proc/PID/limits}. */
    public static long parseHard(String limits) {
        for (String line : limits.split("\n")) {
            if (line.startsWith("Max open files")) {
                String[] f = line.substring("Max open files".length()).trim().split("\\s+");
                return f[1].equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(f[1]);
            }
        }
        throw new IllegalArgumentException("no Max open files line");
    }
}
