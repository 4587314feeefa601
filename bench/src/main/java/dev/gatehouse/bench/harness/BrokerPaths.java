package dev.gatehouse.bench.harness;

import java.nio.file.Path;

/**
 * Where each broker comes from: the Gatehouse app jar, the class-path files that run.sh had Maven
 * write for the Moquette and HiveMQ launchers, the mosquitto binary, and a scratch directory.
 */
public record BrokerPaths(Path gatehouseJar, Path moquetteClasspath, Path hivemqClasspath, String mosquitto,
                          String javaBin, Path workDir) {
}
