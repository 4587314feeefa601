#!/usr/bin/env bash
# Side-by-side MQTT broker benchmarks: Gatehouse, Mosquitto, Moquette 0.17, HiveMQ CE 2025.5.
#
#   bench/run.sh            full run (>= 5 reps per scenario, ~20-30 min)
#   bench/run.sh --quick    smoke run (2 reps, smaller counts; < 3 min)
#   bench/run.sh --jmh [REGEX] [JMH options...]   JMH microbenchmarks instead (topic tree, permissions, codec)
#
# Extra arguments go to the harness, e.g. --brokers gatehouse,mosquitto or --only 'QoS 1'.
# Results: bench/results/<date>[-quick].md and .csv; broker logs under bench/results/work/.
# Everything runs on loopback; each broker is started alone on a free port and stopped by its PID.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
MVN=(mvn -B -ntp -q -Dstyle.color=never)

mode=run
if [[ "${1:-}" == "--jmh" ]]; then
  mode=jmh
  shift
fi

# Gatehouse itself, from this checkout, so the numbers are always of the code under test.
echo "building Gatehouse"
"${MVN[@]}" install -DskipTests -pl app -am
echo "building bench"
"${MVN[@]}" -pl bench package -DskipTests

CP="$ROOT/bench/target/classes:$(cat bench/target/classpath.txt)"

if [[ "$mode" == jmh ]]; then
  # Forks and iterations sized for 2 cores; pass JMH options to override (e.g. -f 2 -wi 5 -i 10).
  exec java -cp "$CP" org.openjdk.jmh.Main "${@:-dev.gatehouse.bench.jmh}" -f 1 -wi 3 -w 1s -i 5 -r 1s
fi

# The other brokers: each launcher is its own pom, so its jars reach only its own JVM.
for b in moquette hivemq; do
  dir=bench/brokers/$b
  if [[ -f $dir/target/classpath.txt && -z $(find "$dir/pom.xml" "$dir/src" pom.xml -newer "$dir/target/classpath.txt" -print -quit) ]]; then
    continue  # up to date: saves the quick run a Maven start per launcher
  fi
  echo "building $b launcher"
  "${MVN[@]}" -f "$dir/pom.xml" package -DskipTests
done

if ! command -v mosquitto >/dev/null 2>&1 && [[ ! -x /usr/sbin/mosquitto ]]; then
  echo "installing mosquitto (Debian package)"
  if [[ $(id -u) -eq 0 ]]; then SUDO=(); else SUDO=(sudo); fi
  "${SUDO[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq mosquitto >/dev/null
fi
MOSQUITTO=$(command -v mosquitto || echo /usr/sbin/mosquitto)

# Room for 50 000 connections if the hard limit allows; the harness caps what it opens to the limit.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

exec java -Xms512m -Xmx4g -cp "$CP" dev.gatehouse.bench.harness.Harness \
  --out "$ROOT/bench/results" \
  --gatehouse-jar "$ROOT/app/target/gatehouse.jar" \
  --moquette-cp "$ROOT/bench/brokers/moquette/target/classpath.txt" \
  --hivemq-cp "$ROOT/bench/brokers/hivemq/target/classpath.txt" \
  --mosquitto "$MOSQUITTO" \
  "$@"
