package dev.gatehouse.bench.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A few lines saying what the numbers were measured on, since they mean nothing without it. */
final class MachineInfo {
    private MachineInfo() {
    }

    static List<String> describe(String mosquitto) {
        List<String> lines = new ArrayList<>();
        String cpu = "unknown CPU";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (IOException e) {
            cpu = "unknown CPU";
        }
        lines.add("machine: " + Runtime.getRuntime().availableProcessors() + " cores (" + cpu + "), Linux "
                + read("/proc/sys/kernel/osrelease") + ", open-files limit " + OpenFilesLimit.hard());
        lines.add("load generator and JVM brokers: Java " + System.getProperty("java.version") + " ("
                + System.getProperty("java.vm.name") + "); JVM brokers run with -Xms256m -Xmx2g -XX:+UseG1GC");
        lines.add("versions: Gatehouse (this checkout), " + mosquittoVersion(mosquitto)
                + ", Moquette 0.17, HiveMQ CE 2025.5 (embedded); Netty of the Java brokers comes from the parent pom's BOM");
        return lines;
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file)).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    private static String mosquittoVersion(String mosquitto) {
        try {
            Process p = new ProcessBuilder(mosquitto, "-h").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor(5, TimeUnit.SECONDS);
            String first = out.lines().findFirst().orElse("mosquitto");
            return first.replace("mosquitto version", "Mosquitto").trim();
        } catch (IOException e) {
            return "Mosquitto (version unknown)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "Mosquitto (version unknown)";
        }
    }
}
