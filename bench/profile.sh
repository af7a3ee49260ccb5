#!/usr/bin/env bash
# Runs `handoff bench` under JFR and prints where the CPU went (bench/jfr-hot.py).
#   bench/profile.sh [bench options…]      e.g. bench/profile.sh --hosts 1000 --lines 300000 --live-bursts 0 --no-sec
# Needs the tools jar (./handoff builds it: tools/target/handoff-tools.jar).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/tools/target/handoff-tools.jar"
[ -f "$jar" ] || { echo "profile.sh: $jar is missing; run ./handoff --help once to build it" >&2; exit 1; }
out="${JFR_OUT:-/tmp/handoff-bench.jfr}"
cd "$root"
java ${HANDOFF_JAVA_OPTS:--Xmx1g} -XX:StartFlightRecording=filename="$out",settings=profile \
     -XX:FlightRecorderOptions:stackdepth=256 -cp "$jar" io.handoff.bench.BenchCommand "$@"
jfr print --stack-depth 256 --events jdk.ExecutionSample "$out" > "$out.txt"
python3 "$root/bench/jfr-hot.py" "$out.txt" 30
